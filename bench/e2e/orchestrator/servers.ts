import { existsSync } from "node:fs";
import { join } from "node:path";
import pg from "pg";
import type { TargetKind } from "../shared/protocol.js";

export interface ServerSpec {
  /** Name on the command line and in results. */
  readonly name: string;
  /** Label in tables and charts. */
  readonly label: string;
  readonly kind: TargetKind;
  /** The wrapper that starts the server, relative to the repository root. */
  readonly file: string;
  /** Arguments after `file` (our CLI's `serve` flags). */
  readonly args?: readonly string[];
  /** Preloaded with `--import` (our CLI's bench hook). */
  readonly preload?: string;
  /** The port is read from the server's output with this pattern (our CLI), not reported over IPC. */
  readonly portPattern?: RegExp;
  /** Node flags of this variant. */
  readonly nodeArgs?: readonly string[];
  /** One of ours, or a peer to compare with. */
  readonly ours: boolean;
  /** Why it cannot run here, if it cannot. */
  readonly unavailable?: () => string | undefined;
  /** Process names of the stores it runs on, whose CPU is measured beside the server's. */
  readonly services?: readonly string[];
  /** Run once after the whole matrix, e.g. to drop what the server left in a database. */
  readonly cleanup?: () => Promise<void>;
}

/** Our server as its users start it: the CLI, from source, on free ports, logging warnings only. */
const CLI_SERVE = [
  "serve",
  "--host",
  "127.0.0.1",
  "--http-port",
  "0",
  "--grpc-port",
  "0",
  "--log-level",
  "warn",
];

const BENCH_POSTGRES_URL = process.env.CHAT_BENCH_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const BENCH_SCHEMA = `bench_${process.pid}`;
const BENCH_REDIS_URL = process.env.CHAT_BENCH_REDIS_URL ?? "redis://127.0.0.1:6379";
const BASELINE = process.env.CHAT_BENCH_BASELINE;

/** Our SSE server on PostgreSQL, in `schema`, dropped after the run. */
function onPostgres(
  name: string,
  label: string,
  schema: string,
  extra: readonly string[],
  services: readonly string[],
): ServerSpec {
  return {
    name,
    label,
    services,
    kind: "sse",
    file: "src/cmd/main.ts",
    args: [
      ...CLI_SERVE,
      "--only",
      "rest",
      "--postgres",
      BENCH_POSTGRES_URL,
      "--postgres-schema",
      schema,
      ...extra,
    ],
    preload: "./bench/e2e/servers/cli-hook.ts",
    portPattern: /^rest\s+http:\/\/127\.0\.0\.1:(\d+)/m,
    ours: true,
    cleanup: async () => {
      const client = new pg.Client({ connectionString: BENCH_POSTGRES_URL });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await client.end();
    },
  };
}

export const SERVERS: readonly ServerSpec[] = [
  {
    name: "ours-sse",
    label: "chat-server SSE",
    kind: "sse",
    file: "src/cmd/main.ts",
    args: [...CLI_SERVE, "--only", "rest"],
    preload: "./bench/e2e/servers/cli-hook.ts",
    portPattern: /^rest\s+http:\/\/127\.0\.0\.1:(\d+)/m,
    ours: true,
  },
  {
    // The same server with a larger young generation: per-delivery promises then die young.
    name: "ours-sse-semi64",
    label: "chat-server SSE, --max-semi-space-size=64",
    kind: "sse",
    file: "src/cmd/main.ts",
    args: [...CLI_SERVE, "--only", "rest"],
    preload: "./bench/e2e/servers/cli-hook.ts",
    portPattern: /^rest\s+http:\/\/127\.0\.0\.1:(\d+)/m,
    nodeArgs: ["--max-semi-space-size=64"],
    ours: true,
  },
  {
    // The same server with rooms in Redis (the machine's, 127.0.0.1:6379, or CHAT_BENCH_REDIS_URL).
    name: "ours-sse-redis",
    label: "chat-server SSE on Redis",
    kind: "sse",
    file: "src/cmd/main.ts",
    args: [...CLI_SERVE, "--only", "rest", "--redis", BENCH_REDIS_URL],
    services: ["redis-server"],
    preload: "./bench/e2e/servers/cli-hook.ts",
    portPattern: /^rest\s+http:\/\/127\.0\.0\.1:(\d+)/m,
    ours: true,
  },
  // The same server with rooms in PostgreSQL (the machine's test database, or CHAT_BENCH_POSTGRES_URL),
  // in a schema of this bench run's own; history is bounded by --history, so cases may share it.
  onPostgres("ours-sse-postgres", "chat-server SSE on PostgreSQL", BENCH_SCHEMA, [], ["postgres"]),
  onPostgres(
    "ours-sse-postgres-redis",
    "chat-server SSE on PostgreSQL + Redis",
    `${BENCH_SCHEMA}_redis`,
    ["--redis", BENCH_REDIS_URL],
    ["postgres", "redis-server"],
  ),
  {
    name: "ours-grpc",
    label: "chat-server gRPC",
    kind: "grpc",
    file: "src/cmd/main.ts",
    args: [...CLI_SERVE, "--only", "grpc"],
    preload: "./bench/e2e/servers/cli-hook.ts",
    portPattern: /^grpc\s+127\.0\.0\.1:(\d+)/m,
    ours: true,
    unavailable: () =>
      existsSync("src/adapters/grpc/index.ts") ? undefined : "src/adapters/grpc/index.ts does not exist yet",
  },
  {
    // WebSocket listeners; messages are posted to the REST API, as for SSE.
    name: "ours-ws",
    label: "chat-server WebSocket",
    kind: "ws",
    file: "src/cmd/main.ts",
    args: [...CLI_SERVE, "--only", "ws,rest"],
    preload: "./bench/e2e/servers/cli-hook.ts",
    portPattern: /^rest\s+http:\/\/127\.0\.0\.1:(\d+)/m,
    ours: true,
  },
  {
    // Before/after in one run: the same SSE server from another checkout (a `git worktree` of the
    // commit to compare with, its node_modules installed or linked), named by CHAT_BENCH_BASELINE.
    name: "ours-sse-baseline",
    label: `chat-server SSE, baseline ${BASELINE ?? "(CHAT_BENCH_BASELINE)"}`,
    kind: "sse",
    file: join(BASELINE ?? ".", "src/cmd/main.ts"),
    args: [...CLI_SERVE, "--only", "rest"],
    preload: "./bench/e2e/servers/cli-hook.ts",
    portPattern: /^rest\s+http:\/\/127\.0\.0\.1:(\d+)/m,
    ours: true,
    unavailable: () =>
      BASELINE === undefined ? "set CHAT_BENCH_BASELINE to another checkout of chat-server" : undefined,
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
    name: "raw-ws",
    label: "plain ws server",
    kind: "ws",
    file: "bench/e2e/servers/raw-ws.ts",
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
