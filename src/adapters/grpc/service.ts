import {
  type handleUnaryCall,
  type Server,
  type ServiceDefinition,
  status,
  type UntypedServiceImplementation,
} from "@grpc/grpc-js";
import type { ServiceDefinition as LoadedServiceDefinition } from "@grpc/proto-loader";
import { authorize, type Principal, rateKey } from "../../auth/index.js";
import type { RoomManager } from "../../rooms/index.js";
import { callPrincipal, peerAddress } from "./call-principal.js";
import { malformedStatus, withMalformedRequests } from "./malformed.js";
import {
  type ChatServiceOptions,
  type ResolvedChatServiceOptions,
  resolveChatServiceOptions,
} from "./options.js";
import { CHAT_SERVICE_NAME, loadChatProto } from "./proto.js";
import { recordRpc } from "./record-rpc.js";
import { type ChatStatus, describeError, toServiceError } from "./status.js";
import { StreamHandler } from "./stream.js";
import {
  type ListMessagesRequest,
  optionalString,
  type RoomRequest,
  resumeStatus,
  type SubmitRequest,
  toWireMessage,
  toWireRoom,
} from "./wire.js";

/** What `addChatService` returns: the service's open streams, and how to end them. */
export interface ChatServiceHandle {
  /** `Stream` calls open now. */
  readonly openStreams: number;
  /**
   * Ends every open `Stream` with UNAVAILABLE ("server shutting down") and
   * refuses new ones. Call it before shutting the grpc-js server down.
   */
  shutdown(): void;
}

/**
 * Registers `chat.v1.ChatService` on a grpc-js server, over `rooms`. The
 * handlers only translate: validate (through the rooms module), call the
 * RoomManager, map errors to statuses through one table (`status.ts`).
 */
export function addChatService(
  server: Server,
  rooms: RoomManager,
  options?: ChatServiceOptions,
): ChatServiceHandle {
  const resolved = resolveChatServiceOptions(options);
  const definition = chatServiceDefinition();
  const stream = definition.Stream;
  if (stream === undefined) throw new Error(`${CHAT_SERVICE_NAME} has no Stream method`);
  const streams = new StreamHandler(rooms, resolved, (wire) => stream.responseSerialize(wire));
  const unary = unaryWrapper(resolved);
  const implementation: UntypedServiceImplementation = {
    Submit: unary("Submit", async ({ roomId, userId, text }: SubmitRequest, caller, peer) => {
      const { userId: tokenUser } = authorize(caller, "publish", roomId);
      await resolved.rateLimits?.takeSubmit(rateKey(caller, peer));
      return toWireMessage(await rooms.submit({ roomId, userId: tokenUser ?? userId, text }));
    }),
    Stream: streams.handle,
    DeleteRoom: unary("DeleteRoom", async ({ roomId }: RoomRequest, caller) => {
      authorize(caller, "admin");
      await rooms.deleteRoom(roomId);
      return {};
    }),
    GetRoom: unary("GetRoom", async ({ roomId }: RoomRequest, caller) => {
      authorize(caller, "subscribe", roomId);
      return toWireRoom(await rooms.getRoom(roomId));
    }),
    ListRooms: unary("ListRooms", async (_request: unknown, caller) => {
      const visible = (await rooms.listRooms()).filter((room) => caller.can("subscribe", room.roomId));
      return { rooms: visible.map(toWireRoom) };
    }),
    ListMessages: unary("ListMessages", async ({ roomId, since, limit }: ListMessagesRequest, caller) => {
      authorize(caller, "subscribe", roomId);
      const { messages, recovered } = await rooms.historyPage(roomId, {
        since: optionalString(since),
        // proto3 sends 0 for an absent int: the default page.
        limit: limit === 0 ? undefined : limit,
      });
      return { roomId, messages: messages.map(toWireMessage), recovered: resumeStatus(recovered) };
    }),
  };
  server.addService(definition, implementation);
  return {
    get openStreams() {
      return streams.openStreams;
    },
    shutdown: () => streams.shutdown(),
  };
}

function chatServiceDefinition(): ServiceDefinition {
  return withMalformedRequests(loadChatProto()[CHAT_SERVICE_NAME] as LoadedServiceDefinition);
}

/** Runs an async handler; a failure becomes its status, an unknown one is logged with its stack. */
function unaryWrapper(options: ResolvedChatServiceOptions) {
  return <Req, Res>(
    rpc: string,
    handler: (request: Req, caller: Principal, peer: string) => Promise<Res>,
  ): handleUnaryCall<Req, Res> =>
    (call, callback) => {
      const started = performance.now();
      const answered = (grpcStatus: status): void => recordRpc(options, rpc, grpcStatus, started);
      const fail = (chat: ChatStatus): void => {
        options.metrics?.requestError("grpc", chat.code);
        callback(toServiceError(chat));
        answered(chat.status);
      };
      const malformed = malformedStatus(call.request);
      if (malformed !== undefined) return fail(malformed);
      callPrincipal(call.metadata, options.auth)
        .then((caller) => handler(call.request, caller, peerAddress(call)))
        .then(
          (response) => {
            callback(null, response);
            answered(status.OK);
          },
          (error: unknown) => {
            const chat = describeError(error);
            if (!chat.known) options.logger.error({ err: error, rpc }, "gRPC call failed");
            fail(chat);
          },
        );
    };
}
