export {
  bearerToken,
  type ChatServiceClient,
  createChatServiceClient,
  type UnaryCallback,
} from "./client.js";
export { fromTimestamp, fromWireEvent, fromWireMessage, fromWireRoom } from "./from-wire.js";
export { routeGrpcLogs } from "./logging.js";
export type {
  ChatServiceOptions,
  GrpcKeepaliveOptions,
  GrpcServerOptions,
} from "./options.js";
export { CHAT_LOADER_OPTIONS, CHAT_PROTO_PATH, CHAT_SERVICE_NAME, loadChatProto } from "./proto.js";
export { type RunningGrpcServer, startGrpcServer } from "./server.js";
export { addChatService, type ChatServiceHandle } from "./service.js";
export { ERROR_CODE_METADATA_KEY } from "./status.js";
export type {
  ListMessagesRequest,
  ListMessagesResponse,
  ListRoomsResponse,
  ResumeStatus,
  RoomRequest,
  StreamRequest,
  SubmitRequest,
  WireEvent,
  WireMessage,
  WirePresence,
  WireReady,
  WireRoom,
  WireTimestamp,
} from "./wire.js";
