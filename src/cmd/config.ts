import { InvalidArgumentError } from "commander";
import { validateCorsOrigins } from "../adapters/shared/index.js";
import type { RateLimitOptions } from "../auth/index.js";
import { LOG_LEVELS, type LogFormat, type LogLevel } from "../observability/index.js";
import { SCHEMA_NAME } from "../stores/postgres/index.js";
import type { AuthConfig } from "./auth-config.js";
import type { TlsConfig } from "./tls-config.js";

export const ADAPTERS = ["rest", "html", "grpc", "ws"] as const;

/** Where `serve` listens, and so where the client commands look, unless told otherwise. */
export const SERVE_DEFAULTS = { host: "127.0.0.1", httpPort: 8080, grpcPort: 50051 } as const;
export type AdapterName = (typeof ADAPTERS)[number];

/** Everything `serve` needs, after flags, environment and defaults were applied. */
export interface ServeConfig {
  readonly adapters: ReadonlySet<AdapterName>;
  readonly host: string;
  readonly httpPort: number;
  readonly grpcPort: number;
  readonly history: number;
  readonly maxMessageBytes: number;
  readonly logLevel: LogLevel;
  readonly logFormat: LogFormat;
  readonly heartbeatMs: number;
  /** Shutdown: how long open connections may take to finish before they are cut. */
  readonly graceMs: number;
  /** Rooms in this Redis instead of this process's memory. */
  readonly redisUrl?: string | undefined;
  /** History in this PostgreSQL database (with Redis: Postgres stores, Redis fans out). */
  readonly postgresUrl?: string | undefined;
  readonly postgresSchema?: string | undefined;
  /** Bytes of history the in-memory store keeps over all rooms (not with a shared store). */
  readonly historyBytes?: number | undefined;
  /** Messages older than this many milliseconds are deleted (needs --postgres). */
  readonly historyMaxAgeMs?: number | undefined;
  readonly presenceLeaseMs: number;
  /** Who may do what. @default auth off */
  readonly auth?: AuthConfig | undefined;
  /** Per-caller limits of posts and streams, over every adapter. @default none */
  readonly rateLimits?: RateLimitOptions | undefined;
  /** Serve HTTP (and WebSocket) and gRPC over TLS. @default plaintext */
  readonly tls?: TlsConfig | undefined;
  /** Origins whose pages may call the JSON API and SSE. @default none: CORS off */
  readonly corsOrigins?: readonly string[] | undefined;
}

export function parsePort(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65_535) {
    throw new InvalidArgumentError(`Expected a port from 0 to 65535, got "${value}".`);
  }
  return port;
}

export function positiveDecimal(value: string): number {
  const number = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value) || number <= 0) {
    throw new InvalidArgumentError(`Expected a positive number, got "${value}".`);
  }
  return number;
}

export function positiveInteger(value: string): number {
  const number = Number(value);
  if (!/^\d+$/.test(value) || number < 1 || !Number.isSafeInteger(number)) {
    throw new InvalidArgumentError(`Expected a positive integer, got "${value}".`);
  }
  return number;
}

export function nonNegativeInteger(value: string): number {
  const number = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(number)) {
    throw new InvalidArgumentError(`Expected a whole number (0 or more), got "${value}".`);
  }
  return number;
}

export function parseLogLevel(value: string): LogLevel {
  if (!(LOG_LEVELS as readonly string[]).includes(value)) {
    throw new InvalidArgumentError(`Expected one of ${LOG_LEVELS.join(", ")}, got "${value}".`);
  }
  return value as LogLevel;
}

/** `--only grpc,rest --only html`: comma-separated, repeatable, validated. */
export function collectAdapters(value: string, previous: AdapterName[] | undefined): AdapterName[] {
  const names = value
    .split(",")
    .map((name) => name.trim())
    .filter((name) => name !== "");
  if (names.length === 0) throw new InvalidArgumentError(`Expected adapters among ${ADAPTERS.join(", ")}.`);
  for (const name of names) {
    if (!(ADAPTERS as readonly string[]).includes(name)) {
      throw new InvalidArgumentError(`Unknown adapter "${name}"; expected ${ADAPTERS.join(", ")}.`);
    }
  }
  return [...(previous ?? []), ...(names as AdapterName[])];
}

/** `--cors-origin https://a.example,https://b.example --cors-origin '*'`: comma-separated, repeatable, validated. */
export function collectCorsOrigins(value: string, previous: readonly string[] | undefined): string[] {
  const origins = value
    .split(",")
    .map((origin) => origin.trim())
    .filter((origin) => origin !== "");
  try {
    validateCorsOrigins(origins);
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
  return [...(previous ?? []), ...origins];
}

/** `host:port` for `--grpc`. */
export function parseHostPort(value: string): string {
  const match = /^(.+):(\d+)$/.exec(value);
  if (match === null) throw new InvalidArgumentError(`Expected host:port, got "${value}".`);
  parsePort(match[2] as string);
  return value;
}

export function parseHttpUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InvalidArgumentError(`Expected an http:// URL, got "${value}".`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new InvalidArgumentError(`Expected an http:// URL, got "${value}".`);
  }
  return url.origin;
}

/** `value` as given, when it parses as a URL with one of `protocols` (the first names it in the error). */
function urlWithProtocol(value: string, protocols: readonly string[]): string {
  const protocol = URL.canParse(value) ? new URL(value).protocol : undefined;
  if (protocol === undefined || !protocols.includes(protocol.slice(0, -1))) {
    throw new InvalidArgumentError(`Expected a ${protocols[0]}:// URL, got "${value}".`);
  }
  return value;
}

export function parseRedisUrl(value: string): string {
  return urlWithProtocol(value, ["redis", "rediss"]);
}

export function parsePostgresUrl(value: string): string {
  return urlWithProtocol(value, ["postgres", "postgresql"]);
}

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `90s`, `15m`, `12h`, `30d` (or plain milliseconds) as milliseconds. */
export function parseDuration(value: string): number {
  const match = /^(\d+)(ms|s|m|h|d)?$/.exec(value);
  const amount = Number(match?.[1]);
  const ms = amount * (DURATION_UNITS[match?.[2] ?? "ms"] ?? Number.NaN);
  if (match === null || !Number.isSafeInteger(ms) || ms < 1) {
    throw new InvalidArgumentError(`Expected a duration such as 90s, 15m, 12h or 30d, got "${value}".`);
  }
  return ms;
}

/** A schema name the PostgreSQL store accepts. */
export function parseSchemaName(value: string): string {
  if (!SCHEMA_NAME.test(value)) {
    throw new InvalidArgumentError(
      `Expected a schema name matching ${SCHEMA_NAME.source.slice(1, -1)}, got "${value}".`,
    );
  }
  return value;
}

const BYTE_UNITS: Record<string, number> = { B: 1, KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3 };

/** A size in the largest unit that divides it: `268435456` as `256MiB`. */
export function formatByteSize(bytes: number): string {
  const [unit, size] = Object.entries(BYTE_UNITS).findLast(([, size]) => bytes % size === 0) ?? ["B", 1];
  return `${bytes / size}${unit}`;
}

/** `256MiB`, `1GiB`, `65536` (bytes) as bytes. */
export function parseByteSize(value: string): number {
  const match = /^(\d+)(B|KiB|MiB|GiB)?$/.exec(value);
  const bytes = Number(match?.[1]) * (BYTE_UNITS[match?.[2] ?? "B"] ?? Number.NaN);
  if (match === null || !Number.isSafeInteger(bytes) || bytes < 1) {
    throw new InvalidArgumentError(`Expected a size such as 256MiB, 1GiB or 65536, got "${value}".`);
  }
  return bytes;
}
