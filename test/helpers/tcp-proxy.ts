import { once } from "node:events";
import { type AddressInfo, connect, createServer, type Socket } from "node:net";

/** A TCP relay in front of a server, whose connections a test can cut at any moment. */
export interface TcpProxy {
  /** `127.0.0.1:<port>` to connect clients to. */
  readonly address: string;
  /** Connections relayed now. */
  readonly connections: () => number;
  /** Resets every relayed connection on both sides at once, as a crashed client or a dead network would. */
  cut(): void;
  close(): Promise<void>;
}

/** Relays every connection to `127.0.0.1:targetPort`, byte for byte. */
export async function startTcpProxy(targetPort: number): Promise<TcpProxy> {
  const pairs = new Set<[Socket, Socket]>();
  const server = createServer((client) => {
    const upstream = connect(targetPort, "127.0.0.1");
    const pair: [Socket, Socket] = [client, upstream];
    pairs.add(pair);
    for (const socket of pair) {
      socket.on("error", () => undefined);
      socket.once("close", () => {
        pairs.delete(pair);
        for (const other of pair) other.destroy();
      });
    }
    client.pipe(upstream);
    upstream.pipe(client);
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  return {
    address: `127.0.0.1:${port}`,
    connections: () => pairs.size,
    cut: () => {
      for (const pair of pairs) for (const socket of pair) socket.resetAndDestroy();
    },
    close: async () => {
      const closed = once(server, "close");
      server.close();
      for (const pair of pairs) for (const socket of pair) socket.destroy();
      await closed;
    },
  };
}
