import { userInfo } from "node:os";
import { Command, Option } from "commander";
import { DEFAULT_GRACE_MS, STREAM_DEFAULTS } from "../adapters/shared/index.js";
import { issueToken, RATE_LIMIT_DEFAULTS } from "../auth/index.js";
import { LOG_FORMATS, type LogFormat, type LogLevel } from "../observability/index.js";
import { ROOM_DEFAULTS, type RoomEvent } from "../rooms/index.js";
import { POSTGRES_DEFAULTS } from "../stores/postgres/index.js";
import { hmacSecret } from "./auth-config.js";
import type { ChatClient } from "./chat-client.js";
import {
  ADAPTERS,
  type AdapterName,
  collectAdapters,
  collectCorsOrigins,
  formatByteSize,
  nonNegativeInteger,
  parseByteSize,
  parseDuration,
  parseHostPort,
  parseHttpUrl,
  parseLogLevel,
  parsePort,
  parsePostgresUrl,
  parseRedisUrl,
  parseSchemaName,
  positiveDecimal,
  positiveInteger,
  SERVE_DEFAULTS,
} from "./config.js";
import { readFlagFile } from "./flag-file.js";
import { GrpcChatClient } from "./grpc-client.js";
import { HttpChatClient } from "./http-client.js";
import {
  formatEventJson,
  formatEventLine,
  formatRoomsTable,
  type NoticeWriter,
  ReconnectNotice,
} from "./output.js";
import { runServe } from "./run-serve.js";
import { asStartupError, StartupError } from "./startup-error.js";
import { packageVersion } from "./version.js";
import { WsChatClient } from "./ws-client.js";

export interface ProgramIO extends NoticeWriter {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
}

const processIO: ProgramIO = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  // Cursor up one line, clear it, write the new one.
  rewriteErr: process.stderr.isTTY ? (line) => process.stderr.write(`\x1b[1A\x1b[2K${line}\n`) : undefined,
};

interface ClientFlags {
  readonly url: string;
  readonly grpc?: string;
  readonly ws?: boolean;
  readonly token?: string;
  readonly grpcCa?: string;
}

interface TailFlags extends ClientFlags {
  readonly user: string;
  readonly last: number;
  readonly since?: string;
  readonly json?: boolean;
}

/** The `chat-server` command line, built without side effects so tests can parse with it. */
export function buildProgram(io: ProgramIO = processIO): Command {
  const program = new Command("chat-server")
    .description(
      "A realtime chat server: REST + Server-Sent Events, WebSocket, gRPC and HTML pages over shared rooms.",
    )
    .version(packageVersion(), "-V, --version", "print the version")
    .option("--verbose", "show stack traces of errors (also DEBUG=chat-server)")
    .showHelpAfterError("(run with --help for usage)")
    .configureOutput({ writeOut: (s) => io.out(s.trimEnd()), writeErr: (s) => io.err(s.trimEnd()) });

  program
    .command("serve")
    .description("start the server (every adapter unless --only says otherwise)")
    .addOption(
      new Option("--all", "serve every adapter: rest, html, grpc and ws (the default)").conflicts("only"),
    )
    .addOption(
      new Option(
        "--only <adapters>",
        `serve only these adapters (${ADAPTERS.join(", ")}); comma-separated or repeated`,
      )
        .env("CHAT_ONLY")
        .argParser(collectAdapters),
    )
    .addOption(
      new Option("--host <host>", "interface to listen on").env("CHAT_HOST").default(SERVE_DEFAULTS.host),
    )
    .addOption(
      new Option("--http-port <port>", "HTTP port (rest, html and ws); 0 picks a free one")
        .env("CHAT_HTTP_PORT")
        .default(SERVE_DEFAULTS.httpPort)
        .argParser(parsePort),
    )
    .addOption(
      new Option("--grpc-port <port>", "gRPC port; 0 picks a free one")
        .env("CHAT_GRPC_PORT")
        .default(SERVE_DEFAULTS.grpcPort)
        .argParser(parsePort),
    )
    .addOption(
      new Option("--history <count>", "messages kept per room")
        .env("CHAT_HISTORY")
        .default(ROOM_DEFAULTS.historyLimit)
        .argParser(positiveInteger),
    )
    .addOption(
      new Option("--max-message-bytes <bytes>", "largest message text, in UTF-8 bytes")
        .env("CHAT_MAX_MESSAGE_BYTES")
        .default(ROOM_DEFAULTS.maxMessageBytes)
        .argParser(positiveInteger),
    )
    .addOption(
      new Option("--heartbeat-ms <ms>", "SSE heartbeat and WebSocket ping interval")
        .env("CHAT_HEARTBEAT_MS")
        .default(STREAM_DEFAULTS.heartbeatMs)
        .argParser(positiveInteger),
    )
    .addOption(
      new Option(
        "--grace-ms <ms>",
        "on SIGTERM, how long /healthz fails before the port closes, and then how long open connections get to finish",
      )
        .env("CHAT_GRACE_MS")
        .default(DEFAULT_GRACE_MS)
        .argParser(positiveInteger),
    )
    .addOption(
      new Option("--redis <url>", "keep rooms in Redis, shared by every process using it (redis://host:port)")
        .env("CHAT_REDIS_URL")
        .argParser(parseRedisUrl),
    )
    .addOption(
      new Option(
        "--postgres <url>",
        "keep rooms and history in PostgreSQL, durable and shared (postgres://user@host:port/db)",
      )
        .env("CHAT_POSTGRES_URL")
        .argParser(parsePostgresUrl),
    )
    .addOption(
      new Option(
        "--postgres-schema <name>",
        "with --postgres: the schema holding the tables (created at start)",
      )
        .env("CHAT_POSTGRES_SCHEMA")
        .default(POSTGRES_DEFAULTS.schema)
        .argParser(parseSchemaName),
    )
    .addOption(
      new Option(
        "--history-bytes <size>",
        `in memory: bytes of history kept over all rooms, oldest evicted first (default ${formatByteSize(ROOM_DEFAULTS.historyBytes)})`,
      )
        .env("CHAT_HISTORY_BYTES")
        .argParser(parseByteSize),
    )
    .addOption(
      new Option(
        "--history-max-age <duration>",
        "with --postgres: delete messages older than this (15m, 12h, 30d)",
      )
        .env("CHAT_HISTORY_MAX_AGE")
        .argParser(parseDuration),
    )
    .addOption(
      new Option(
        "--presence-lease-ms <ms>",
        "with --redis or --postgres: a dead process's users leave the rooms within about this long",
      )
        .env("CHAT_PRESENCE_LEASE_MS")
        .default(ROOM_DEFAULTS.presenceLeaseMs)
        .argParser(positiveInteger),
    )
    .addOption(
      new Option("--auth <mode>", "off: anyone may do anything; required: every call needs a token")
        .env("CHAT_AUTH")
        .choices(["off", "required"])
        .default("off"),
    )
    .addOption(secretOption())
    .addOption(secretFileOption())
    .addOption(
      new Option("--auth-public-key <file>", "verify tokens signed elsewhere with this PEM public key").env(
        "CHAT_AUTH_PUBLIC_KEY",
      ),
    )
    .addOption(
      new Option("--auth-jwks <file>", "verify tokens signed elsewhere with this JSON Web Key Set").env(
        "CHAT_AUTH_JWKS",
      ),
    )
    .addOption(
      new Option(
        "--rate-limits <mode>",
        "on: limit each user's (or address's) posts, new streams and open streams",
      )
        .env("CHAT_RATE_LIMITS")
        .choices(["off", "on"])
        .default("off"),
    )
    .addOption(
      new Option(
        "--submits-per-second <n>",
        "with --rate-limits on: posts per user per second (bursts of 5x)",
      )
        .env("CHAT_SUBMITS_PER_SECOND")
        .default(RATE_LIMIT_DEFAULTS.submitsPerSecond)
        .argParser(positiveDecimal),
    )
    .addOption(
      new Option(
        "--streams-per-second <n>",
        "with --rate-limits on: new streams per user per second (bursts of 5x)",
      )
        .env("CHAT_STREAMS_PER_SECOND")
        .default(RATE_LIMIT_DEFAULTS.streamsPerSecond)
        .argParser(positiveDecimal),
    )
    .addOption(
      new Option("--max-streams-per-user <n>", "with --rate-limits on: streams one user may hold open")
        .env("CHAT_MAX_STREAMS_PER_USER")
        .default(RATE_LIMIT_DEFAULTS.maxStreamsPerCaller)
        .argParser(positiveInteger),
    )
    .addOption(
      new Option(
        "--tls-cert <file>",
        "serve HTTPS, WSS and gRPC over TLS with this PEM certificate (chain)",
      ).env("CHAT_TLS_CERT"),
    )
    .addOption(new Option("--tls-key <file>", "the PEM private key of --tls-cert").env("CHAT_TLS_KEY"))
    .addOption(
      new Option(
        "--cors-origin <origins>",
        "let pages of these origins call the JSON API and SSE (comma-separated or repeated; * for any)",
      )
        .env("CHAT_CORS_ORIGIN")
        .argParser(collectCorsOrigins),
    )
    .addOption(
      new Option("--log-level <level>", "fatal, error, warn, info, debug, trace or silent")
        .env("CHAT_LOG_LEVEL")
        .default("info")
        .argParser(parseLogLevel),
    )
    .addOption(
      new Option("--log-format <format>", "json (one object per line) or pretty (for a terminal)")
        .env("CHAT_LOG_FORMAT")
        .default("json")
        .choices(LOG_FORMATS),
    )
    .action(async (flags: ServeFlags) => {
      await runServe(
        {
          adapters: new Set<AdapterName>(flags.only ?? ADAPTERS),
          host: flags.host,
          httpPort: flags.httpPort,
          grpcPort: flags.grpcPort,
          history: flags.history,
          maxMessageBytes: flags.maxMessageBytes,
          heartbeatMs: flags.heartbeatMs,
          graceMs: flags.graceMs,
          logLevel: flags.logLevel,
          logFormat: flags.logFormat,
          redisUrl: flags.redis,
          postgresUrl: flags.postgres,
          postgresSchema: flags.postgresSchema,
          historyMaxAgeMs: flags.historyMaxAge,
          historyBytes: flags.historyBytes,
          presenceLeaseMs: flags.presenceLeaseMs,
          corsOrigins: flags.corsOrigin,
          rateLimits:
            flags.rateLimits === "on"
              ? {
                  submitsPerSecond: flags.submitsPerSecond,
                  streamsPerSecond: flags.streamsPerSecond,
                  maxStreamsPerCaller: flags.maxStreamsPerUser,
                }
              : undefined,
          tls: { certFile: flags.tlsCert, keyFile: flags.tlsKey },
          auth: {
            mode: flags.auth,
            secret: flags.authSecret,
            secretFile: flags.authSecretFile,
            publicKeyFile: flags.authPublicKey,
            jwksFile: flags.authJwks,
          },
        },
        io,
      );
    });

  program
    .command("token")
    .description("issue a signed token (HS256) for the server's --auth-secret")
    .requiredOption("--user <name>", "the user the token speaks for (its sub)")
    .option(
      "--rooms <patterns>",
      "rooms it may subscribe and publish to, comma-separated, * as wildcard",
      "*",
    )
    .option("--read-only", "subscribe only: no posting")
    .option("--admin", "may also delete rooms, create rooms and list every room")
    .addOption(
      new Option("--ttl <duration>", "how long it is valid (15m, 12h, 30d)")
        .default(3_600_000, "1h")
        .argParser(parseDuration),
    )
    .addOption(secretOption())
    .addOption(secretFileOption())
    .action(async (flags: TokenFlags) => {
      const secret = asStartupError(() =>
        hmacSecret({ secret: flags.authSecret, secretFile: flags.authSecretFile }),
      );
      if (secret === undefined)
        throw new StartupError("token needs --auth-secret or --auth-secret-file (or CHAT_AUTH_SECRET)");
      const rooms = flags.rooms
        .split(",")
        .map((pattern) => pattern.trim())
        .filter((pattern) => pattern !== "");
      io.out(
        await issueToken({
          userId: flags.user,
          subscribe: rooms,
          publish: flags.readOnly === true ? [] : rooms,
          admin: flags.admin === true,
          ttlSeconds: Math.ceil(flags.ttl / 1000),
          secret,
        }),
      );
    });

  withClientFlags(
    program
      .command("send")
      .description("post a message to a room")
      .argument("<roomId>", "the room")
      .argument("<text>", "the message")
      .addOption(userOption()),
  ).action(async (roomId: string, text: string, flags: ClientFlags & { user: string }) => {
    await withClient(flags, async (client) => {
      const message = await client.send(roomId, flags.user, text);
      io.out(message.id);
    });
  });

  withClientFlags(
    program
      .command("tail")
      .description("print a room's messages and presence as they happen (Ctrl-C to stop)")
      .argument("<roomId>", "the room")
      .addOption(userOption())
      .addOption(
        new Option("-n, --last <n>", "first print the room's latest n messages (0: none)")
          .argParser(nonNegativeInteger)
          .default(10)
          .conflicts("since"),
      )
      .option("--since <id>", "first replay every message after this id (instead of --last)")
      .option("--json", "one JSON object per line: {event, data}"),
  ).action(async (roomId: string, flags: TailFlags) => {
    await withClient(flags, async (client) => {
      const stop = new AbortController();
      const onSignal = (): void => stop.abort();
      process.once("SIGINT", onSignal).once("SIGTERM", onSignal);
      const notice = new ReconnectNotice(io);
      const print = (event: RoomEvent) => {
        notice.resumed();
        io.out(flags.json === true ? formatEventJson(event) : formatEventLine(event));
      };
      try {
        let since = flags.since;
        if (since === undefined && flags.last > 0) {
          // The stream resumes after the last one printed: nothing twice, nothing missed.
          const recent = await client.history(roomId, flags.last);
          for (const message of recent) print({ type: "message", message });
          since = recent.at(-1)?.id;
        }
        await client.tail(
          roomId,
          {
            userId: flags.user,
            since,
            signal: stop.signal,
            onReconnect: () => notice.lost(),
          },
          print,
        );
      } finally {
        process.off("SIGINT", onSignal).off("SIGTERM", onSignal);
      }
    });
  });

  withClientFlags(
    program.command("rooms").description("list the rooms").option("--json", "print JSON"),
  ).action(async (flags: ClientFlags & { json?: boolean }) => {
    await withClient(flags, async (client) => {
      const rooms = await client.listRooms();
      io.out(flags.json === true ? JSON.stringify(rooms) : formatRoomsTable(rooms));
    });
  });

  return program;
}

interface TokenFlags {
  readonly user: string;
  readonly rooms: string;
  readonly readOnly?: boolean;
  readonly admin?: boolean;
  readonly ttl: number;
  readonly authSecret?: string;
  readonly authSecretFile?: string;
}

interface ServeFlags {
  readonly corsOrigin?: string[];
  readonly rateLimits: "off" | "on";
  readonly submitsPerSecond: number;
  readonly streamsPerSecond: number;
  readonly maxStreamsPerUser: number;
  readonly tlsCert?: string;
  readonly tlsKey?: string;
  readonly auth: "off" | "required";
  readonly authSecret?: string;
  readonly authSecretFile?: string;
  readonly authPublicKey?: string;
  readonly authJwks?: string;
  readonly only?: AdapterName[];
  readonly host: string;
  readonly httpPort: number;
  readonly grpcPort: number;
  readonly history: number;
  readonly maxMessageBytes: number;
  readonly heartbeatMs: number;
  readonly graceMs: number;
  readonly logLevel: LogLevel;
  readonly logFormat: LogFormat;
  readonly redis?: string;
  readonly postgres?: string;
  readonly postgresSchema: string;
  readonly historyMaxAge?: number;
  readonly historyBytes?: number;
  readonly presenceLeaseMs: number;
}

function secretOption(): Option {
  return new Option("--auth-secret <secret>", "HMAC secret (32+ bytes) tokens are signed with").env(
    "CHAT_AUTH_SECRET",
  );
}

function secretFileOption(): Option {
  return new Option("--auth-secret-file <file>", "read the HMAC secret from this file's first line").env(
    "CHAT_AUTH_SECRET_FILE",
  );
}

function userOption(): Option {
  return new Option("--user <name>", "your user id").env("CHAT_USER").default(defaultUser());
}

function withClientFlags(command: Command): Command {
  // Not commander's `conflicts`: a CHAT_URL in the environment must not refuse --grpc, only a --url flag.
  command.hook("preAction", (_self, action) => {
    if (action.getOptionValueSource("url") === "cli" && action.opts().grpc !== undefined) {
      action.error("error: --url and --grpc name two servers: give one (--grpc talks gRPC, --url HTTP)");
    }
  });
  return command
    .addOption(
      new Option("--url <url>", "HTTP address of the server")
        .env("CHAT_URL")
        .default(`http://${SERVE_DEFAULTS.host}:${SERVE_DEFAULTS.httpPort}`)
        .argParser(parseHttpUrl),
    )
    .addOption(
      new Option("--grpc <host:port>", "talk gRPC to this address instead of HTTP")
        .env("CHAT_GRPC")
        .argParser(parseHostPort)
        .conflicts("ws"),
    )
    .addOption(
      new Option(
        "--ws",
        "talk WebSocket to the --url server (ws://host/ws/:roomId) instead of REST + SSE",
      ).env("CHAT_WS"),
    )
    .addOption(new Option("--token <token>", "a token for a server with --auth required").env("CHAT_TOKEN"))
    .addOption(
      new Option(
        "--grpc-ca <file>",
        "talk gRPC over TLS, trusting this PEM certificate (a server with --tls-cert)",
      ).env("CHAT_GRPC_CA"),
    );
}

async function withClient(flags: ClientFlags, use: (client: ChatClient) => Promise<void>): Promise<void> {
  const client: ChatClient =
    flags.grpc !== undefined
      ? new GrpcChatClient(flags.grpc, {
          token: flags.token,
          ca:
            flags.grpcCa === undefined
              ? undefined
              : asStartupError(() => readFlagFile(flags.grpcCa as string, "--grpc-ca")),
        })
      : flags.ws === true
        ? new WsChatClient(flags.url, flags.token)
        : new HttpChatClient(flags.url, flags.token);
  try {
    await use(client);
  } finally {
    client.close();
  }
}

function defaultUser(): string {
  try {
    return userInfo().username || "cli";
  } catch {
    return "cli";
  }
}
