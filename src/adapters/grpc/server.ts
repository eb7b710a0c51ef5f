import { Server, ServerCredentials } from "@grpc/grpc-js";
import { HealthImplementation } from "grpc-health-check";
import { DEFAULT_GRACE_MS } from "../shared/index.js";
import { type GrpcServerOptions, serverChannelOptions } from "./options.js";
import { CHAT_SERVICE_NAME } from "./proto.js";
import { createReflectionService } from "./reflection.js";
import { addChatService } from "./service.js";

/** A listening gRPC server: chat service, server reflection (v1 and v1alpha) and health. */
export interface RunningGrpcServer {
  readonly server: Server;
  /** The bound port (the one picked when `port` was `0`). */
  readonly port: number;
  /** Reports the health service SERVING or NOT_SERVING (a store that went away); ignored once closing. */
  setServing(serving: boolean): void;
  /**
   * Graceful stop: health turns NOT_SERVING, open streams end with UNAVAILABLE,
   * nothing new is accepted; calls still running after `graceMs` (default
   * `shutdownGraceMs`) are cut. Safe to call more than once.
   */
  close(graceMs?: number): Promise<void>;
}

/**
 * Starts a gRPC server on `host:port` with `chat.v1.ChatService`, server
 * reflection (so `grpcurl list` works without the proto) and
 * `grpc.health.v1.Health` (`""` and `chat.v1.ChatService` SERVING).
 * Rejects with grpc-js's bind error (e.g. "No address added") when the port is taken.
 */
export async function startGrpcServer(options: GrpcServerOptions): Promise<RunningGrpcServer> {
  const server = new Server(serverChannelOptions(options));
  const chat = addChatService(server, options.rooms, options);
  const health = new HealthImplementation({ "": "SERVING", [CHAT_SERVICE_NAME]: "SERVING" });
  health.addToServer(server);
  createReflectionService().addToServer(server);

  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(
      bindAddress(options.host, options.port),
      options.tls === undefined
        ? ServerCredentials.createInsecure()
        : ServerCredentials.createSsl(
            null,
            [{ cert_chain: Buffer.from(options.tls.cert), private_key: Buffer.from(options.tls.key) }],
            false,
          ),
      (error, bound) => (error === null ? resolve(bound) : reject(error)),
    );
  }).catch((error: unknown) => {
    server.forceShutdown();
    throw error;
  });
  options.logger?.debug({ host: options.host, port }, "gRPC server listening");

  let closing: Promise<void> | undefined;
  const defaultGrace = options.shutdownGraceMs ?? DEFAULT_GRACE_MS;
  return {
    server,
    port,
    setServing: (serving) => {
      if (closing !== undefined) return;
      const value = serving ? "SERVING" : "NOT_SERVING";
      health.setStatus("", value);
      health.setStatus(CHAT_SERVICE_NAME, value);
    },
    close: (graceMs = defaultGrace) => {
      closing ??= shutDown(server, graceMs, () => {
        health.setStatus("", "NOT_SERVING");
        health.setStatus(CHAT_SERVICE_NAME, "NOT_SERVING");
        chat.shutdown();
      });
      return closing;
    },
  };
}

/** `host:port` as grpc-js wants it: a bare IPv6 address goes in brackets. */
function bindAddress(host: string, port: number): string {
  return host.includes(":") && !host.startsWith("[") ? `[${host}]:${port}` : `${host}:${port}`;
}

async function shutDown(server: Server, graceMs: number, beforeShutdown: () => void): Promise<void> {
  beforeShutdown();
  await new Promise<void>((resolve) => {
    // Calls still open at the deadline (a client that stopped reading, a health Watch) are cut.
    const deadline = setTimeout(() => {
      server.forceShutdown();
      resolve();
    }, graceMs);
    deadline.unref();
    server.tryShutdown(() => {
      clearTimeout(deadline);
      resolve();
    });
  });
}
