/**
 * A TCP forwarder on a port of its own, to make a service unreachable for
 * real: `cut()` resets every forwarded connection and stops accepting (new
 * connections are refused), `restore()` accepts again on the same port.
 */
import { once } from "node:events";
import { createConnection, createServer, type Server, type Socket } from "node:net";

export interface TcpProxy {
  readonly port: number;
  cut(): Promise<void>;
  restore(): Promise<void>;
  close(): Promise<void>;
}

export async function startTcpProxy(targetPort: number, targetHost = "127.0.0.1"): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => undefined);
  };
  const serve = (): Server =>
    createServer((client) => {
      const upstream = createConnection({ port: targetPort, host: targetHost });
      track(client);
      track(upstream);
      client.pipe(upstream).pipe(client);
      client.on("close", () => upstream.destroy());
      upstream.on("close", () => client.destroy());
    });
  let server = serve();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const port = (server.address() as { port: number }).port;
  const stop = async () => {
    const closed = once(server, "close");
    server.close();
    for (const socket of sockets) socket.resetAndDestroy();
    await closed;
  };
  return {
    port,
    cut: stop,
    restore: async () => {
      server = serve();
      server.listen(port, "127.0.0.1");
      await once(server, "listening");
    },
    close: async () => {
      if (server.listening) await stop();
    },
  };
}
