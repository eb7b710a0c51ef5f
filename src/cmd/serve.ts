import { setTimeout as delay } from "node:timers/promises";
import { routeGrpcLogs, startGrpcServer } from "../adapters/grpc/index.js";
import { DEFAULT_GRACE_MS, type RunningHttpServer, startHttpServer } from "../adapters/shared/index.js";
import { attachWsAdapter, type WsAdapter } from "../adapters/ws/index.js";
import { RateLimits } from "../auth/index.js";
import { ChatMetrics, createLogger, type Logger } from "../observability/index.js";
import { RoomManager, StoreUnavailableError } from "../rooms/index.js";
import { PostgresRoomStore } from "../stores/postgres/index.js";
import { RedisRateBuckets, RedisRoomBus, RedisRoomStore } from "../stores/redis/index.js";
import { authenticatorFor, authLine } from "./auth-config.js";
import type { AdapterName, ServeConfig } from "./config.js";
import { createHttpApp } from "./http-app.js";
import { asStartupError, StartupError } from "./startup-error.js";
import { tlsCertificateFor } from "./tls-config.js";

export interface RunningServer {
  readonly rooms: RoomManager;
  /** One line per adapter: where it listens. */
  readonly listening: readonly string[];
  readonly httpPort: number | undefined;
  readonly grpcPort: number | undefined;
  /**
   * Graceful stop: healthz and gRPC health turn unhealthy, nothing new is
   * accepted, gRPC streams end with UNAVAILABLE, SSE streams end and
   * WebSockets close with 1012 (clients reconnect and resume elsewhere);
   * connections left after `graceMs` are cut. With `drain`, the health checks
   * answer unhealthy for `graceMs` first while everything else is still
   * served, so a load balancer takes the process out before it stops.
   */
  close(graceMs?: number, options?: { readonly drain?: boolean }): Promise<void>;
}

/** Starts the configured adapters over one RoomManager. */
export async function startServer(
  config: ServeConfig,
  logger: Logger = createLogger(config.logLevel, config.logFormat),
): Promise<RunningServer> {
  const auth = asStartupError(() => authenticatorFor(config.auth ?? { mode: "off" }));
  const tls = asStartupError(() => tlsCertificateFor(config.tls));
  const shared = await openStore(config);
  const store = shared?.store;
  // A manager of this server's own: a second start in one process gets a fresh one.
  const rooms = new RoomManager({
    historyLimit: config.history,
    maxMessageBytes: config.maxMessageBytes,
    ...(store === undefined ? {} : { store }),
    ...(config.historyBytes === undefined ? {} : { historyBytes: config.historyBytes }),
  });
  const metrics = new ChatMetrics(rooms, store === undefined ? undefined : () => store.stats);
  let storeWatch: ReturnType<typeof setInterval> | undefined;
  let serving = true;
  let rateBuckets: RedisRateBuckets | undefined;
  const listening: string[] = [];
  /** Where an adapter listens: a line for the person who started it, and one for the log. */
  const announce = (adapter: AdapterName, address: string, what: string): void => {
    listening.push(`${adapter.padEnd(4)}  ${address}  (${what})`);
    logger.info({ adapter, address }, "listening");
  };
  let http: RunningHttpServer | undefined;
  let ws: WsAdapter | undefined;
  let grpc: Awaited<ReturnType<typeof startGrpcServer>> | undefined;

  try {
    // With a shared store the buckets are shared, so every process counts a caller's rate together.
    const redisUrl = config.redisUrl;
    if (config.rateLimits !== undefined && redisUrl !== undefined) {
      rateBuckets = await reach("Redis", redisUrl, "--redis", () =>
        RedisRateBuckets.connect({ url: redisUrl }),
      );
    }
    // Without Redis, PostgreSQL holds them: processes on one database count together too.
    const buckets = rateBuckets ?? (store instanceof PostgresRoomStore ? store.rateBuckets() : undefined);
    // One set of limits for every adapter: a caller cannot get around them by switching transport.
    const rateLimits =
      config.rateLimits === undefined
        ? undefined
        : new RateLimits({
            ...config.rateLimits,
            ...(buckets === undefined ? {} : { buckets }),
          });
    const rest = config.adapters.has("rest");
    const html = config.adapters.has("html");
    const wsOn = config.adapters.has("ws");
    if (rest || html || wsOn) {
      const app = createHttpApp(rooms, {
        rest,
        html,
        ws: wsOn,
        isServing: () => serving,
        heartbeatMs: config.heartbeatMs,
        corsOrigins: config.corsOrigins,
        rateLimits,
        metrics,
        logger,
        auth,
      });
      http = await listenOrExplain(
        () => startHttpServer(app, config.host, config.httpPort, {}, tls),
        "--http-port",
        config,
      );
      if (wsOn) {
        ws = attachWsAdapter(http.server, rooms, {
          pingIntervalMs: config.heartbeatMs,
          metrics,
          logger,
          auth,
          rateLimits,
        });
      }
      if (rest) announce("rest", http.url, "JSON API, SSE at /stream/:roomId, /healthz, /metrics");
      if (html) announce("html", `${http.url}/`, "room pages at /room/:roomId");
      if (wsOn)
        announce("ws", `${http.url.replace(/^http/, "ws")}/ws/:roomId`, "WebSocket, on the HTTP port");
    }
    if (config.adapters.has("grpc")) {
      routeGrpcLogs(logger);
      grpc = await listenOrExplain(
        () =>
          startGrpcServer({
            rooms,
            host: config.host,
            port: config.grpcPort,
            metrics,
            logger,
            auth,
            rateLimits,
            tls,
          }),
        "--grpc-port",
        config,
      );
      const over = tls === undefined ? "" : ", TLS";
      announce("grpc", `${config.host}:${grpc.port}`, `chat.v1.ChatService, reflection, health${over}`);
      const running = grpc;
      // gRPC health follows the store (HTTP's /healthz asks it on every request).
      storeWatch = setInterval(() => running.setServing(rooms.healthy), 1_000);
      storeWatch.unref();
    }
    const where = shared?.where ?? "store in memory (rooms live in this process)";
    listening.push(where, authLine(auth));
    logger.info({ store: shared?.kind ?? "memory", auth: auth.mode }, "serving");
  } catch (error) {
    clearInterval(storeWatch);
    await ws?.close(0);
    await http?.close(0);
    await grpc?.close();
    await rooms.close();
    await store?.close();
    rateBuckets?.close();
    throw error;
  }

  return {
    rooms,
    listening,
    httpPort: http?.port,
    grpcPort: grpc?.port,
    close: async (graceMs = DEFAULT_GRACE_MS, { drain = false } = {}) => {
      serving = false;
      clearInterval(storeWatch);
      grpc?.setServing(false);
      // A client that lands here while the balancer catches up is still served:
      // a browser's EventSource gives up for good on a 503, not on a refused connection.
      if (drain) await delay(graceMs);
      const httpClosed = http?.close(graceMs);
      // WebSockets are not HTTP connections any more: they get their 1012 close from the adapter.
      const wsClosed = ws?.close(graceMs);
      // gRPC first, so its streams end with UNAVAILABLE rather than as finished.
      await grpc?.close(graceMs);
      await rooms.close();
      await wsClosed;
      await httpClosed;
      await store?.close();
      rateBuckets?.close();
    },
  };
}

interface SharedStore {
  readonly store: RedisRoomStore | PostgresRoomStore;
  /** Its name in the `serving` log line. */
  readonly kind: "redis" | "postgres" | "postgres+redis";
  /** The line `serve` prints about where rooms live. */
  readonly where: string;
}

/** The shared store the flags ask for, connected; `undefined` for the in-memory default. */
async function openStore(config: ServeConfig): Promise<SharedStore | undefined> {
  if (
    config.historyBytes !== undefined &&
    (config.postgresUrl !== undefined || config.redisUrl !== undefined)
  )
    throw new StartupError(
      "--history-bytes bounds the in-memory store; a shared store keeps --history per room",
    );
  if (config.historyMaxAgeMs !== undefined && config.postgresUrl === undefined)
    throw new StartupError("--history-max-age needs --postgres (the other stores keep history by count)");
  if (config.postgresUrl !== undefined) {
    const url = config.postgresUrl;
    const redisUrl = config.redisUrl;
    // With --redis, Postgres keeps the rooms and Redis carries their events.
    const bus =
      redisUrl === undefined
        ? undefined
        : await reach("Redis", redisUrl, "--redis", () => RedisRoomBus.connect({ url: redisUrl }));
    const store = await reach("PostgreSQL", url, "--postgres", () =>
      PostgresRoomStore.connect({
        url,
        bus,
        schema: config.postgresSchema,
        historyLimit: config.history,
        historyMaxAgeMs: config.historyMaxAgeMs,
        presenceLeaseMs: config.presenceLeaseMs,
      }),
    ).catch(async (error: unknown) => {
      await bus?.close();
      throw error;
    });
    const busLine = redisUrl === undefined ? "" : `, events over redis ${redactPassword(redisUrl)}`;
    const kind = redisUrl === undefined ? "postgres" : "postgres+redis";
    return { store, kind, where: `store postgres ${redactPassword(url)}${busLine}` };
  }
  if (config.redisUrl !== undefined) {
    const url = config.redisUrl;
    const store = await reach("Redis", url, "--redis", () =>
      RedisRoomStore.connect({ url, historyLimit: config.history, presenceLeaseMs: config.presenceLeaseMs }),
    );
    return { store, kind: "redis", where: `store redis ${redactPassword(url)}` };
  }
  return undefined;
}

async function reach<T>(what: string, url: string, flag: string, connect: () => Promise<T>): Promise<T> {
  try {
    return await connect();
  } catch (error) {
    if (error instanceof StoreUnavailableError)
      throw new StartupError(`cannot reach ${what} at ${redactPassword(url)} (${flag})`);
    throw error;
  }
}

/** A URL as it may be printed: the password, if any, replaced. */
function redactPassword(url: string): string {
  const parsed = new URL(url);
  if (parsed.password === "") return url;
  parsed.password = "***";
  return parsed.toString();
}

async function listenOrExplain<T>(listen: () => Promise<T>, flag: string, config: ServeConfig): Promise<T> {
  try {
    return await listen();
  } catch (error) {
    const port = flag === "--http-port" ? config.httpPort : config.grpcPort;
    const text = String((error as Error).message ?? error);
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "EADDRINUSE" || /EADDRINUSE|address already in use|No address added/i.test(text)) {
      throw new StartupError(`port ${port} on ${config.host} is already in use (${flag})`);
    }
    if (code === "EADDRNOTAVAIL" || code === "ENOTFOUND" || code === "EACCES") {
      throw new StartupError(`cannot listen on ${config.host}:${port} (${code}, ${flag})`);
    }
    throw error;
  }
}
