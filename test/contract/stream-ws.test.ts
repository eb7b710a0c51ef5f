import { fromWsFrame } from "../../src/cmd/ws-client.js";
import { Disposer, startTestServer } from "../helpers/http-server.js";
import { refusedWs } from "../helpers/ws-client.js";
import {
  describeStreamTransportContract,
  type OpenOptions,
  streamPath,
} from "./stream-transport.contract.js";

const disposer = new Disposer();

const path = (roomId: string, options?: OpenOptions) => streamPath("/ws/", roomId, options);

describeStreamTransportContract(
  "WebSocket",
  async () => {
    const server = await startTestServer(disposer, { ws: {} });
    return {
      rooms: server.rooms,
      open: async (roomId, options) => {
        const socket = await server.socket(path(roomId, options));
        return {
          next: async () => {
            const frame = await socket.next();
            return frame === undefined ? undefined : fromWsFrame(frame);
          },
          close: () => socket.close(),
        };
      },
      refusal: async (roomId, options) => {
        const refusal = await refusedWs(`${server.wsUrl}${path(roomId, options)}`);
        return (JSON.parse(refusal.body) as { error: { code: string } }).error.code;
      },
    };
  },
  () => disposer.dispose(),
);
