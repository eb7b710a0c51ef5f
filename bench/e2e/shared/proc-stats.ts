import { readFileSync } from "node:fs";

/** Kernel clock ticks per second for /proc CPU times (USER_HZ; 100 on Linux). */
const TICKS_PER_SECOND = 100;

/** User + system CPU time of a process so far, in ms (Linux `/proc/<pid>/stat`). */
export function processCpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "latin1");
  // The command name (field 2) may contain spaces: count fields after its ")".
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return ((utime + stime) * 1000) / TICKS_PER_SECOND;
}

/** Resident set size of a process, in bytes (`VmRSS` of `/proc/<pid>/status`). */
export function processRssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "latin1");
  const match = /VmRSS:\s+(\d+) kB/.exec(status);
  return match === null ? 0 : Number(match[1]) * 1024;
}

/** Measures a process's CPU between `start()` and `stop()`, as % of one core. */
export class CpuMeter {
  readonly #pid: number;
  #cpu0 = 0;
  #wall0 = 0;

  constructor(pid: number) {
    this.#pid = pid;
  }

  start(): void {
    this.#cpu0 = processCpuMs(this.#pid);
    this.#wall0 = performance.now();
  }

  /** CPU time since `start()`, in % of one core. */
  stop(): number {
    const cpu = processCpuMs(this.#pid) - this.#cpu0;
    const wall = performance.now() - this.#wall0;
    return wall > 0 ? (100 * cpu) / wall : 0;
  }
}

/** Busy and total CPU time of the whole machine so far, in ticks (`/proc/stat`). */
function machineTicks(): { busy: number; total: number } {
  const line = readFileSync("/proc/stat", "latin1").split("\n", 1)[0] as string;
  const ticks = line.trim().split(/\s+/).slice(1).map(Number);
  const total = ticks.reduce((sum, t) => sum + t, 0);
  const idle = (ticks[3] ?? 0) + (ticks[4] ?? 0); // idle + iowait
  return { busy: total - idle, total };
}

/**
 * How busy the machine is over `ms` while the bench itself is idle, in % of
 * one core: anything well above 0 means other work competes with the bench.
 */
export async function machineBusyPct(ms: number, cores: number): Promise<number> {
  const before = machineTicks();
  await new Promise((resolve) => setTimeout(resolve, ms));
  const after = machineTicks();
  const total = after.total - before.total;
  return total > 0 ? (100 * cores * (after.busy - before.busy)) / total : 0;
}
