import { readdirSync, readFileSync } from "node:fs";

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

/**
 * User + system CPU time so far, in ms, of every process whose command is one
 * of `names` (a store the server uses: `redis-server`, `postgres`). Processes
 * that exit in between take their time with them; the stores' connections
 * stay open across a phase, so their backends do not.
 */
export function commandsCpuMs(names: readonly string[]): number {
  let total = 0;
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (names.includes(readFileSync(`/proc/${entry}/comm`, "latin1").trim()))
        total += processCpuMs(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return total;
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

  /** CPU time since `start()`: in ms, and in % of one core. */
  stop(): { ms: number; pct: number } {
    const cpu = processCpuMs(this.#pid) - this.#cpu0;
    const wall = performance.now() - this.#wall0;
    return { ms: cpu, pct: wall > 0 ? (100 * cpu) / wall : 0 };
  }
}

/** The machine's CPU time by kind (first line of `/proc/stat`), in ticks. */
function machineTicks(): { busy: number; total: number; ticks: number[] } {
  const line = readFileSync("/proc/stat", "latin1").split("\n", 1)[0] as string;
  // user nice system idle iowait irq softirq steal guest guest_nice; guest time is in user already.
  const ticks = line.trim().split(/\s+/).slice(1, 9).map(Number);
  const total = ticks.reduce((sum, t) => sum + t, 0);
  const idle = (ticks[3] ?? 0) + (ticks[4] ?? 0);
  return { busy: total - idle, total, ticks };
}

/** Where the machine's CPU went, in % of one core (they add up to cores x 100). */
export interface MachineCpu {
  readonly user: number;
  readonly system: number;
  /** Mostly loopback TCP: charged to no process. */
  readonly softirq: number;
  readonly idle: number;
  readonly steal: number;
}

/** Measures the whole machine's CPU between `start()` and `stop()`. */
export class MachineCpuMeter {
  readonly #cores: number;
  #start: number[] = [];

  constructor(cores: number) {
    this.#cores = cores;
  }

  start(): void {
    this.#start = machineTicks().ticks;
  }

  stop(): MachineCpu {
    const end = machineTicks().ticks;
    const d = end.map((t, i) => t - (this.#start[i] ?? 0));
    const total = d.reduce((sum, t) => sum + t, 0) || 1;
    const pct = (...indices: number[]): number =>
      (100 * this.#cores * indices.reduce((sum, i) => sum + (d[i] ?? 0), 0)) / total;
    return { user: pct(0, 1), system: pct(2, 5), softirq: pct(6), idle: pct(3, 4), steal: pct(7) };
  }
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
