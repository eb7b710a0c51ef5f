import { once } from "node:events";
import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import { describe, expect, it } from "vitest";
import { freePort, runCli, startServe } from "../../helpers/cli.js";

/** One line on stderr, no stack trace. */
function expectOneCleanLine(stderr: string): void {
  const lines = stderr
    .trim()
    .split("\n")
    .filter((l) => !l.startsWith("(run with --help"));
  expect(lines).toHaveLength(1);
  expect(stderr).not.toMatch(/\n\s+at /);
}

describe("chat-server errors", () => {
  it("rejects an unknown flag with one line and exit 1", async () => {
    const result = await runCli(["serve", "--no-such-flag"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("unknown option '--no-such-flag'");
    expectOneCleanLine(result.stderr);
  });

  it("prints the package's version", async () => {
    const result = await runCli(["--version"]);
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toBe(JSON.parse(readFileSync("package.json", "utf8")).version);
  });

  it("refuses --url together with --grpc, but not a CHAT_URL in the environment", async () => {
    const both = await runCli([
      "send",
      "lobby",
      "hi",
      "--url",
      "http://127.0.0.1:1",
      "--grpc",
      "127.0.0.1:1",
    ]);
    expect(both.code).toBe(1);
    expect(both.stderr).toContain("--url and --grpc name two servers: give one");
    expectOneCleanLine(both.stderr);
    const grpcPort = await freePort();
    const fromEnv = await runCli(["send", "lobby", "hi", "--grpc", `127.0.0.1:${grpcPort}`], {
      CHAT_URL: "http://127.0.0.1:1",
    });
    expect(fromEnv.code).toBe(1);
    expect(fromEnv.stderr).toContain(`cannot reach 127.0.0.1:${grpcPort}`);
  });

  it("refuses tail's --last together with --since: both say where to start", async () => {
    const both = await runCli([
      "tail",
      "lobby",
      "-n",
      "1",
      "--since",
      "3f9a01bc7e-1",
      "--url",
      "http://127.0.0.1:1",
    ]);
    expect(both.code).toBe(1);
    expect(both.stderr).toMatch(/--last.*cannot be used with.*--since/);
    expectOneCleanLine(both.stderr);
  });

  it("rejects an unknown adapter, naming the valid ones", async () => {
    const result = await runCli(["serve", "--only", "grpc,ftp"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('Unknown adapter "ftp"; expected rest, html, grpc, ws');
    expectOneCleanLine(result.stderr);
  });

  it("rejects a CORS origin that is not one", async () => {
    const result = await runCli(["serve", "--cors-origin", "https://ok.example,app.example"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      'Expected a CORS origin such as https://app.example (scheme, host and port, no path), got "app.example"',
    );
    expectOneCleanLine(result.stderr);
  });

  it("rejects an invalid port from the environment", async () => {
    const result = await runCli(["serve"], { CHAT_HTTP_PORT: "80000" });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("Expected a port from 0 to 65535");
  });

  it.each([
    {
      args: ["--redis", "http://127.0.0.1:6379"],
      says: 'Expected a redis:// URL, got "http://127.0.0.1:6379"',
    },
    { args: ["--postgres", "mysql://db/chat"], says: 'Expected a postgres:// URL, got "mysql://db/chat"' },
    { args: ["--postgres-schema", "Chat-1"], says: "Expected a schema name matching [a-z_][a-z0-9_]{0,62}" },
    { args: ["--history-max-age", "5 weeks"], says: "Expected a duration such as 90s, 15m, 12h or 30d" },
    { args: ["--history-max-age", "0s"], says: "Expected a duration such as 90s, 15m, 12h or 30d" },
    { args: ["--history-max-age", "30d"], says: "--history-max-age needs --postgres" },
    { args: ["--history-bytes", "5XB"], says: "Expected a size such as 256MiB, 1GiB or 65536" },
    {
      args: ["--history-bytes", "64MiB", "--redis", "redis://127.0.0.1:6379"],
      says: "--history-bytes bounds the in-memory store",
    },
  ])("rejects serve $args with one line and exit 1", async ({ args, says }) => {
    const result = await runCli(["serve", "--http-port", "0", "--grpc-port", "0", ...args]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(says);
    expectOneCleanLine(result.stderr);
  });

  it("says when PostgreSQL cannot be reached, without the password", async () => {
    const port = await freePort();
    const url = `postgres://ann:secret@127.0.0.1:${port}/chat`;
    const result = await runCli(["serve", "--http-port", "0", "--grpc-port", "0", "--postgres", url]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      `cannot reach PostgreSQL at postgres://ann:***@127.0.0.1:${port}/chat (--postgres)`,
    );
    expect(result.stderr).not.toContain("secret");
    expectOneCleanLine(result.stderr);
  });

  it("rejects --all together with --only", async () => {
    const result = await runCli(["serve", "--all", "--only", "rest"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/cannot be used with/);
  });

  it.each([
    { adapter: "rest", flag: "--http-port" },
    { adapter: "grpc", flag: "--grpc-port" },
  ])("says in one line that the $flag is in use, and exits 1", async ({ adapter, flag }) => {
    const blocker = createServer().listen(0, "127.0.0.1");
    await once(blocker, "listening");
    const { port } = blocker.address() as { port: number };
    try {
      const result = await runCli(["serve", "--only", adapter, flag, String(port)]);
      expect(result.code).toBe(1);
      expect(result.stderr.trim()).toBe(`error: port ${port} on 127.0.0.1 is already in use (${flag})`);
    } finally {
      blocker.close();
    }
  });

  it("says when the server cannot be reached, over HTTP and gRPC", async () => {
    const port = await freePort();
    const http = await runCli(["send", "lobby", "hi", "--url", `http://127.0.0.1:${port}`]);
    expect(http.code).toBe(1);
    expect(http.stderr).toBe(`error: cannot reach http://127.0.0.1:${port}: nothing is listening there\n`);
    const grpc = await runCli(["rooms", "--grpc", `127.0.0.1:${port}`]);
    expect(grpc.code).toBe(1);
    expect(grpc.stderr).toBe(`error: cannot reach 127.0.0.1:${port}: nothing is listening there\n`);
  });

  it("says in a plain sentence when a client talks to the other protocol's port", async () => {
    const server = await startServe(["--only", "rest,grpc"], 2);
    try {
      const grpcAddress = server.grpcAddress as string;
      const httpAddress = new URL(server.httpUrl as string).host;
      const http = await runCli(["rooms", "--url", `http://${grpcAddress}`]);
      expect(http.stderr).toBe(
        `error: cannot reach http://${grpcAddress}: what answers there does not speak HTTP (is it the gRPC port?)\n`,
      );
      const grpc = await runCli(["rooms", "--grpc", httpAddress]);
      expect(grpc.stderr).toBe(
        `error: cannot reach ${httpAddress}: what answers there does not speak gRPC (is it the HTTP port?)\n`,
      );
      const tls = await runCli(["rooms", "--url", `https://${httpAddress}`]);
      expect(tls.stderr).toBe(
        `error: cannot reach https://${httpAddress}: it does not speak TLS (try plaintext: http://, or gRPC without --grpc-ca)\n`,
      );
      const host = await runCli(["rooms", "--url", "http://no-such-host.invalid:8080"]);
      expect(host.stderr).toBe(
        "error: cannot reach http://no-such-host.invalid:8080: that host name does not resolve\n",
      );
    } finally {
      server.child.kill("SIGKILL");
      await server.exit;
    }
  });

  it("shows the stack trace only with --verbose", async () => {
    const port = await freePort();
    const result = await runCli(["--verbose", "rooms", "--url", `http://127.0.0.1:${port}`]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/\n\s+at /);
  });
});
