import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";

/**
 * Raises the soft file-descriptor limit to the hard one, then runs the command:
 * 10,000 streams need 10,000 sockets on each side.
 */
const TASKSET = "/usr/bin/taskset";

const RAISE_NOFILE = 'ulimit -n "$(ulimit -Hn)" 2>/dev/null; exec "$0" "$@"';

export interface ChildOptions {
  /** Node flags (e.g. --expose-gc, --cpu-prof). */
  readonly nodeArgs?: readonly string[];
  /** A module to `--import` after tsx. */
  readonly preload?: string | undefined;
  /** Arguments after the file. */
  readonly args?: readonly string[] | undefined;
  /** Keep stdout, to read the port from it (`waitForOutput`); otherwise it is shown. */
  readonly captureStdout?: boolean;
  /** Pin the process to this CPU (with `taskset`, where it exists). */
  readonly cpu?: number | undefined;
}

/** A bench process (server or generator) run with tsx and an IPC channel. */
export class BenchChild<Report extends { readonly type: string }, Command> {
  readonly process: ChildProcess;
  readonly #name: string;
  readonly #exited: Promise<number | null>;
  #output = "";

  constructor(name: string, file: string, options: ChildOptions = {}) {
    this.#name = name;
    const preload = options.preload === undefined ? [] : ["--import", options.preload];
    const node = [...(options.nodeArgs ?? []), "--import", "tsx", ...preload, file, ...(options.args ?? [])];
    const shell = ["/bin/sh", "-c", RAISE_NOFILE, process.execPath, ...node];
    // taskset and sh both exec: the pid stays the node process's.
    const [command, ...args] =
      options.cpu !== undefined && existsSync(TASKSET)
        ? [TASKSET, "-c", String(options.cpu), ...shell]
        : shell;
    this.process = spawn(command as string, args, {
      stdio: ["ignore", options.captureStdout ? "pipe" : "inherit", "inherit", "ipc"],
    });
    this.process.stdout?.setEncoding("utf8").on("data", (text: string) => {
      this.#output += text;
    });
    this.#exited = new Promise((resolve) => this.process.once("exit", (code) => resolve(code)));
  }

  /** Process id: `sh` execs node, so this is the server's own. */
  get pid(): number {
    return this.process.pid as number;
  }

  /** Waits until the captured stdout matches `pattern`. */
  async waitForOutput(pattern: RegExp, timeoutMs: number): Promise<RegExpExecArray> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const match = pattern.exec(this.#output);
      if (match !== null) return match;
      if (this.process.exitCode !== null) throw new Error(`${this.#name} exited (${this.process.exitCode})`);
      if (Date.now() > deadline)
        throw new Error(`${this.#name}: no ${pattern} in its output within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  send(command: Command): void {
    this.process.send(command as object);
  }

  /** The next report of this type; rejects on an `error` report or if the process exits first. */
  next<T extends Report["type"]>(type: T, timeoutMs = 600_000): Promise<Extract<Report, { type: T }>> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => done(new Error(`${this.#name}: no "${type}" within ${timeoutMs} ms`)),
        timeoutMs,
      );
      const onMessage = (report: Report): void => {
        if (report.type === type) done(undefined, report as Extract<Report, { type: T }>);
        else if (report.type === "error")
          done(new Error(`${this.#name}: ${(report as { message?: string }).message}`));
      };
      const onExit = (code: number | null): void =>
        done(new Error(`${this.#name} exited (${code}) before "${type}"`));
      const done = (error?: Error, report?: Extract<Report, { type: T }>): void => {
        clearTimeout(timer);
        this.process.off("message", onMessage);
        this.process.off("exit", onExit);
        if (error === undefined) resolve(report as Extract<Report, { type: T }>);
        else reject(error);
      };
      this.process.on("message", onMessage);
      this.process.once("exit", onExit);
    });
  }

  /** Sends a command and waits for its answer. */
  request<T extends Report["type"]>(command: Command, answer: T): Promise<Extract<Report, { type: T }>> {
    const reply = this.next(answer);
    this.send(command);
    return reply;
  }

  /** Sends `command` (a polite stop), then kills the process if it has not exited after `graceMs`. */
  async stop(command: Command, graceMs = 5_000): Promise<void> {
    if (this.process.exitCode !== null || this.process.signalCode !== null) return;
    if (this.process.connected) this.send(command);
    const timer = setTimeout(() => this.process.kill("SIGKILL"), graceMs);
    await this.#exited;
    clearTimeout(timer);
  }
}
