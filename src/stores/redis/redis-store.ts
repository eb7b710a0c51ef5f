import { randomBytes } from "node:crypto";
import { ErrorReply, type RedisClientType } from "@redis/client";
import {
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
  type RoomInfo,
  type RoomStore,
  StoreUnavailableError,
} from "../../rooms/index.js";
import { RedisBus } from "./bus.js";
import { asArray, asNumber, asString, replyToSlice } from "./codec.js";
import { connectPair, REDIS_DEFAULTS } from "./connect.js";
import { type RoomKeys, roomIndexKey, roomKeys } from "./keys.js";
import { LocalListeners } from "./leases.js";
import { ROOM_SCRIPTS } from "./scripts.js";

export interface RedisStoreOptions {
  /** `redis://host:port[/db]`. @default "redis://127.0.0.1:6379" */
  readonly url?: string;
  /** Messages kept per room (the Stream's exact MAXLEN). @default 1000 */
  readonly historyLimit?: number;
  /** Prefix of every key, so several deployments can share one Redis. @default "chat" */
  readonly keyPrefix?: string;
  /**
   * How long a process's listeners count after its last heartbeat, in
   * milliseconds: a process that dies has its users `left` within about this.
   * Heartbeats go out every third of it.
   * @default 15000
   */
  readonly presenceLeaseMs?: number;
  /** How long to wait for Redis at start, in milliseconds. @default 5000 */
  readonly connectTimeoutMs?: number;
}

/** Counters for observability. */
export interface RedisStoreStats {
  readonly busReconnects: number;
  readonly roundTrips: number;
  /** Sum of round-trip times, in seconds. */
  readonly roundTripSeconds: number;
}

type Client = RedisClientType<Record<string, never>, Record<string, never>, typeof ROOM_SCRIPTS>;

/**
 * Rooms in Redis, shared by every process that points at it: one Stream per
 * room (exactly the history size), a meta hash with the epoch and top offset,
 * presence hashes with per-process leases, and a Pub/Sub channel per room
 * published from the same script that appends, so the bus carries offsets in
 * order. Each operation is one Lua script: atomic per room, one round trip.
 *
 * While Redis is unreachable, operations fail at once with
 * `StoreUnavailableError` (no queueing), and the clients reconnect by themselves.
 */
export class RedisRoomStore implements RoomStore {
  readonly #client: Client;
  readonly #subscriber: Client;
  readonly #bus: RedisBus;
  readonly #prefix: string;
  readonly #historyLimit: number;
  readonly #leaseMs: number;
  readonly #processId = randomBytes(6).toString("hex");
  readonly #local = new LocalListeners();
  readonly #heartbeat: ReturnType<typeof setInterval>;
  #nextListener = 1;
  #roundTrips = 0;
  #roundTripSeconds = 0;

  private constructor(client: Client, subscriber: Client, options: ResolvedOptions) {
    this.#client = client;
    this.#subscriber = subscriber;
    this.#bus = new RedisBus(subscriber as unknown as RedisClientType);
    this.#prefix = options.keyPrefix ?? REDIS_DEFAULTS.keyPrefix;
    this.#historyLimit = options.historyLimit;
    this.#leaseMs = options.presenceLeaseMs;
    this.#heartbeat = setInterval(() => void this.#renewLeases(), Math.max(1, this.#leaseMs / 3));
    this.#heartbeat.unref();
  }

  /**
   * Connects (a command connection and a Pub/Sub one).
   * @throws StoreUnavailableError when Redis does not answer within `connectTimeoutMs`.
   */
  static async connect(given: RedisStoreOptions = {}): Promise<RedisRoomStore> {
    const options: ResolvedOptions = {
      ...given,
      historyLimit: positiveInteger("historyLimit", given.historyLimit ?? ROOM_DEFAULTS.historyLimit),
      presenceLeaseMs: positiveInteger(
        "presenceLeaseMs",
        given.presenceLeaseMs ?? ROOM_DEFAULTS.presenceLeaseMs,
      ),
    };
    const { client, subscriber } = await connectPair({
      url: options.url,
      connectTimeoutMs: options.connectTimeoutMs,
      scripts: ROOM_SCRIPTS,
    });
    return new RedisRoomStore(client, subscriber as unknown as Client, options);
  }

  get healthy(): boolean {
    return this.#client.isReady && this.#subscriber.isReady;
  }

  get stats(): RedisStoreStats {
    return {
      busReconnects: this.#bus.reconnects,
      roundTrips: this.#roundTrips,
      roundTripSeconds: this.#roundTripSeconds,
    };
  }

  async ensureRoom(roomId: string, name?: string): Promise<RoomInfo> {
    const info = await this.#state(roomId, true, name);
    if (info === undefined) throw new StoreUnavailableError(new Error(`room ${roomId} vanished`));
    return info;
  }

  async append(draft: MessageDraft): Promise<Message> {
    const reply = await this.#call(draft.roomId, (keys) =>
      this.#client.chatAppend(
        keys,
        newEpoch(),
        draft.roomId,
        // A room its first message creates was created when that message was sent.
        draft.sentAt,
        draft.userId,
        draft.text,
        draft.sentAt,
        String(this.#historyLimit),
      ),
    );
    const [epoch, offset, created] = asArray(reply);
    if (asNumber(created) === 1) await this.#index(draft.roomId);
    return {
      id: formatMessageId(asString(epoch), asNumber(offset)),
      roomId: draft.roomId,
      userId: draft.userId,
      text: draft.text,
      sentAt: draft.sentAt,
    };
  }

  async read(roomId: string, query: HistoryQuery): Promise<HistorySlice | undefined> {
    const latest = query.afterOffset === undefined && (query.latest ?? false);
    const reply = await this.#call(roomId, (keys) =>
      this.#client.chatRead(
        keys,
        query.afterOffset === undefined ? "" : String(query.afterOffset),
        String(query.limit),
        latest ? "1" : "0",
      ),
    );
    return replyToSlice(roomId, reply, latest);
  }

  getRoom(roomId: string): Promise<RoomInfo | undefined> {
    return this.#state(roomId, false);
  }

  async listRooms(): Promise<RoomInfo[]> {
    const ids = await this.#guard(() => this.#client.zRange(roomIndexKey(this.#prefix), 0, -1));
    const rooms = await Promise.all(ids.map((id) => this.getRoom(asString(id))));
    const gone = ids.filter((_, i) => rooms[i] === undefined);
    if (gone.length > 0) await this.#guard(() => this.#client.zRem(roomIndexKey(this.#prefix), gone));
    return rooms.filter((room): room is RoomInfo => room !== undefined);
  }

  countRooms(): Promise<number> {
    return this.#guard(() => this.#client.zCard(roomIndexKey(this.#prefix)));
  }

  async deleteRoom(roomId: string): Promise<boolean> {
    const deleted = asNumber(await this.#call(roomId, (keys) => this.#client.chatDelete(keys))) === 1;
    await this.#guard(() => this.#client.zRem(roomIndexKey(this.#prefix), roomId));
    return deleted;
  }

  async openListener(roomId: string, userId: string | undefined): Promise<OpenedListener> {
    const listenerId = `${this.#processId}.${this.#nextListener++}`;
    const reply = await this.#call(roomId, (keys) =>
      this.#client.chatOpen(
        keys,
        newEpoch(),
        roomId,
        new Date().toISOString(),
        listenerId,
        userId ?? "",
        this.#processId,
        String(this.#leaseMs),
      ),
    );
    const [epoch, top, members, created] = asArray(reply);
    this.#local.add(roomId, listenerId, { epoch: asString(epoch), userId: userId ?? "" });
    if (asNumber(created) === 1) await this.#index(roomId);
    return {
      listenerId,
      epoch: asString(epoch),
      lastOffset: asNumber(top),
      members: asArray(members).map(asString).sort(),
    };
  }

  async closeListener(roomId: string, listenerId: string): Promise<void> {
    this.#local.remove(roomId, listenerId);
    const dropped = await this.#call(roomId, (keys) => this.#client.chatClose(keys, listenerId));
    if (asNumber(dropped) === 1)
      await this.#guard(() => this.#client.zRem(roomIndexKey(this.#prefix), roomId));
  }

  async rotateEpoch(roomId: string, epoch: string): Promise<void> {
    await this.#call(roomId, (keys) => this.#client.chatRotate(keys, epoch, newEpoch()));
  }

  subscribe(roomId: string, onEvent: (event: BusEvent) => void): Promise<BusSubscription> {
    return this.#guard(() => this.#bus.subscribe(roomId, this.#keys(roomId).channel, onEvent));
  }

  async close(): Promise<void> {
    clearInterval(this.#heartbeat);
    this.#client.destroy();
    this.#subscriber.destroy();
  }

  async #state(roomId: string, create: boolean, name?: string): Promise<RoomInfo | undefined> {
    const reply = await this.#call(roomId, (keys) =>
      this.#client.chatState(keys, create ? "1" : "0", newEpoch(), name ?? roomId, new Date().toISOString()),
    );
    if (reply === null || reply === undefined) return undefined;
    const [roomName, createdAt, listeners, members, count, top, epoch, created] = asArray(reply);
    if (asNumber(created) === 1) await this.#index(roomId);
    const messageCount = asNumber(count);
    return {
      roomId,
      name: asString(roomName),
      listeners: asNumber(listeners),
      members: asArray(members).map(asString).sort(),
      messageCount,
      lastMessageId: messageCount > 0 ? formatMessageId(asString(epoch), asNumber(top)) : null,
      createdAt: asString(createdAt),
    };
  }

  /**
   * Renews this process's lease in every room it has listeners in (and sweeps
   * dead processes there). Where its lease had run out (Redis was out of reach
   * for longer than a lease), its listeners may have been uncounted: count them again.
   */
  async #renewLeases(): Promise<void> {
    for (const roomId of this.#local.rooms()) {
      const renewed = await this.#call(roomId, (keys) =>
        this.#client.chatHeartbeat(keys, this.#processId, String(this.#leaseMs)),
      ).catch(() => undefined);
      if (asNumber(renewed) !== 3) continue;
      for (const [epoch, listeners] of this.#local.byEpoch(roomId)) {
        await this.#call(roomId, (keys) => this.#client.chatReopen(keys, epoch, ...listeners)).catch(
          () => undefined,
        );
      }
    }
  }

  #index(roomId: string): Promise<unknown> {
    return this.#guard(() =>
      this.#client.zAdd(roomIndexKey(this.#prefix), { score: Date.now(), value: roomId }),
    );
  }

  #keys(roomId: string): RoomKeys {
    return roomKeys(this.#prefix, roomId);
  }

  #call<T>(roomId: string, run: (keys: RoomKeys) => Promise<T>): Promise<T> {
    return this.#guard(() => run(this.#keys(roomId)));
  }

  /** Times the round trip; a connection failure becomes `StoreUnavailableError`. */
  async #guard<T>(run: () => Promise<T>): Promise<T> {
    const started = process.hrtime.bigint();
    try {
      return await run();
    } catch (error) {
      if (
        error instanceof ErrorReply &&
        !/^(LOADING|BUSY|MASTERDOWN|READONLY|TRYAGAIN)/.test(error.message)
      ) {
        throw error;
      }
      throw new StoreUnavailableError(error);
    } finally {
      this.#roundTrips++;
      this.#roundTripSeconds += Number(process.hrtime.bigint() - started) / 1e9;
    }
  }
}

/** The options with the retention and lease defaults applied, checked before anything connects. */
type ResolvedOptions = RedisStoreOptions & {
  readonly historyLimit: number;
  readonly presenceLeaseMs: number;
};
