import { randomBytes } from "node:crypto";
import pg from "pg";
import {
  type AnnouncedEvent,
  type BusEvent,
  type BusSubscription,
  formatMessageId,
  type HistoryQuery,
  type HistorySlice,
  type Message,
  type MessageDraft,
  newEpoch,
  type OpenedListener,
  positiveInteger,
  ROOM_DEFAULTS,
  type RoomBus,
  type RoomInfo,
  type RoomStore,
  StoreUnavailableError,
} from "../../rooms/index.js";
import { PostgresBus } from "./bus.js";
import { roomChannel } from "./channels.js";
import { migrate } from "./migrate.js";
import { ROOM_STATE, readHistory, readMessageRange } from "./queries.js";
import { asOffset } from "./rows.js";
import { isUnavailable } from "./unavailable.js";

/** A schema name the store accepts: lower case, digits and underscores, as PostgreSQL folds them. */
export const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** What the PostgreSQL store assumes when not told otherwise. */
export const POSTGRES_DEFAULTS = {
  url: "postgres://postgres@127.0.0.1:5432/postgres",
  /** Schema holding the tables, created and migrated at connect. */
  schema: "chat",
  /** How long to wait for a connection, at start and for each query, in ms. */
  connectTimeoutMs: 5_000,
  /** Connections in the pool (the bus holds one more). */
  poolSize: 10,
} as const;

export interface PostgresStoreOptions {
  /** `postgres://user@host:port/database`. @default "postgres://postgres@127.0.0.1:5432/postgres" */
  readonly url?: string;
  /** Schema holding the tables, created and migrated at connect. @default "chat" */
  readonly schema?: string | undefined;
  /** Messages kept per room; older ones are deleted as new ones come. @default 1000 */
  readonly historyLimit?: number;
  /** Messages older than this many milliseconds are deleted (checked every tenth of it, at most every minute). */
  readonly historyMaxAgeMs?: number | undefined;
  /**
   * How long a process's listeners count after its last heartbeat, in
   * milliseconds; heartbeats go out every third of it.
   * @default 15000
   */
  readonly presenceLeaseMs?: number;
  /** How long to wait for a connection, at start and for each query, in milliseconds. @default 5000 */
  readonly connectTimeoutMs?: number;
  /** Connections in the pool (the bus holds one more). @default 10 */
  readonly poolSize?: number;
  /**
   * Where room events are announced and heard, instead of LISTEN/NOTIFY: a
   * `RedisRoomBus` (`chat-server/stores/redis`) carries whole messages, so
   * listening processes read nothing back. The store closes it.
   */
  readonly bus?: RoomBus | undefined;
  /**
   * Called after a message is committed and before it is announced: a fault
   * hook for tests (a process that dies between the two). Leave it unset.
   */
  readonly afterCommit?: ((message: Message) => Promise<void>) | undefined;
}

/** Counters for observability (the same shape as the Redis store's). */
export interface PostgresStoreStats {
  readonly busReconnects: number;
  readonly roundTrips: number;
  /** Sum of round-trip times, in seconds. */
  readonly roundTripSeconds: number;
}

/**
 * Rooms in PostgreSQL, the system of record: every accepted message is
 * committed before its call returns, epochs change only when a room is
 * deleted or rotated, and a restart of every process keeps all history under
 * the same ids. Each operation is one call of a schema function (one round
 * trip, one transaction, the room's row as its lock). LISTEN/NOTIFY wakes up
 * the processes with listeners in a room; they read the messages from the table.
 *
 * While the database is unreachable, calls fail with `StoreUnavailableError`
 * after at most `connectTimeoutMs`, nothing is half-written (a transaction
 * either commits or not), and the pool and the bus reconnect by themselves.
 */
export class PostgresRoomStore implements RoomStore {
  readonly #pool: pg.Pool;
  readonly #bus: RoomBus;
  readonly #afterCommit: ((message: Message) => Promise<void>) | undefined;
  readonly #historyLimit: number;
  readonly #leaseMs: number;
  readonly #processId: string;
  readonly #timers: ReturnType<typeof setInterval>[] = [];
  /** This process's open listeners, to count them again if its lease ran out. */
  readonly #listeners = new Map<string, { roomId: string; epoch: string; userId: string | undefined }>();
  #nextListener = 1;
  #reachable = true;
  #roundTrips = 0;
  #roundTripSeconds = 0;

  private constructor(pool: pg.Pool, bus: RoomBus, processId: string, options: ResolvedOptions) {
    this.#pool = pool;
    this.#bus = bus;
    this.#afterCommit = options.afterCommit;
    this.#processId = processId;
    this.#historyLimit = options.historyLimit;
    this.#leaseMs = options.presenceLeaseMs;
    this.#every(this.#leaseMs / 3, () => this.#heartbeat());
    const maxAge = options.historyMaxAgeMs;
    if (maxAge !== undefined) {
      this.#every(Math.min(Math.max(maxAge / 10, 1_000), 60_000), () =>
        this.#query("DELETE FROM messages WHERE stored_at < now() - $1 * interval '1 millisecond'", [maxAge]),
      );
    }
  }

  /**
   * Connects, applies missing schema migrations and starts listening.
   * @throws StoreUnavailableError when the database does not answer within `connectTimeoutMs`.
   */
  static async connect(given: PostgresStoreOptions = {}): Promise<PostgresRoomStore> {
    const options = resolveOptions(given);
    const schema = options.schema ?? POSTGRES_DEFAULTS.schema;
    if (!SCHEMA_NAME.test(schema)) {
      throw new RangeError(
        `Expected \`schema\` to match ${SCHEMA_NAME.source}, got ${JSON.stringify(schema)}`,
      );
    }
    const config: pg.ClientConfig = {
      connectionString: options.url ?? POSTGRES_DEFAULTS.url,
      connectionTimeoutMillis: positiveInteger(
        "connectTimeoutMs",
        options.connectTimeoutMs ?? POSTGRES_DEFAULTS.connectTimeoutMs,
      ),
      options: `-c search_path=${schema}`,
    };
    // Named in pg_stat_activity, so an operator can tell the bus from the pool.
    const pool = new pg.Pool({
      ...config,
      max: positiveInteger("poolSize", options.poolSize ?? POSTGRES_DEFAULTS.poolSize),
      application_name: `chat-server ${schema}`,
    });
    // Idle connections that break are dropped by the pool; an unhandled 'error' would crash.
    pool.on("error", () => undefined);
    const processId = randomBytes(6).toString("hex");
    let bus: RoomBus | undefined = options.bus;
    try {
      await migrate(pool, schema);
      bus ??= await PostgresBus.open({
        connect: async () => {
          const client = new pg.Client({ ...config, application_name: `chat-server bus ${schema}` });
          client.on("error", () => undefined);
          await client.connect();
          return client;
        },
        read: (roomId, epoch, after, upTo) => readMessageRange(pool, roomId, epoch, after, upTo),
        notify: async (roomId, payload) => {
          await pool.query("SELECT chat_notify($1, $2::jsonb)", [roomId, payload]);
        },
        channelOf: (roomId) => roomChannel(schema, roomId),
      });
      const store = new PostgresRoomStore(pool, bus, processId, options);
      await store.#heartbeat();
      return store;
    } catch (error) {
      await bus?.close();
      await pool.end().catch(() => undefined);
      if (isUnavailable(error)) throw new StoreUnavailableError(error);
      throw error;
    }
  }

  get healthy(): boolean {
    return this.#reachable && this.#bus.healthy;
  }

  /**
   * Rate-limit buckets in this database, for `RateLimits` (`buckets`): every
   * process on it counts a caller's rates together. While the database is
   * unreachable a take fails with `StoreUnavailableError`.
   */
  rateBuckets(): { take(key: string, perSecond: number, burst: number): Promise<number> } {
    return {
      take: async (key, perSecond, burst) => {
        const [row] = await this.#query<{ wait: number }>("SELECT chat_rate_take($1, $2, $3) AS wait", [
          key,
          perSecond,
          burst,
        ]);
        return row?.wait ?? 0;
      },
    };
  }

  get stats(): PostgresStoreStats {
    return {
      busReconnects: this.#bus.reconnects,
      roundTrips: this.#roundTrips,
      roundTripSeconds: this.#roundTripSeconds,
    };
  }

  async ensureRoom(roomId: string, name?: string): Promise<RoomInfo> {
    // A room with no messages and no listeners may be dropped by another process's close in between.
    for (let attempt = 0; attempt < 3; attempt++) {
      await this.#query("SELECT chat_ensure($1, $2, $3)", [roomId, name ?? roomId, newEpoch()]);
      const room = await this.getRoom(roomId);
      if (room !== undefined) return room;
    }
    throw new StoreUnavailableError(new Error(`room ${roomId} kept vanishing`));
  }

  async append(draft: MessageDraft): Promise<Message> {
    const [row] = await this.#query<{ epoch: string; msg_offset: string }>(
      "SELECT epoch, msg_offset FROM chat_append($1, $2, $3, $4, $5, $6)",
      [draft.roomId, newEpoch(), draft.userId, draft.text, draft.sentAt, this.#historyLimit],
    );
    if (row === undefined) throw new Error("chat_append returned no row");
    const offset = asOffset(row.msg_offset);
    const message: Message = {
      id: formatMessageId(row.epoch, offset),
      roomId: draft.roomId,
      userId: draft.userId,
      text: draft.text,
      sentAt: draft.sentAt,
    };
    await this.#afterCommit?.(message);
    await this.#announce(draft.roomId, { type: "message", epoch: row.epoch, offset, message });
    return message;
  }

  read(roomId: string, query: HistoryQuery): Promise<HistorySlice | undefined> {
    return this.#guard(() => readHistory(this.#pool, roomId, query));
  }

  async getRoom(roomId: string): Promise<RoomInfo | undefined> {
    const [room] = await this.#rooms("WHERE r.room_id = $1", [roomId]);
    return room;
  }

  listRooms(): Promise<RoomInfo[]> {
    return this.#rooms("", []);
  }

  async countRooms(): Promise<number> {
    const [row] = await this.#query<{ count: string }>("SELECT count(*) FROM rooms");
    return Number(row?.count ?? 0);
  }

  async deleteRoom(roomId: string): Promise<boolean> {
    const [row] = await this.#query<{ epoch: string | null }>("SELECT chat_delete($1) AS epoch", [roomId]);
    if (row?.epoch === null || row?.epoch === undefined) return false;
    await this.#announce(roomId, { type: "deleted", epoch: row.epoch, roomId });
    return true;
  }

  async openListener(roomId: string, userId: string | undefined): Promise<OpenedListener> {
    const listenerId = `${this.#processId}.${this.#nextListener++}`;
    const [row] = await this.#query<{
      epoch: string;
      last_offset: string;
      members: string[];
      joined: boolean;
    }>("SELECT epoch, last_offset, members, joined FROM chat_open($1, $2, $3, $4, $5)", [
      roomId,
      newEpoch(),
      listenerId,
      userId ?? null,
      this.#processId,
    ]);
    if (row === undefined) throw new Error("chat_open returned no row");
    this.#listeners.set(listenerId, { roomId, epoch: row.epoch, userId });
    if (row.joined && userId !== undefined)
      await this.#announce(roomId, { type: "joined", epoch: row.epoch, roomId, userId });
    return {
      listenerId,
      epoch: row.epoch,
      lastOffset: asOffset(row.last_offset),
      members: [...row.members].sort(),
    };
  }

  async closeListener(roomId: string, listenerId: string): Promise<void> {
    this.#listeners.delete(listenerId);
    const [row] = await this.#query<{ epoch: string | null; left_user: string | null }>(
      "SELECT epoch, left_user FROM chat_release($1, $2)",
      [roomId, listenerId],
    );
    if (row?.epoch != null && row.left_user !== null)
      await this.#announce(roomId, { type: "left", epoch: row.epoch, roomId, userId: row.left_user });
  }

  async rotateEpoch(roomId: string, epoch: string): Promise<void> {
    await this.#query("SELECT chat_rotate($1, $2, $3)", [roomId, epoch, newEpoch()]);
  }

  subscribe(roomId: string, onEvent: (event: BusEvent) => void): Promise<BusSubscription> {
    return this.#guard(() => this.#bus.subscribe(roomId, onEvent));
  }

  async close(): Promise<void> {
    for (const timer of this.#timers) clearInterval(timer);
    await this.#query("DELETE FROM processes WHERE process_id = $1", [this.#processId]).catch(
      () => undefined,
    );
    await this.#bus.close();
    await this.#pool.end().catch(() => undefined);
  }

  async #rooms(where: string, params: unknown[]): Promise<RoomInfo[]> {
    const rows = await this.#query<RoomStateRow>(
      `${ROOM_STATE} ${where} ORDER BY r.created_at, r.room_id`,
      params,
    );
    return rows.map((row) => {
      const messageCount = Number(row.message_count);
      return {
        roomId: row.room_id,
        name: row.name,
        listeners: Number(row.listeners),
        members: [...row.members].sort(),
        messageCount,
        lastMessageId: messageCount > 0 ? formatMessageId(row.epoch, asOffset(row.last_offset)) : null,
        createdAt: row.created_at.toISOString(),
      };
    });
  }

  /**
   * Renews this process's lease and releases the listeners of processes whose
   * lease ran out. When ours had run out (the database was out of reach for
   * longer than a lease), other processes may have released our listeners:
   * count them again, so their users are members and their closes count.
   */
  async #heartbeat(): Promise<void> {
    await this.#query("DELETE FROM rate_buckets WHERE expires_at < now()");
    const [row] = await this.#query<{
      renewed: boolean;
      lefts: { room: string; epoch: string; user: string }[];
    }>("SELECT renewed, lefts FROM chat_heartbeat($1, $2)", [this.#processId, Math.ceil(this.#leaseMs)]);
    for (const { room, epoch, user } of row?.lefts ?? [])
      await this.#announce(room, { type: "left", epoch, roomId: room, userId: user });
    if (row?.renewed !== false) return;
    for (const [listenerId, { roomId, epoch, userId }] of this.#listeners) {
      const [reopened] = await this.#query<{ joined: boolean }>(
        "SELECT chat_reopen($1, $2, $3, $4, $5) AS joined",
        [roomId, epoch, listenerId, userId ?? null, this.#processId],
      );
      if (reopened?.joined === true && userId !== undefined)
        await this.#announce(roomId, { type: "joined", epoch, roomId, userId });
    }
  }

  /**
   * Announces what a committed call did. The call has succeeded whatever
   * happens here: a lost announcement is made up for by the next one or the
   * feeds' position check (see the schema).
   */
  async #announce(roomId: string, event: AnnouncedEvent): Promise<void> {
    await this.#bus.publish(roomId, event).catch(() => undefined);
  }

  #every(ms: number, run: () => Promise<unknown>): void {
    const timer = setInterval(() => void run().catch(() => undefined), Math.max(1, ms));
    timer.unref();
    this.#timers.push(timer);
  }

  async #query<Row extends pg.QueryResultRow>(text: string, params: unknown[] = []): Promise<Row[]> {
    return this.#guard(async () => (await this.#pool.query<Row>(text, params)).rows);
  }

  /** Times the round trip; a connection failure becomes `StoreUnavailableError`. */
  async #guard<T>(run: () => Promise<T>): Promise<T> {
    const started = process.hrtime.bigint();
    try {
      const result = await run();
      this.#reachable = true;
      return result;
    } catch (error) {
      if (!isUnavailable(error)) throw error;
      this.#reachable = false;
      throw new StoreUnavailableError(error);
    } finally {
      this.#roundTrips++;
      this.#roundTripSeconds += Number(process.hrtime.bigint() - started) / 1e9;
    }
  }
}

interface RoomStateRow {
  readonly room_id: string;
  readonly name: string;
  readonly epoch: string;
  readonly created_at: Date;
  readonly last_offset: string;
  readonly listeners: string;
  readonly members: string[];
  readonly message_count: string;
}

type ResolvedOptions = PostgresStoreOptions & {
  readonly historyLimit: number;
  readonly presenceLeaseMs: number;
};

/** The retention and lease options with their defaults, checked before anything connects. */
function resolveOptions(options: PostgresStoreOptions): ResolvedOptions {
  const maxAge = options.historyMaxAgeMs;
  return {
    ...options,
    historyLimit: positiveInteger("historyLimit", options.historyLimit ?? ROOM_DEFAULTS.historyLimit),
    presenceLeaseMs: positiveInteger(
      "presenceLeaseMs",
      options.presenceLeaseMs ?? ROOM_DEFAULTS.presenceLeaseMs,
    ),
    historyMaxAgeMs: maxAge === undefined ? undefined : positiveInteger("historyMaxAgeMs", maxAge),
  };
}
