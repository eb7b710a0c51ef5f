/**
 * Test support for the rooms suites: a manager closed after each test, readers
 * for listeners, and the sentinel helper that proves something did not arrive.
 * No sleeps: every wait here ends on an event, never on a timer.
 */
import { randomBytes } from "node:crypto";
import { expect, onTestFinished } from "vitest";
import {
  formatMessageId,
  type Message,
  parseCursor,
  type ReadyEvent,
  type RoomEvent,
  type RoomListener,
  RoomManager,
  type RoomManagerOptions,
} from "../../src/rooms/index.js";

/** A manager of its own for the current test, closed when the test finishes. */
export function roomManagerForTest(options?: RoomManagerOptions): RoomManager {
  const manager = new RoomManager(options);
  onTestFinished(() => manager.close());
  return manager;
}

/** The listener's next event; fails the test when the listener ended instead. */
export async function nextRoomEvent(listener: RoomListener): Promise<RoomEvent> {
  const result = await listener.next();
  if (result.done) throw new Error(`listener of ${listener.roomId} ended while an event was expected`);
  return result.value;
}

/** Reads the first event, asserting it is `ready`. */
export async function readyEventOf(listener: RoomListener): Promise<ReadyEvent> {
  const event = await nextRoomEvent(listener);
  if (event.type !== "ready") throw new Error(`expected a ready event first, got ${roomEventLabel(event)}`);
  return event;
}

/** A short, readable label: `message:alice:hi`, `joined:bob`, `left:bob`, `deleted`, `ready`. */
export function roomEventLabel(event: RoomEvent): string {
  switch (event.type) {
    case "message":
      return `message:${event.message.userId}:${event.message.text}`;
    case "joined":
    case "left":
      return `${event.type}:${event.userId}`;
    default:
      return event.type;
  }
}

/**
 * The sentinel: submits a marker message to the listener's room and returns the
 * labels of every event the listener yields before it. An empty array proves
 * nothing else arrived in between. Fails if the listener ends first.
 */
export async function roomEventsBeforeMarker(
  manager: RoomManager,
  listener: RoomListener,
): Promise<string[]> {
  const text = `mk-${randomBytes(4).toString("hex")}`;
  await manager.submit({ roomId: listener.roomId, userId: "marker", text });
  const before: string[] = [];
  for (;;) {
    const result = await listener.next();
    if (result.done) throw new Error(`listener ended before the marker; saw ${JSON.stringify(before)}`);
    const event = result.value;
    if (event.type === "message" && event.message.userId === "marker" && event.message.text === text) {
      return before;
    }
    before.push(roomEventLabel(event));
  }
}

/**
 * Closes a listener and waits for it to end. The manager releases the
 * listener's presence from a callback on `closed` registered when the listener
 * opened, into the room's queue, so any call on that room made after this
 * resolves observes the release (calls on other rooms are not ordered with it).
 */
export async function closeRoomListener(listener: RoomListener): Promise<void> {
  listener.close();
  await listener.closed;
}

/** Submits `count` messages `<prefix>1`, `<prefix>2`, … one after another and returns them. */
export async function submitRoomMessages(
  manager: RoomManager,
  roomId: string,
  count: number,
  prefix = "m",
  userId = "alice",
): Promise<Message[]> {
  const out: Message[] = [];
  for (let i = 1; i <= count; i++) out.push(await manager.submit({ roomId, userId, text: `${prefix}${i}` }));
  return out;
}

/** Asserts that a promise rejects with an error of `type` whose fields include `fields`. */
export async function expectRoomRejection(
  promise: Promise<unknown>,
  type: abstract new (...args: never[]) => Error,
  fields: Record<string, unknown> = {},
): Promise<void> {
  const error: unknown = await promise.then(
    (value) => {
      throw new Error(`expected a rejection with ${type.name}, got ${JSON.stringify(value)}`);
    },
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(type);
  expect(error).toMatchObject(fields);
}

interface ReaderWaiter {
  readonly ready: () => boolean;
  readonly resolve: () => void;
}

/**
 * Drains a listener in the background, as a live client would, keeping every
 * event. `until()` waits for a condition over the events seen so far; it also
 * resolves when the listener ends, so a lost event fails an assertion instead
 * of hanging the test.
 */
export class RoomListenerReader {
  readonly events: RoomEvent[] = [];
  /** What `next()`/`nextBatch()` rejected with, if anything. */
  error: unknown;
  ended = false;
  /** Resolves once the listener has ended (normally or with an error). */
  readonly finished: Promise<void>;
  #waiters: ReaderWaiter[] = [];

  constructor(
    readonly listener: RoomListener,
    mode: "next" | "batch" = "next",
  ) {
    this.finished = mode === "next" ? this.#readEach() : this.#readBatches();
  }

  get messages(): Message[] {
    return this.events.flatMap((event) => (event.type === "message" ? [event.message] : []));
  }

  get labels(): string[] {
    return this.events.map(roomEventLabel);
  }

  /** Resolves when `condition` holds over the events, or when the listener has ended. */
  until(condition: (events: readonly RoomEvent[]) => boolean): Promise<void> {
    if (this.ended || condition(this.events)) return Promise.resolve();
    return new Promise((resolve) => {
      this.#waiters.push({ ready: () => condition(this.events), resolve });
    });
  }

  /** Resolves once a message with this text arrived (or the listener ended). */
  untilText(text: string): Promise<void> {
    return this.until((events) => events.some((e) => e.type === "message" && e.message.text === text));
  }

  async #readEach(): Promise<void> {
    try {
      for (;;) {
        const result = await this.listener.next();
        if (result.done) break;
        this.#add([result.value]);
      }
    } catch (error) {
      this.error = error;
    }
    this.#end();
  }

  async #readBatches(): Promise<void> {
    try {
      for (;;) {
        const batch = await this.listener.nextBatch();
        if (batch === undefined) break;
        this.#add(batch);
      }
    } catch (error) {
      this.error = error;
    }
    this.#end();
  }

  #add(events: readonly RoomEvent[]): void {
    this.events.push(...events);
    const still: ReaderWaiter[] = [];
    for (const waiter of this.#waiters) {
      if (waiter.ready()) waiter.resolve();
      else still.push(waiter);
    }
    this.#waiters = still;
  }

  #end(): void {
    this.ended = true;
    for (const waiter of this.#waiters) waiter.resolve();
    this.#waiters = [];
  }
}

/** The same offset as message id `id`, in another epoch: a cursor from a history that was lost. */
export function cursorOfLostHistory(id: string): string {
  const { epoch, offset } = parseCursor(id);
  return formatMessageId(epoch.startsWith("0") ? `1${epoch.slice(1)}` : `0${epoch.slice(1)}`, offset);
}
