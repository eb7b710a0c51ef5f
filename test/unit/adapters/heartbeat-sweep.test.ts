import { PassThrough } from "node:stream";
import { afterEach, describe, expect, it, vi } from "vitest";
import { HeartbeatSweep } from "../../../src/adapters/shared/heartbeat-sweep.js";

afterEach(() => {
  vi.useRealTimers();
});

function collected(stream: PassThrough): () => string {
  let text = "";
  stream.on("data", (chunk: Buffer) => {
    text += chunk.toString();
  });
  return () => text;
}

describe("HeartbeatSweep", () => {
  it("beats every stream from one timer, which stops when the last stream leaves", () => {
    vi.useFakeTimers();
    const sweep = new HeartbeatSweep(":hb\n\n", 1000);
    const a = new PassThrough();
    const b = new PassThrough();
    const textA = collected(a);
    const textB = collected(b);
    const stopA = sweep.add(a);
    const stopB = sweep.add(b);
    expect(vi.getTimerCount()).toBe(1);
    vi.advanceTimersByTime(1000);
    expect([textA(), textB()]).toEqual([":hb\n\n", ":hb\n\n"]);
    stopA();
    vi.advanceTimersByTime(1000);
    expect([textA(), textB()]).toEqual([":hb\n\n", ":hb\n\n:hb\n\n"]);
    stopB();
    expect(vi.getTimerCount()).toBe(0);
  });

  it("skips a stream that still has bytes unsent, and a destroyed one", () => {
    vi.useFakeTimers();
    const sweep = new HeartbeatSweep(":hb\n\n", 1000);
    const busy = new PassThrough({ highWaterMark: 1 });
    busy.write("x"); // nobody reads: it stays buffered
    const gone = new PassThrough();
    gone.destroy();
    sweep.add(busy);
    sweep.add(gone);
    const before = busy.writableLength;
    vi.advanceTimersByTime(1000);
    expect(busy.writableLength).toBe(before);
  });
});
