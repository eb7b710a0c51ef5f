import { createServer, type RequestListener, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { positiveInteger } from "../../rooms/index.js";
import { type ConnectionLimits, limitConnections } from "./connection-limits.js";
import { DEFAULT_GRACE_MS } from "./shutdown.js";

export interface HttpServerLimits extends ConnectionLimits {
  /**
   * Time to receive a whole request, headers and body, in milliseconds; past
   * it the client gets `408` and the connection closes. A stream (SSE, an
   * upgrade) is a complete request once its headers are in, so it is not cut.
   * @default 30000
   */
  readonly requestTimeoutMs?: number;
}

export interface RunningHttpServer {
  readonly server: Server;
  readonly port: number;
  /** `http://host:port` */
  readonly url: string;
  /**
   * Stops accepting connections and waits for open ones to finish; after
   * `graceMs` the remaining ones are cut.
   */
  close(graceMs?: number): Promise<void>;
}

/**
 * Listens on `host:port` (`0` picks a free port) with `limits` on requests and
 * connections; rejects with the listen error (e.g. EADDRINUSE).
 */
export async function startHttpServer(
  handler: RequestListener,
  host: string,
  port: number,
  limits: HttpServerLimits = {},
): Promise<RunningHttpServer> {
  const requestTimeout = positiveInteger("requestTimeoutMs", limits.requestTimeoutMs ?? 30_000);
  const server = createServer(
    {
      requestTimeout,
      headersTimeout: Math.min(requestTimeout, 30_000),
      // How often Node looks for requests past their time; its own default (30 s) would double the bound.
      connectionsCheckingInterval: Math.max(50, Math.min(requestTimeout / 4, 30_000)),
    },
    handler,
  );
  limitConnections(server, limits);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const urlHost = address.family === "IPv6" ? `[${address.address}]` : address.address;
  return {
    server,
    port: address.port,
    url: `http://${urlHost}:${address.port}`,
    close: async (graceMs = DEFAULT_GRACE_MS) => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const timer = setTimeout(() => server.closeAllConnections(), graceMs);
      timer.unref();
      await closed;
      clearTimeout(timer);
    },
  };
}
