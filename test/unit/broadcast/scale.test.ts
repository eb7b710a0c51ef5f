import { describe, expect, it } from "vitest";
import { Broadcaster, SlowConsumerError, type Subscription } from "../../../src/broadcast/index.js";
import { deferred, fullGc, Progress, range, seededRandom } from "./support.js";

/** Eight in-object fields: about 90 bytes each, so a million retained values would be ~90 MB. */
interface Value {
  readonly seq: number;
  readonly a: number;
  readonly b: number;
  readonly c: number;
  readonly d: number;
  readonly e: number;
  readonly f: number;
  readonly g: number;
}

function value(seq: number): Value {
  return { seq, a: seq, b: seq, c: seq, d: seq, e: seq, f: seq, g: seq };
}

/**
 * Resolves once the microtask queue has emptied. Everything in these tests is
 * promise-driven (no I/O, no timers), so a count not reached by then never will
 * be: this turns a lost value into a fast failure instead of a timeout.
 */
function microtasksExhausted(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

describe("Broadcaster at scale", () => {
  it("keeps heap growth bounded while a subscriber never reads a million values, and a fast one gets them all", async () => {
    const total = 1_000_000;
    const burst = 1_000;
    const queueSize = 1_024;
    const broadcaster = new Broadcaster<Value>({ queueSize });
    const neverReadsDropping = broadcaster.subscribe({ overflow: "drop-oldest" });
    const neverReadsDefault = broadcaster.subscribe();

    fullGc();
    const heapBefore = process.memoryUsage().heapUsed;

    const consumed = new Progress();
    let expected = 0;
    let outOfOrder = 0;
    const fast = broadcaster.subscribe();
    const consumer = (async () => {
      for await (const v of fast) {
        if (v.seq !== expected) outOfOrder++;
        expected = v.seq + 1;
        consumed.advance();
      }
    })();

    let maxQueued = 0;
    for (let start = 0; start < total; start += burst) {
      for (let seq = start; seq < start + burst; seq++) broadcaster.submit(value(seq));
      maxQueued = Math.max(maxQueued, neverReadsDropping.queued);
      await Promise.race([consumed.reached(start + burst), microtasksExhausted()]);
      if (consumed.count !== start + burst) break;
    }
    broadcaster.close();
    await consumer;

    fullGc();
    const growth = process.memoryUsage().heapUsed - heapBefore;

    expect(consumed.count).toBe(total);
    expect(outOfOrder).toBe(0);
    expect(expected).toBe(total);
    expect(maxQueued).toBeLessThanOrEqual(queueSize);
    expect(neverReadsDropping.queued).toBe(queueSize);
    expect(neverReadsDropping.dropped).toBe(total - queueSize);
    // The default policy ended the other never-reading subscriber at its first overflow.
    expect(neverReadsDefault.queued).toBe(0);
    await expect(neverReadsDefault.closed).resolves.toBeInstanceOf(SlowConsumerError);
    // What is still retained: one full queue (~100 KB of values) plus noise; unbounded would be ~90 MB.
    expect(growth).toBeLessThan(50 * 1024 * 1024);
  });

  it("gives each of 5,000 subscribers joining and leaving mid-stream a contiguous, ordered run of values", async () => {
    const subscriberTotal = 5_000;
    const bursts = 250;
    const burst = 8;
    const joinsPerBurst = subscriberTotal / bursts;
    const random = seededRandom(0x5eed);
    let idleCalls = 0;
    const broadcaster = new Broadcaster<number>({
      onIdle: () => {
        idleCalls++;
      },
    });
    type LeaveBy = "break" | "throw" | "abort" | "return";
    const leaveWays: readonly LeaveBy[] = ["break", "throw", "abort", "return"];

    interface Consumer {
      readonly from: number;
      readonly quota: number;
      readonly received: number[];
      readonly done: Promise<void>;
      /** Still subscribed after the current burst has been consumed. */
      remaining: number;
    }

    // Every delivered value and every exit advances `progress`, so the driver can wait for exact counts.
    const progress = new Progress();
    const failed = deferred<unknown>();
    const failures: unknown[] = [];
    const consumers: Consumer[] = [];
    let submitted = 0;
    let expectedProgress = 0;
    let expectedIdleCalls = 0;
    const activeAfter = (): number => consumers.filter((c) => c.remaining > 0).length;

    const start = (from: number, quota: number, leaveBy: LeaveBy): Consumer => {
      const received: number[] = [];
      const controller = new AbortController();
      const subscription: Subscription<number> = broadcaster.subscribe({ signal: controller.signal });
      const consume = async (): Promise<void> => {
        const accept = (v: number): void => {
          // Fail at the first gap rather than wait for a count that will never be reached.
          if (v !== from + received.length) throw new Error(`expected ${from + received.length}, got ${v}`);
          received.push(v);
          progress.advance();
        };
        if (leaveBy === "return") {
          while (received.length < quota) {
            const result = await subscription.next();
            if (result.done) return;
            accept(result.value);
          }
          await subscription.return();
          return;
        }
        for await (const v of subscription) {
          accept(v);
          if (received.length < quota) continue;
          if (leaveBy === "break") break;
          if (leaveBy === "throw") throw new Error("leave");
          controller.abort();
        }
      };
      const done = consume().then(
        () => undefined,
        (error: unknown) => {
          if (!(error instanceof Error && error.message === "leave")) {
            failures.push(error);
            failed.resolve(error);
          }
        },
      );
      void done.then(() => progress.advance());
      return { from, quota, received, done, remaining: quota };
    };

    for (let b = 0; b < bursts; b++) {
      for (let j = 0; j < joinsPerBurst; j++) {
        const quota = 1 + Math.floor(random() * 3 * burst * 10);
        const leaveBy = leaveWays[Math.floor(random() * leaveWays.length)] as LeaveBy;
        consumers.push(start(submitted, quota, leaveBy));
      }
      let active = 0;
      for (const c of consumers) if (c.remaining > 0) active++;
      expect(broadcaster.subscriberCount).toBe(active);

      for (let i = 0; i < burst; i++) broadcaster.submit(submitted++);
      for (const c of consumers) {
        if (c.remaining === 0) continue;
        const taken = Math.min(burst, c.remaining);
        c.remaining -= taken;
        expectedProgress += taken + (c.remaining === 0 ? 1 : 0);
      }
      await Promise.race([progress.reached(expectedProgress), failed.promise, microtasksExhausted()]);
      expect(failures).toEqual([]);
      expect(progress.count).toBe(expectedProgress);
      if (active > 0 && activeAfter() === 0) expectedIdleCalls++;
    }

    const stillActive = activeAfter();
    expect(stillActive).toBeGreaterThan(0);
    expect(broadcaster.subscriberCount).toBe(stillActive);
    broadcaster.close();
    await Promise.all(consumers.map((c) => c.done));

    expect(failures).toEqual([]);
    expect(broadcaster.subscriberCount).toBe(0);
    // Once for each time everyone had left between bursts, and once for close().
    expect(idleCalls).toBe(expectedIdleCalls + 1);
    for (const c of consumers) {
      const length = Math.min(c.quota, submitted - c.from);
      expect(c.received).toEqual(range(c.from, c.from + length));
    }
  });
});
