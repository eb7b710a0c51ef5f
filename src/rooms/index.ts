export { type BusChannel, BusChannels, type BusHandler } from "./bus-channels.js";
export { type Cursor, formatMessageId, parseCursor } from "./cursor.js";
export { ROOM_DEFAULTS } from "./defaults.js";
export { newEpoch } from "./epoch.js";
export {
  HistoryLostError,
  ListenerEvictedError,
  MessageTooLongError,
  RoomError,
  type RoomErrorCode,
  RoomManagerClosedError,
  RoomNotFoundError,
  StoreUnavailableError,
  TooManyRoomsError,
  type ValidationCode,
  ValidationError,
} from "./errors.js";
export type {
  DeletedEvent,
  Message,
  MessageEvent,
  PresenceEvent,
  ReadyEvent,
  RoomEvent,
  RoomInfo,
} from "./events.js";
export type { RoomListener } from "./listener.js";
export { MemoryRoomStore, type MemoryStoreOptions, type MemoryStoreStats } from "./memory-store.js";
export { positiveInteger, positiveNumber } from "./option-checks.js";
export {
  type HistoryOptions,
  type HistoryPage,
  type OpenListenerOptions,
  RoomManager,
  type RoomManagerOptions,
  type RoomManagerStats,
  type SubmitInput,
} from "./room-manager.js";
export { getRoomManager } from "./singleton.js";
export type {
  AnnouncedEvent,
  BusEvent,
  BusSubscription,
  HistoryQuery,
  HistorySlice,
  MessageDraft,
  OpenedListener,
  RoomBus,
  RoomStore,
} from "./store.js";
export {
  decodeUtf8Text,
  MAX_USER_ID_LENGTH,
  validateRoomId,
  validateText,
  validateUserId,
} from "./validate.js";
