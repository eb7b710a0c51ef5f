import {
  type CallOptions,
  type ChannelCredentials,
  type Client,
  type ClientOptions,
  type ClientReadableStream,
  InterceptingCall,
  type Interceptor,
  loadPackageDefinition,
  type ServiceError,
} from "@grpc/grpc-js";
import { loadChatProto } from "./proto.js";
import type {
  ListMessagesRequest,
  ListMessagesResponse,
  ListRoomsResponse,
  RoomRequest,
  StreamRequest,
  SubmitRequest,
  WireEvent,
  WireMessage,
  WireRoom,
} from "./wire.js";

/** A grpc-js unary callback. */
export type UnaryCallback<T> = (error: ServiceError | null, value?: T) => void;

/** `chat.v1.ChatService` as a typed grpc-js client: chat.proto's requests and answers, from wire.ts. */
export interface ChatServiceClient extends Client {
  Submit(request: SubmitRequest, callback: UnaryCallback<WireMessage>): void;
  Stream(request: StreamRequest, options?: CallOptions): ClientReadableStream<WireEvent>;
  DeleteRoom(request: RoomRequest, callback: UnaryCallback<object>): void;
  GetRoom(request: RoomRequest, callback: UnaryCallback<WireRoom>): void;
  ListRooms(request: object, callback: UnaryCallback<ListRoomsResponse>): void;
  ListMessages(request: ListMessagesRequest, callback: UnaryCallback<ListMessagesResponse>): void;
}

type ChatServiceConstructor = new (
  address: string,
  credentials: ChannelCredentials,
  options?: ClientOptions,
) => ChatServiceClient;

/** A client of the chat service at `address`, built from proto/chat.proto with the server's loader options. */
export function createChatServiceClient(
  address: string,
  credentials: ChannelCredentials,
  options?: ClientOptions,
): ChatServiceClient {
  const loaded = loadPackageDefinition(loadChatProto()) as unknown as {
    chat: { v1: { ChatService: ChatServiceConstructor } };
  };
  return new loaded.chat.v1.ChatService(address, credentials, options);
}

/**
 * A client interceptor that sends `authorization: Bearer <token>` with every
 * call, for a server with auth required (what grpcurl's `-H` does).
 */
export function bearerToken(token: string): Interceptor {
  return (options, nextCall) =>
    new InterceptingCall(nextCall(options), {
      start(metadata, listener, next) {
        metadata.set("authorization", `Bearer ${token}`);
        next(metadata, listener);
      },
    });
}
