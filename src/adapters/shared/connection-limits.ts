import type { Server } from "node:http";
import type { Socket } from "node:net";
import { positiveInteger } from "../../rooms/index.js";
import { endSocketWithError } from "./raw-error.js";

export interface ConnectionLimits {
  /** Open connections in all. @default 30000 */
  readonly maxConnections?: number;
  /** Open connections from one client address. @default 15000 */
  readonly maxConnectionsPerAddress?: number;
}

/**
 * Counts connections as they arrive and answers one past a limit with a
 * complete `503 too_many_connections` (the documented error shape) before
 * closing it, so a client learns why instead of seeing a reset. Counting at
 * `connection` keeps a flood of idle sockets from ever reaching the app.
 */
export function limitConnections(server: Server, limits: ConnectionLimits = {}): void {
  const total = positiveInteger("maxConnections", limits.maxConnections ?? 30_000);
  const perAddress = positiveInteger("maxConnectionsPerAddress", limits.maxConnectionsPerAddress ?? 15_000);
  const byAddress = new Map<string, number>();
  let open = 0;
  server.on("connection", (socket: Socket) => {
    const address = socket.remoteAddress ?? "";
    const fromAddress = byAddress.get(address) ?? 0;
    if (open >= total || fromAddress >= perAddress) {
      const which = open >= total ? `${total} in all` : `${perAddress} from one address`;
      const message = `Too many open connections (at most ${which}); close some and retry`;
      endSocketWithError(socket, "too_many_connections", message, { "Retry-After": "1" });
      return;
    }
    open++;
    byAddress.set(address, fromAddress + 1);
    // `on`, not `once` ('close' comes once): no wrapper kept per open connection.
    socket.on("close", () => {
      open--;
      const left = (byAddress.get(address) ?? 1) - 1;
      if (left > 0) byAddress.set(address, left);
      else byAddress.delete(address);
    });
  });
}
