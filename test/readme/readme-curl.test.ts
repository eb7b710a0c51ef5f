import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHttpApp, type RunningHttpServer, startHttpServer } from "../../src/index.js";
import { RoomManager } from "../../src/rooms/index.js";

const run = promisify(execFile);
const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");

/** The `curl` lines of the README's HTTP API section, without their trailing comments. */
function curlCommands(): string[] {
  const section = readme.slice(readme.indexOf("## HTTP API"), readme.indexOf("## gRPC API"));
  const block = /```sh\n([\s\S]*?)```/.exec(section)?.[1] ?? "";
  return block
    .replace(/\\\n\s*/g, "")
    .split("\n")
    .map((line) => line.replace(/\s+#.*$/, "").trim())
    .filter((line) => line.startsWith("curl "));
}

describe("README curl examples", () => {
  const rooms = new RoomManager();
  let server: RunningHttpServer;
  let lastId = "";

  beforeAll(async () => {
    server = await startHttpServer(createHttpApp(rooms), "127.0.0.1", 0);
  });
  afterAll(async () => {
    await rooms.close();
    await server.close(0);
  });

  const commands = curlCommands();
  it("has the curl examples to run", () => {
    expect(commands.length).toBeGreaterThanOrEqual(8);
  });

  // In README order: post first, stream, delete last.
  for (const command of commands) {
    it(`runs: ${command}`, async () => {
      const streaming = command.includes(" -N ");
      const line = command
        .replaceAll("http://127.0.0.1:8080", server.url)
        .replaceAll("<id>", lastId)
        .replace(/^curl /, streaming ? "curl -sS --max-time 1 " : "curl -sS --fail-with-body ");
      const result = await run("bash", ["-c", line]).catch(
        (error: { code: number; stdout: string }) => error,
      );
      const stdout = "stdout" in result ? result.stdout : "";
      if (streaming) {
        // curl exits 28 when --max-time cuts the stream, after the ready frame arrived.
        expect(stdout).toContain("event: ready");
        if (command.includes("Last-Event-ID")) expect(stdout).toContain('"recovered":true');
        return;
      }
      expect("code" in result ? result.code : 0, stdout).toBe(0);
      if (command.includes("DELETE")) expect(stdout.trim()).toBe("204");
      else expect(() => JSON.parse(stdout)).not.toThrow();
      lastId = (JSON.parse(stdout.startsWith("{") ? stdout : "{}") as { id?: string }).id ?? lastId;
    });
  }
});
