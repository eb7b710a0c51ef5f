import { Agent, request } from "node:http";
import { encodeStrings } from "../shared/proto-wire.js";
import type { Target } from "../shared/protocol.js";

/** Sends one message through the server's normal submit path; resolves true once it was accepted. */
export interface Publisher {
  publish(text: string): Promise<boolean>;
  close(): void;
}

const USER_ID = "bench-publisher";

export async function createPublisher(target: Target, window: number): Promise<Publisher> {
  switch (target.kind) {
    case "sse":
    case "ws":
      // WebSocket servers here take posts like SSE ones: the same submit path for both.
      return httpPublisher(target, window);
    case "socketio":
      return socketIoPublisher(target);
    case "grpc":
      return grpcPublisher(target);
  }
}

/** `POST /room/:id` with JSON `{userId, text}` → 201, over keep-alive connections. */
function httpPublisher(target: Target, window: number): Publisher {
  const agent = new Agent({ keepAlive: true, maxSockets: window });
  const path = `/room/${target.roomId}`;
  return {
    publish: (text) =>
      new Promise((resolve) => {
        const body = JSON.stringify({ userId: USER_ID, text });
        const req = request(
          {
            agent,
            host: target.host,
            port: target.port,
            method: "POST",
            path,
            headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) },
          },
          (res) => {
            res.resume();
            res.on("end", () => resolve(res.statusCode === 201));
          },
        );
        req.on("error", () => resolve(false));
        req.end(body);
      }),
    close: () => agent.destroy(),
  };
}

/** A socket.io-client emitting `publish` with an ack. */
async function socketIoPublisher(target: Target): Promise<Publisher> {
  const { io } = await import("socket.io-client");
  const socket = io(`http://${target.host}:${target.port}`, {
    transports: ["websocket"],
    query: { role: "publisher" },
    reconnection: false,
  });
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", resolve);
    socket.once("connect_error", reject);
  });
  return {
    publish: async (text) => {
      try {
        const reply = (await socket
          .timeout(60_000)
          .emitWithAck("publish", { roomId: target.roomId, userId: USER_ID, text })) as { error?: string };
        return reply.error === undefined;
      } catch {
        return false;
      }
    },
    close: () => void socket.close(),
  };
}

/** `chat.v1.ChatService/Submit` on one grpc-js channel. */
async function grpcPublisher(target: Target): Promise<Publisher> {
  const grpc = await import("@grpc/grpc-js");
  const client = new grpc.Client(`${target.host}:${target.port}`, grpc.credentials.createInsecure());
  return {
    publish: (text) =>
      new Promise((resolve) => {
        client.makeUnaryRequest(
          "/chat.v1.ChatService/Submit",
          (fields: readonly string[]) => encodeStrings(fields),
          (bytes: Buffer) => bytes,
          [target.roomId, USER_ID, text],
          { deadline: Date.now() + 60_000 },
          (error) => resolve(error === null),
        );
      }),
    close: () => client.close(),
  };
}
