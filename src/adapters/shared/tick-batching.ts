import type { Writable } from "node:stream";

/**
 * Returns `cork(socket)`: corks a socket until the end of this tick, as
 * res.write() does, so a burst written in one tick still leaves in one
 * syscall and shows as backpressure while it is being written; one nextTick
 * uncorks every socket corked in the tick, instead of one per write.
 */
export function tickCorker(): (socket: Writable) => void {
  let corked: Writable[] = [];
  const uncorkAll = (): void => {
    const sockets = corked;
    corked = [];
    for (const socket of sockets) socket.uncork();
  };
  return (socket) => {
    if (socket.writableCorked > 0) return;
    socket.cork();
    if (corked.push(socket) === 1) process.nextTick(uncorkAll);
  };
}

/** Returns `count(n)`: adds up counts and reports their sum once per event-loop turn. */
export function tickCounter(report: (sum: number) => void): (n: number) => void {
  let sum = 0;
  const flush = (): void => {
    const total = sum;
    sum = 0;
    report(total);
  };
  return (n) => {
    if (sum === 0) setImmediate(flush);
    sum += n;
  };
}
