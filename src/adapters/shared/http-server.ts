import { createServer, type RequestListener, type Server } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { positiveInteger } from "../../rooms/index.js";
import { type ConnectionLimits, limitConnections } from "./connection-limits.js";
import { DEFAULT_GRACE_MS } from "./shutdown.js";
import type { TlsCertificate } from "./tls.js";

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
  /** `http://host:port`, or `https://` with TLS */
  readonly url: string;
  /**
   * Stops accepting connections and waits for open ones to finish; after
   * `graceMs` the remaining ones are cut.
   */
  close(graceMs?: number): Promise<void>;
}

/**
 * Listens on `host:port` (`0` picks a free port) with `limits` on requests and
 * connections, over TLS when `tls` is given (HTTPS, and WSS for upgrades);
 * rejects with the listen error (e.g. EADDRINUSE).
 */
export async function startHttpServer(
  handler: RequestListener,
  host: string,
  port: number,
  limits: HttpServerLimits = {},
  tls?: TlsCertificate,
): Promise<RunningHttpServer> {
  const requestTimeout = positiveInteger("requestTimeoutMs", limits.requestTimeoutMs ?? 30_000);
  const timeouts = {
    requestTimeout,
    headersTimeout: Math.min(requestTimeout, 30_000),
    // How often Node looks for requests past their time; its own default (30 s) would double the bound.
    connectionsCheckingInterval: Math.max(50, Math.min(requestTimeout / 4, 30_000)),
  };
  const server: Server =
    tls === undefined
      ? createServer(timeouts, handler)
      : createHttpsServer({ ...timeouts, cert: tls.cert, key: tls.key }, handler);
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
    url: `${tls === undefined ? "http" : "https"}://${urlHost}:${address.port}`,
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
