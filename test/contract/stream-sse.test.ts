import { roomEventFromJson } from "../../src/cmd/chat-client.js";
import { Disposer, startTestServer } from "../helpers/http-server.js";
import {
  describeStreamTransportContract,
  type OpenOptions,
  streamPath,
} from "./stream-transport.contract.js";

const disposer = new Disposer();

const path = (roomId: string, options?: OpenOptions) => streamPath("/stream/", roomId, options);

describeStreamTransportContract(
  "SSE",
  async () => {
    const server = await startTestServer(disposer);
    return {
      rooms: server.rooms,
      open: async (roomId, options) => {
        const stream = await server.stream(path(roomId, options));
        return {
          next: async () => {
            const event = await stream.next();
            return event === undefined
              ? undefined
              : roomEventFromJson(event.event, event.json as Record<string, unknown>);
          },
          close: () => stream.close(),
        };
      },
      refusal: async (roomId, options) => {
        const stream = await server.stream(path(roomId, options));
        return (JSON.parse(stream.body) as { error: { code: string } }).error.code;
      },
    };
  },
  () => disposer.dispose(),
);
