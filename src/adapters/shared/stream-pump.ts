import type { Writable } from "node:stream";
import {
  HistoryLostError,
  ListenerEvictedError,
  type RoomEvent,
  type RoomListener,
} from "../../rooms/index.js";

/**
 * How a stream ended:
 * - `ended`: the listener finished (client gone, or the server shutting down);
 * - `deleted`: the room was deleted (its `deleted` event was written);
 * - `slow_consumer`: the listener's queue overflowed while the client was not reading;
 * - `history_lost`: the room lost messages this listener had not yet seen
 *   (a shared store restarted or trimmed them); the client resumes from its last id.
 */
export type PumpOutcome = "ended" | "deleted" | "slow_consumer" | "history_lost";

export interface PumpOptions {
  /** Writes events to the transport; returns `write()`'s result. */
  readonly write: (events: readonly RoomEvent[]) => boolean;
  /** An event's size in the transport's units (bytes for SSE). @default 1 (counts messages) */
  readonly sizeOf?: (event: RoomEvent) => number;
  /**
   * Most the transport may hold unsent, in those units: the pump writes at
   * most half of it at a time, and nothing more until the transport drained
   * below its own high-water mark (which must be below the other half).
   */
  readonly maxBuffered: number;
  /** Called after each write, with the events written (metrics). */
  readonly onDelivered?: ((events: readonly RoomEvent[]) => void) | undefined;
}

const one = (): number => 1;

/**
 * Moves events from a listener to a writable transport, honouring
 * backpressure: it writes at most half the bound at a time and, after
 * `write()` returns false, pauses the listener until `'drain'`, so the
 * transport never holds more than the bound. The listener's bounded queue
 * absorbs bursts meanwhile; if it overflows (the client stopped reading), the
 * stream ends at once. A long replay or burst reaches a client that reads,
 * slice by slice. Events arrive through the listener's sink: no promise per
 * stream per message.
 */
export function pumpListener(
  listener: RoomListener,
  transport: Writable,
  options: PumpOptions,
): Promise<PumpOutcome> {
  return new Promise<PumpOutcome>((resolve, reject) => {
    new ListenerPump(listener, transport, options, resolve, reject).start();
  });
}

/**
 * One stream's pump. A class rather than closures: an idle stream holds it
 * for its whole life, and its state in one object costs a fraction of a
 * context and half a dozen closures.
 */
class ListenerPump {
  readonly #listener: RoomListener;
  readonly #transport: Writable;
  readonly #options: PumpOptions;
  readonly #sizeOf: (event: RoomEvent) => number;
  readonly #sliceBudget: number;
  readonly #resolve: (outcome: PumpOutcome) => void;
  readonly #reject: (error: Error) => void;
  #finished = false;
  /** Events taken from the listener and not yet written (while the transport drains). */
  #unwritten: readonly RoomEvent[] = [];
  /** Set only while the transport drains. */
  #onDrain: (() => void) | undefined;
  readonly #onClose = (): void => this.#finish("ended");

  constructor(
    listener: RoomListener,
    transport: Writable,
    options: PumpOptions,
    resolve: (outcome: PumpOutcome) => void,
    reject: (error: Error) => void,
  ) {
    this.#listener = listener;
    this.#transport = transport;
    this.#options = options;
    this.#sizeOf = options.sizeOf ?? one;
    this.#sliceBudget = Math.max(1, options.maxBuffered / 2);
    this.#resolve = resolve;
    this.#reject = reject;
  }

  start(): void {
    // `on`, not `once`: 'close' comes once, and `#finish` removes it; no wrapper per stream.
    this.#transport.on("close", this.#onClose);
    void this.#listener.closed.then((error) =>
      this.#finish(error === undefined ? "ended" : (outcomeOf(error) ?? error)),
    );
    if (this.#transport.destroyed) {
      this.#finish("ended");
      return;
    }
    this.#listener.consume((events) => {
      if (this.#transport.destroyed) this.#finish("ended");
      else if (!this.#finished) this.#write(events);
    });
  }

  #finish(outcome: PumpOutcome | Error): void {
    if (this.#finished) return;
    this.#finished = true;
    if (this.#onDrain !== undefined) this.#transport.off("drain", this.#onDrain);
    this.#transport.off("close", this.#onClose);
    this.#listener.close();
    if (outcome instanceof Error) this.#reject(outcome);
    else this.#resolve(outcome);
  }

  /** Writes slice by slice until the transport pushes back; true when everything went out. */
  #write(events: readonly RoomEvent[]): boolean {
    for (let start = 0; start < events.length; ) {
      const end = sliceEnd(events, start, this.#sizeOf, this.#sliceBudget);
      const slice = start === 0 && end === events.length ? events : events.slice(start, end);
      const ok = this.#options.write(slice);
      this.#options.onDelivered?.(slice);
      if (slice[slice.length - 1]?.type === "deleted") {
        this.#finish("deleted");
        return true;
      }
      start = end;
      if (!ok) {
        this.#unwritten = events.slice(start);
        this.#listener.pause();
        this.#onDrain = () => this.#writeUnwritten();
        this.#transport.once("drain", this.#onDrain);
        return false;
      }
    }
    return true;
  }

  #writeUnwritten(): void {
    const events = this.#unwritten;
    this.#unwritten = [];
    this.#onDrain = undefined;
    if (!this.#finished && this.#write(events)) this.#listener.resume();
  }
}

/** The end of the longest run of events from `start` within `budget` (at least one event). */
function sliceEnd(
  events: readonly RoomEvent[],
  start: number,
  sizeOf: (event: RoomEvent) => number,
  budget: number,
): number {
  // A slice holds at least one event: sizes only matter when more follow (the common case is one).
  if (start + 1 >= events.length) return events.length;
  let end = start + 1;
  let size = sizeOf(events[start] as RoomEvent);
  while (end < events.length) {
    size += sizeOf(events[end] as RoomEvent);
    if (size > budget) break;
    end++;
  }
  return end;
}

/** The outcome a listener's end error stands for, if it is one a client can resume from. */
function outcomeOf(error: unknown): PumpOutcome | undefined {
  if (error instanceof ListenerEvictedError) return "slow_consumer";
  if (error instanceof HistoryLostError) return "history_lost";
  return undefined;
}
