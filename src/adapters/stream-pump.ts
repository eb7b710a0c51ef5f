import { once } from "node:events";
import type { Writable } from "node:stream";
import { type RoomEvent, type RoomListener, SlowConsumerError } from "../rooms/index.js";

/**
 * How a stream ended:
 * - `ended`: the listener finished (client gone, or the server shutting down);
 * - `deleted`: the room was deleted (its `deleted` event was written);
 * - `slow_consumer`: the listener's queue overflowed while the client was not reading;
 * - `socket_backpressure`: the transport buffered more than the byte bound.
 */
export type PumpOutcome = "ended" | "deleted" | "slow_consumer" | "socket_backpressure";

export interface PumpOptions {
  /** Writes a batch of events to the transport; returns `write()`'s result. */
  readonly write: (events: readonly RoomEvent[]) => boolean;
  /** Called after each written batch, with its size (metrics). */
  readonly onDelivered?: (count: number) => void;
  /** Most the transport may hold unsent, in its own units (bytes for HTTP). */
  readonly maxBuffered: number;
}

/**
 * Moves events from a listener to a writable transport, one batch per
 * wake-up, honouring backpressure: after `write()` returns false it waits for
 * `'drain'` before taking more (the listener's bounded queue absorbs the
 * burst meanwhile, and evicts the client if it overflows), and it ends the
 * stream if the transport ever buffers past `maxBuffered`.
 */
export async function pumpListener(
  listener: RoomListener,
  transport: Writable,
  options: PumpOptions,
): Promise<PumpOutcome> {
  try {
    for (;;) {
      const events = await listener.nextBatch();
      if (events === undefined || transport.destroyed) return "ended";
      const ok = options.write(events);
      options.onDelivered?.(events.length);
      if (events[events.length - 1]?.type === "deleted") return "deleted";
      if (transport.writableLength > options.maxBuffered) return "socket_backpressure";
      if (!ok) await drainOrClose(transport);
    }
  } catch (error) {
    if (error instanceof SlowConsumerError) return "slow_consumer";
    throw error;
  } finally {
    listener.close();
  }
}

async function drainOrClose(transport: Writable): Promise<void> {
  if (transport.destroyed) return;
  const controller = new AbortController();
  try {
    await Promise.race([
      once(transport, "drain", { signal: controller.signal }),
      once(transport, "close", { signal: controller.signal }),
    ]);
  } finally {
    controller.abort();
  }
}
