import { EventEmitter } from "node:events";
import { Broadcaster } from "../src/broadcast/index.js";
import { NaiveBroadcaster } from "./naive-broadcaster.js";

/**
 * Counts what consumers still owe for the current burst and wakes the producer
 * when they have consumed all of it, so queues never overflow. `sink` sums
 * every delivered value: it keeps consumers from being optimised away and lets
 * the run check that every delivery happened.
 */
export class BurstTracker {
  outstanding = 0;
  sink = 0;
  #wake: (() => void) | undefined;

  /** Arms the tracker for `deliveries` and resolves once they are all consumed. */
  expect(deliveries: number): Promise<void> {
    this.outstanding = deliveries;
    return new Promise<void>((resolve) => {
      this.#wake = resolve;
    });
  }

  consumed(count: number): void {
    this.outstanding -= count;
    if (this.outstanding === 0) this.#wake?.();
  }
}

/** One implementation wired to `subscribers` consumers. */
export interface Fanout {
  submit(value: number): void;
  /** Ends every consumer and resolves when all of their loops have finished. */
  close(): Promise<void>;
}

export type ImplName = "emitter" | "naive" | "for-await" | "batch" | "sink";

export const IMPLEMENTATIONS: Readonly<Record<ImplName, string>> = {
  emitter: "EventEmitter, sync listener",
  naive: "naive async iterator",
  "for-await": "Broadcaster, for await",
  batch: "Broadcaster, nextBatch",
  sink: "Broadcaster, consume(sink)",
};

export function createFanout(impl: ImplName, subscribers: number, tracker: BurstTracker): Fanout {
  switch (impl) {
    case "emitter":
      return emitterFanout(subscribers, tracker);
    case "naive":
      return naiveFanout(subscribers, tracker);
    case "for-await":
      return broadcasterFanout(subscribers, tracker, false);
    case "batch":
      return broadcasterFanout(subscribers, tracker, true);
    case "sink":
      return sinkFanout(subscribers, tracker);
  }
}

function emitterFanout(subscribers: number, tracker: BurstTracker): Fanout {
  const emitter = new EventEmitter();
  emitter.setMaxListeners(0);
  for (let i = 0; i < subscribers; i++) {
    emitter.on("value", (value: number) => {
      tracker.sink += value;
      tracker.consumed(1);
    });
  }
  return {
    submit: (value) => emitter.emit("value", value),
    close: async () => {
      emitter.removeAllListeners();
    },
  };
}

function naiveFanout(subscribers: number, tracker: BurstTracker): Fanout {
  const broadcaster = new NaiveBroadcaster<number>();
  const loops: Promise<void>[] = [];
  for (let i = 0; i < subscribers; i++) {
    const subscription = broadcaster.subscribe();
    loops.push(
      (async () => {
        for await (const value of subscription) {
          tracker.sink += value;
          tracker.consumed(1);
        }
      })(),
    );
  }
  return {
    submit: (value) => broadcaster.submit(value),
    close: async () => {
      broadcaster.close();
      await Promise.all(loops);
    },
  };
}

function broadcasterFanout(subscribers: number, tracker: BurstTracker, batches: boolean): Fanout {
  const broadcaster = new Broadcaster<number>();
  const loops: Promise<void>[] = [];
  for (let i = 0; i < subscribers; i++) {
    const subscription = broadcaster.subscribe();
    loops.push(
      batches
        ? (async () => {
            let batch = await subscription.nextBatch();
            while (batch !== undefined) {
              let sum = 0;
              for (const value of batch) sum += value;
              tracker.sink += sum;
              tracker.consumed(batch.length);
              batch = await subscription.nextBatch();
            }
          })()
        : (async () => {
            for await (const value of subscription) {
              tracker.sink += value;
              tracker.consumed(1);
            }
          })(),
    );
  }
  return {
    submit: (value) => {
      broadcaster.submit(value);
    },
    close: async () => {
      broadcaster.close();
      await Promise.all(loops);
    },
  };
}

function sinkFanout(subscribers: number, tracker: BurstTracker): Fanout {
  const broadcaster = new Broadcaster<number>();
  const ended: Promise<unknown>[] = [];
  for (let i = 0; i < subscribers; i++) {
    const subscription = broadcaster.subscribe();
    subscription.consume((batch) => {
      let sum = 0;
      for (const value of batch) sum += value;
      tracker.sink += sum;
      tracker.consumed(batch.length);
    });
    ended.push(subscription.closed);
  }
  return {
    submit: (value) => {
      broadcaster.submit(value);
    },
    close: async () => {
      broadcaster.close();
      await Promise.all(ended);
    },
  };
}
