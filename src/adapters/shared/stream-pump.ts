import { once } from "node:events";
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
  /** Called after each write, with the number of events written (metrics). */
  readonly onDelivered?: (count: number) => void;
}

const one = (): number => 1;

/**
 * Moves events from a listener to a writable transport, honouring
 * backpressure: it writes at most half the bound at a time and, after
 * `write()` returns false, waits for `'drain'` before writing more, so the
 * transport never holds more than the bound. The listener's bounded queue
 * absorbs bursts meanwhile; if it overflows (the client stopped reading), the
 * wait ends at once and so does the stream. A long replay or burst reaches a
 * client that reads, slice by slice.
 */
export async function pumpListener(
  listener: RoomListener,
  transport: Writable,
  options: PumpOptions,
): Promise<PumpOutcome> {
  const sizeOf = options.sizeOf ?? one;
  const sliceBudget = Math.max(1, options.maxBuffered / 2);
  try {
    for (;;) {
      const events = await listener.nextBatch();
      if (events === undefined || transport.destroyed) return "ended";
      for (let start = 0; start < events.length; ) {
        const end = sliceEnd(events, start, sizeOf, sliceBudget);
        const slice = start === 0 && end === events.length ? events : events.slice(start, end);
        const ok = options.write(slice);
        options.onDelivered?.(slice.length);
        if (slice[slice.length - 1]?.type === "deleted") return "deleted";
        if (!ok && !(await drained(transport, listener))) {
          listener.close();
          return outcomeOf(await listener.closed) ?? "ended";
        }
        start = end;
      }
    }
  } catch (error) {
    const outcome = outcomeOf(error);
    if (outcome !== undefined) return outcome;
    throw error;
  } finally {
    listener.close();
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

/** Waits for `'drain'`: true once it came, false if the transport closed or the listener ended first. */
async function drained(transport: Writable, listener: RoomListener): Promise<boolean> {
  if (transport.destroyed) return false;
  const controller = new AbortController();
  try {
    return await Promise.race([
      once(transport, "drain", { signal: controller.signal }).then(() => true),
      once(transport, "close", { signal: controller.signal }).then(() => false),
      listener.closed.then(() => false),
    ]);
  } finally {
    controller.abort();
  }
}

/** The outcome a listener's end error stands for, if it is one a client can resume from. */
function outcomeOf(error: unknown): PumpOutcome | undefined {
  if (error instanceof ListenerEvictedError) return "slow_consumer";
  if (error instanceof HistoryLostError) return "history_lost";
  return undefined;
}
