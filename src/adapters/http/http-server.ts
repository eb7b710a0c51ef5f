import { createServer, type RequestListener, type Server } from "node:http";
import type { AddressInfo } from "node:net";

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

/** Listens on `host:port` (`0` picks a free port); rejects with the listen error (e.g. EADDRINUSE). */
export async function startHttpServer(
  handler: RequestListener,
  host: string,
  port: number,
): Promise<RunningHttpServer> {
  const server = createServer(handler);
  // Streams are long-lived: no request timeout; idle keep-alive sockets still time out.
  server.requestTimeout = 0;
  server.headersTimeout = 30_000;
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
    close: async (graceMs = 3_000) => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const timer = setTimeout(() => server.closeAllConnections(), graceMs);
      timer.unref();
      await closed;
      clearTimeout(timer);
    },
  };
}
