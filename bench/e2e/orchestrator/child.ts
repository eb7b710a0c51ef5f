import { type ChildProcess, spawn } from "node:child_process";

/**
 * Raises the soft file-descriptor limit to the hard one, then runs the command:
 * 10,000 streams need 10,000 sockets on each side.
 */
const RAISE_NOFILE = 'ulimit -n "$(ulimit -Hn)" 2>/dev/null; exec "$0" "$@"';

/** A bench process (server or generator) run with tsx and an IPC channel. */
export class BenchChild<Report extends { readonly type: string }, Command> {
  readonly process: ChildProcess;
  readonly #name: string;
  readonly #exited: Promise<number | null>;

  constructor(name: string, file: string, nodeArgs: readonly string[] = []) {
    this.#name = name;
    const args = ["-c", RAISE_NOFILE, process.execPath, ...nodeArgs, "--import", "tsx", file];
    this.process = spawn("/bin/sh", args, { stdio: ["ignore", "inherit", "inherit", "ipc"] });
    this.#exited = new Promise((resolve) => this.process.once("exit", (code) => resolve(code)));
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
