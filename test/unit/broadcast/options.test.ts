import { describe, expect, it } from "vitest";
import {
  BroadcastError,
  Broadcaster,
  type BroadcasterOptions,
  InvalidOptionError,
  type SubscribeOptions,
} from "../../../src/broadcast/index.js";

function invalidOptionThrownBy(fn: () => unknown): InvalidOptionError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidOptionError);
    expect(error).toBeInstanceOf(BroadcastError);
    return error as InvalidOptionError;
  }
  throw new Error("expected InvalidOptionError");
}

const badQueueSizes: readonly [string, unknown][] = [
  ["`0` (number)", 0],
  ["`-1` (number)", -1],
  ["`1.5` (number)", 1.5],
  ["`NaN` (number)", Number.NaN],
  ["`Infinity` (number)", Number.POSITIVE_INFINITY],
  ["`9007199254740992` (number)", 2 ** 53],
  ["`8` (string)", "8"],
];

const badOverflows: readonly [string, unknown][] = [
  ["`drop-newest` (string)", "drop-newest"],
  ["`` (string)", ""],
  ["`1` (number)", 1],
];

describe("Broadcaster options", () => {
  it.each(badQueueSizes)(
    "rejects queueSize %s in the constructor with a message quoting it",
    (quoted, value) => {
      const error = invalidOptionThrownBy(
        () => new Broadcaster({ queueSize: value } as unknown as BroadcasterOptions),
      );
      expect(error.code).toBe("INVALID_OPTION");
      expect(error.option).toBe("queueSize");
      expect(error.message).toContain("`queueSize`");
      expect(error.message).toContain(quoted);
    },
  );

  it.each(badOverflows)(
    "rejects overflow %s in the constructor with a message quoting it",
    (quoted, value) => {
      const error = invalidOptionThrownBy(
        () => new Broadcaster({ overflow: value } as unknown as BroadcasterOptions),
      );
      expect(error.option).toBe("overflow");
      expect(error.message).toContain("`overflow`");
      expect(error.message).toContain(quoted);
    },
  );

  it.each(badQueueSizes)(
    "rejects queueSize %s in subscribe() without registering a subscriber",
    (quoted, value) => {
      const broadcaster = new Broadcaster<number>();
      const error = invalidOptionThrownBy(() =>
        broadcaster.subscribe({ queueSize: value } as unknown as SubscribeOptions),
      );
      expect(error.message).toContain(quoted);
      expect(broadcaster.subscriberCount).toBe(0);
    },
  );

  it.each(badOverflows)(
    "rejects overflow %s in subscribe() without registering a subscriber",
    (quoted, value) => {
      const broadcaster = new Broadcaster<number>();
      const error = invalidOptionThrownBy(() =>
        broadcaster.subscribe({ overflow: value } as unknown as SubscribeOptions),
      );
      expect(error.message).toContain(quoted);
      expect(broadcaster.subscriberCount).toBe(0);
    },
  );

  it("applies subscribe() options over the broadcaster's defaults for that subscriber only", async () => {
    const broadcaster = new Broadcaster<number>({ queueSize: 2 });
    const dropping = broadcaster.subscribe({ overflow: "drop-oldest" });
    const larger = broadcaster.subscribe({ queueSize: 3 });
    const plain = broadcaster.subscribe();
    expect(broadcaster.submit(1)).toBe(3);
    expect(broadcaster.submit(2)).toBe(3);
    // The third value overflows only the default subscriber (size 2, "error").
    expect(broadcaster.submit(3)).toBe(2);
    expect(dropping.dropped).toBe(1);
    expect(dropping.queued).toBe(2);
    expect(larger.queued).toBe(3);
    await expect(plain.next()).rejects.toMatchObject({ code: "SLOW_CONSUMER" });
  });
});
