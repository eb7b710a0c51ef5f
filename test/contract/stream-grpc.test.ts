import { fromWireEvent } from "../../src/adapters/grpc/index.js";
import { errorCodeOf, StreamEndedError } from "../helpers/grpc-client.js";
import { useGrpcServers } from "../helpers/grpc-server.js";
import { describeStreamTransportContract } from "./stream-transport.contract.js";

// Registers its own afterEach that closes what the test started.
const start = useGrpcServers();

describeStreamTransportContract(
  "gRPC",
  async () => {
    const server = await start();
    const client = server.client();
    return {
      rooms: server.rooms,
      open: async (roomId, options = {}) => {
        const stream = client.stream(roomId, options);
        return {
          next: async () => {
            try {
              return fromWireEvent(await stream.next());
            } catch (error) {
              if (error instanceof StreamEndedError) return undefined;
              throw error;
            }
          },
          close: () => stream.cancel(),
        };
      },
      refusal: async (roomId, options = {}) => {
        const ended = await client.stream(roomId, options).ended();
        return String(errorCodeOf(ended));
      },
    };
  },
  async () => undefined,
);
