import type pg from "pg";
import {
  type AnnouncedEvent,
  type BusChannel,
  BusChannels,
  type BusEvent,
  type BusSubscription,
  type Message,
  type RoomBus,
} from "../../rooms/index.js";
import { type Notice, noticeOf, parseNotice } from "./notice.js";

type Handler = (event: BusEvent) => void;

export interface PostgresBusOptions {
  /** A new connection for LISTEN (again after every drop). */
  readonly connect: () => Promise<pg.Client>;
  readonly read: MessageReader;
  readonly notify: Notifier;
  /** The room's channel name, as the schema's `chat_channel()` names it. */
  readonly channelOf: (roomId: string) => string;
}

/** Sends a room's notice (`pg_notify` on the room's channel, outside any transaction). */
export type Notifier = (roomId: string, payload: string) => Promise<void>;

/** Reads a room's messages with offsets in (after, upTo], when the room is still in `epoch`. */
export type MessageReader = (
  roomId: string,
  epoch: string,
  after: number,
  upTo: number,
) => Promise<ReadonlyArray<{ readonly offset: number; readonly message: Message }>>;

interface Channel extends BusChannel {
  readonly roomId: string;
  /** Notices waiting their turn: a room's events go out in notification order. */
  readonly queue: Notice[];
  draining: boolean;
  /** The epoch and offset of the last message delivered; undefined until the first notice. */
  delivered: { epoch: string; offset: number } | undefined;
}

/**
 * LISTEN/NOTIFY as the rooms' bus, on one connection of its own: a room's
 * channel is listened to while a handler wants the room. Notifications only
 * wake us up; a message notice is turned into message events by reading the
 * rows from the table (consecutive notices in one read). While the
 * connection is down nothing is heard, so when it comes back every room gets
 * a `resync` and its feed catches up from the table.
 */
export class PostgresBus implements RoomBus {
  readonly #connect: () => Promise<pg.Client>;
  readonly #read: MessageReader;
  readonly #notify: Notifier;
  readonly #channelOf: (roomId: string) => string;
  /** By channel name. */
  readonly #channels = new BusChannels<Channel>(
    (name) => this.#client?.query(`UNLISTEN ${name}`) ?? Promise.resolve(),
  );
  #client: pg.Client | undefined;
  #reconnecting: ReturnType<typeof setTimeout> | undefined;
  #reconnects = 0;
  #closed = false;

  private constructor(options: PostgresBusOptions) {
    this.#connect = options.connect;
    this.#read = options.read;
    this.#notify = options.notify;
    this.#channelOf = options.channelOf;
  }

  /** Opens the listening connection. */
  static async open(options: PostgresBusOptions): Promise<PostgresBus> {
    const bus = new PostgresBus(options);
    bus.#attach(await options.connect());
    return bus;
  }

  get healthy(): boolean {
    return this.#client !== undefined;
  }

  /** How many times the bus connection came back after a drop. */
  get reconnects(): number {
    return this.#reconnects;
  }

  /** Sends the event's notice: a wake-up, never a message body. */
  publish(roomId: string, event: AnnouncedEvent): Promise<void> {
    return this.#notify(roomId, JSON.stringify(noticeOf(event)));
  }

  subscribe(roomId: string, handler: Handler): Promise<BusSubscription> {
    const name = this.#channelOf(roomId);
    return this.#channels.subscribe(name, handler, () => ({
      roomId,
      handlers: new Set(),
      queue: [],
      draining: false,
      // Once LISTEN returned, every later commit's notification reaches us.
      ready: this.#listen(name),
      delivered: undefined,
    }));
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#reconnecting);
    const client = this.#client;
    this.#client = undefined;
    await client?.end().catch(() => undefined);
  }

  #listen(channelName: string): Promise<unknown> {
    if (this.#client === undefined) return Promise.reject(new Error("the bus connection is down"));
    // Channel names are our own hex digests: safe as identifiers.
    return this.#client.query(`LISTEN ${channelName}`);
  }

  #attach(client: pg.Client): void {
    this.#client = client;
    client.on("notification", (notification) => {
      const channel = this.#channels.get(notification.channel);
      const notice = parseNotice(notification.payload);
      if (channel === undefined || notice === undefined) return;
      channel.queue.push(notice);
      void this.#drain(channel);
    });
    const lost = () => {
      if (this.#client !== client) return;
      this.#client = undefined;
      client.end().catch(() => undefined);
      this.#scheduleReconnect(0);
    };
    client.on("error", lost);
    client.on("end", lost);
  }

  #scheduleReconnect(attempt: number): void {
    if (this.#closed) return;
    this.#reconnecting = setTimeout(() => void this.#reconnect(attempt), Math.min(50 * 2 ** attempt, 1_000));
    this.#reconnecting.unref();
  }

  async #reconnect(attempt: number): Promise<void> {
    let client: pg.Client;
    try {
      client = await this.#connect();
      for (const [name] of this.#channels.entries()) await client.query(`LISTEN ${name}`);
    } catch {
      this.#scheduleReconnect(attempt + 1);
      return;
    }
    if (this.#closed) {
      await client.end().catch(() => undefined);
      return;
    }
    this.#attach(client);
    this.#reconnects++;
    for (const [, channel] of this.#channels.entries()) {
      channel.ready = Promise.resolve();
      this.#emit(channel, { type: "resync", roomId: channel.roomId });
    }
  }

  async #drain(channel: Channel): Promise<void> {
    if (channel.draining) return;
    channel.draining = true;
    try {
      for (let notice = channel.queue.shift(); notice !== undefined; notice = channel.queue.shift()) {
        if (notice.t === "m") await this.#deliverMessages(channel, notice);
        else this.#emit(channel, presenceEvent(channel.roomId, notice));
      }
    } finally {
      channel.draining = false;
    }
  }

  /**
   * Reads every message after the last one delivered up to the notified one
   * (and the consecutive notices queued behind it), in one query. Message
   * notices are sent after commit and may come out of order or not at all;
   * since offsets commit in order, reading from our own position fills in.
   */
  async #deliverMessages(channel: Channel, first: Extract<Notice, { t: "m" }>): Promise<void> {
    let upTo = first.o;
    for (let next = channel.queue[0]; next?.t === "m" && next.e === first.e; next = channel.queue[0]) {
      upTo = Math.max(upTo, next.o);
      channel.queue.shift();
    }
    const position = channel.delivered?.epoch === first.e ? channel.delivered.offset : first.o - 1;
    if (upTo <= position) return;
    let messages: Awaited<ReturnType<MessageReader>>;
    try {
      messages = await this.#read(channel.roomId, first.e, position, upTo);
    } catch {
      // Unreadable now: the feed compares positions with the store and catches up.
      this.#emit(channel, { type: "resync", roomId: channel.roomId });
      return;
    }
    // Past what was read either way: rows trimmed or deleted meanwhile are the feed's gap to handle.
    channel.delivered = { epoch: first.e, offset: upTo };
    for (const { offset, message } of messages) {
      this.#emit(channel, { type: "message", epoch: first.e, offset, message });
    }
  }

  #emit(channel: Channel, event: BusEvent): void {
    for (const handler of [...channel.handlers]) handler(event);
  }
}

function presenceEvent(roomId: string, notice: Exclude<Notice, { t: "m" }>): BusEvent {
  if (notice.t === "d") return { type: "deleted", epoch: notice.e, roomId };
  return { type: notice.t === "j" ? "joined" : "left", epoch: notice.e, roomId, userId: notice.u };
}
