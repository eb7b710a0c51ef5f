import { existsSync } from "node:fs";
import type { TargetKind } from "../shared/protocol.js";

export interface ServerSpec {
  /** Name on the command line and in results. */
  readonly name: string;
  /** Label in tables and charts. */
  readonly label: string;
  readonly kind: TargetKind;
  /** The wrapper that starts the server, relative to the repository root. */
  readonly file: string;
  /** One of ours, or a peer to compare with. */
  readonly ours: boolean;
  /** Why it cannot run here, if it cannot. */
  readonly unavailable?: () => string | undefined;
}

export const SERVERS: readonly ServerSpec[] = [
  {
    name: "ours-sse",
    label: "chat-server SSE",
    kind: "sse",
    file: "bench/e2e/servers/ours-sse.ts",
    ours: true,
  },
  {
    name: "ours-grpc",
    label: "chat-server gRPC",
    kind: "grpc",
    file: "bench/e2e/servers/ours-grpc.ts",
    ours: true,
    unavailable: () =>
      existsSync("src/adapters/grpc/index.ts") ? undefined : "src/adapters/grpc/index.ts does not exist yet",
  },
  {
    name: "raw-sse",
    label: "hand-written node:http SSE",
    kind: "sse",
    file: "bench/e2e/servers/raw-sse.ts",
    ours: false,
  },
  {
    name: "better-sse",
    label: "better-sse",
    kind: "sse",
    file: "bench/e2e/servers/better-sse.ts",
    ours: false,
  },
  {
    name: "socketio",
    label: "Socket.IO (websocket)",
    kind: "socketio",
    file: "bench/e2e/servers/socketio.ts",
    ours: false,
  },
];

export function serverByName(name: string): ServerSpec {
  const spec = SERVERS.find((server) => server.name === name);
  if (spec === undefined) {
    throw new Error(`Unknown server "${name}"; expected one of ${SERVERS.map((s) => s.name).join(", ")}`);
  }
  return spec;
}
