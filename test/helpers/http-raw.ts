import { once } from "node:events";
import { connect, type Socket } from "node:net";

/** A bare TCP client that sent one HTTP request and reads the answer only when told to. */
export interface RawClient {
  readonly socket: Socket;
  /** Everything read so far, as text. */
  readonly received: () => string;
  /** Reads until `text` has arrived, then stops reading (the socket is paused). */
  readUntil(text: string): Promise<void>;
  /** Reads everything left until the server closes the connection; resolves with all that was read. */
  readToEnd(): Promise<string>;
}

/**
 * Opens a TCP connection to `port` on 127.0.0.1 and sends `GET path` by hand,
 * so the test controls exactly when (and whether) the client reads.
 */
export function rawGet(port: number, path: string): Promise<RawClient> {
  return rawRequest(port, "GET", path, { accept: "text/event-stream" });
}

/** Like `rawGet`, with any method and headers: the test sees every byte the server writes. */
export async function rawRequest(
  port: number,
  method: string,
  path: string,
  headers: Record<string, string>,
): Promise<RawClient> {
  const socket = connect(port, "127.0.0.1");
  await once(socket, "connect");
  socket.on("error", () => undefined);
  socket.pause();
  let text = "";
  const closed = once(socket, "close").then(() => undefined);
  socket.on("data", (chunk: Buffer) => {
    text += chunk.toString("latin1");
  });
  socket.pause();
  const lines = Object.entries({ host: `127.0.0.1:${port}`, ...headers }).map(([k, v]) => `${k}: ${v}\r\n`);
  socket.write(`${method} ${path} HTTP/1.1\r\n${lines.join("")}\r\n`);
  return {
    socket,
    received: () => text,
    readUntil: async (wanted) => {
      if (text.includes(wanted)) return;
      await new Promise<void>((resolve, reject) => {
        const onData = () => {
          if (!text.includes(wanted)) return;
          socket.off("data", onData);
          socket.pause();
          resolve();
        };
        socket.on("data", onData);
        void closed.then(() =>
          reject(new Error(`Connection closed before ${JSON.stringify(wanted)} arrived`)),
        );
        socket.resume();
      });
    },
    readToEnd: async () => {
      socket.resume();
      await closed;
      return text;
    },
  };
}
