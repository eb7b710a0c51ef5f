import { InvalidOptionError } from "./errors.js";

/**
 * What happens to a subscriber whose queue is full when a value arrives:
 * - `"error"`: the subscription ends; its next `next()` rejects with `SlowConsumerError`.
 * - `"drop-oldest"`: the oldest queued value is discarded and counted in `dropped`.
 */
export type OverflowPolicy = "error" | "drop-oldest";

/** Per-subscriber queue settings. */
export interface QueueOptions {
  /**
   * Values a subscriber may have queued and not yet consumed.
   * @default 1024
   */
  readonly queueSize?: number;
  /**
   * Policy applied when that queue is full. The default ends the slow
   * subscription, so a subscriber either sees every value in order or learns
   * that it did not, and can resume from the last value it saw.
   * @default "error"
   */
  readonly overflow?: OverflowPolicy;
}

export interface BroadcasterOptions extends QueueOptions {
  /** Called each time the subscriber count drops to zero (never during `submit`). */
  readonly onIdle?: () => void;
}

export interface SubscribeOptions extends QueueOptions {
  /** Aborting it ends the subscription, as `return()` does. */
  readonly signal?: AbortSignal;
}

export interface ResolvedQueueOptions {
  readonly queueSize: number;
  readonly overflow: OverflowPolicy;
}

export const DEFAULT_QUEUE_OPTIONS: ResolvedQueueOptions = {
  queueSize: 1024,
  overflow: "error",
};

/** Applies defaults and validates, in one place. */
export function resolveQueueOptions(
  options: QueueOptions | undefined,
  defaults: ResolvedQueueOptions,
): ResolvedQueueOptions {
  const queueSize = options?.queueSize ?? defaults.queueSize;
  const overflow = options?.overflow ?? defaults.overflow;
  if (!Number.isSafeInteger(queueSize) || queueSize < 1) {
    throw new InvalidOptionError("queueSize", "a positive integer", queueSize);
  }
  if (overflow !== "error" && overflow !== "drop-oldest") {
    throw new InvalidOptionError("overflow", '"error" or "drop-oldest"', overflow);
  }
  return { queueSize, overflow };
}
