// Everything public, by name. The broadcast library alone is `chat-server/broadcast`
// and the rooms module alone `chat-server/rooms`.

export {
  addChatService,
  CHAT_LOADER_OPTIONS,
  CHAT_PROTO_PATH,
  type ChatServiceHandle,
  type ChatServiceOptions,
  ERROR_CODE_METADATA_KEY,
  type GrpcServerOptions,
  loadChatProto,
  type RunningGrpcServer,
  routeGrpcLogs,
  startGrpcServer,
  type WireEvent,
} from "./adapters/grpc/index.js";
export { createHtmlRouter } from "./adapters/html/index.js";
export { createRestRouter } from "./adapters/rest/index.js";
export {
  type HttpAdapterOptions,
  type HttpServerLimits,
  type RunningHttpServer,
  startHttpServer,
} from "./adapters/shared/index.js";
export {
  attachWsAdapter,
  WS_CLOSE,
  type WsAdapter,
  type WsAdapterOptions,
  type WsCloseCode,
} from "./adapters/ws/index.js";
export {
  BroadcastError,
  Broadcaster,
  BroadcasterClosedError,
  type BroadcasterOptions,
  InvalidOptionError,
  type OverflowPolicy,
  type QueueOptions,
  SlowConsumerError,
  type SubscribeOptions,
  type Subscription,
} from "./broadcast/index.js";
export { createHttpApp, type HttpAppOptions } from "./cmd/index.js";
export { ChatMetrics, createLogger, type Logger, type LogLevel } from "./observability/index.js";
export {
  type BusEvent,
  type DeletedEvent,
  getRoomManager,
  HistoryLostError,
  type HistoryOptions,
  type HistoryQuery,
  type HistorySlice,
  ListenerEvictedError,
  MemoryRoomStore,
  type MemoryStoreOptions,
  type Message,
  type MessageDraft,
  type MessageEvent,
  MessageTooLongError,
  type OpenListenerOptions,
  type PresenceEvent,
  type ReadyEvent,
  RoomError,
  type RoomErrorCode,
  type RoomEvent,
  type RoomInfo,
  type RoomListener,
  RoomManager,
  RoomManagerClosedError,
  type RoomManagerOptions,
  type RoomManagerStats,
  RoomNotFoundError,
  type RoomStore,
  StoreUnavailableError,
  type SubmitInput,
  TooManyRoomsError,
  type ValidationCode,
  ValidationError,
} from "./rooms/index.js";
