import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterEach, describe, expect, it } from "vitest";
import { CLI, freePort, killedAtDispose, startCli } from "../helpers/cli.js";
import { Disposer } from "../helpers/disposer.js";

const run = promisify(execFile);
const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
const disposer = new Disposer();
afterEach(() => disposer.dispose());

/** The `index`th `sh` block of the README's Security section, one command per line (continuations joined). */
function securityLines(index: number): string[] {
  const section = readme.slice(readme.indexOf("\n## Security\n"), readme.indexOf("\n## Configuration\n"));
  const block = [...section.matchAll(/```sh\n([\s\S]*?)```/g)][index]?.[1] ?? "";
  return block
    .replace(/\\\n\s*/g, "")
    .split("\n")
    .filter((line) => line.trim() !== "");
}

/** The README's ports become free ones, `npx chat-server` the built CLI. */
async function adapter(): Promise<{ adapt: (line: string) => string; httpPort: string; grpcPort: string }> {
  const httpPort = String(await freePort());
  const grpcPort = String(await freePort());
  const adapt = (line: string) =>
    line
      .replace(/\s+#.*$/, "")
      .replaceAll("8080", httpPort)
      .replaceAll("50051", grpcPort)
      .replaceAll("npx chat-server", `node ${CLI}`);
  return { adapt, httpPort, grpcPort };
}

describe("README: Security", () => {
  it("runs the walkthrough: a token, a post as its user, 403 and 401, a stream and the CLI", async () => {
    const lines = securityLines(0);
    expect(lines).toHaveLength(9);
    const [secretLine, serveLine, ...rest] = lines as [string, string, ...string[]];
    const ports = await adapter();
    const { httpPort, grpcPort } = ports;
    // The stream is cut after a second.
    const adapt = (line: string) => ports.adapt(line).replace("curl -sN", "curl -sN -m 1");
    const dir = mkdtempSync(join(tmpdir(), "chat-readme-security-"));
    await run("bash", ["-c", adapt(secretLine)], { cwd: dir });

    expect(serveLine).toMatch(/^npx chat-server serve .*&$/);
    const args = adapt(serveLine).replace(/&$/, "").trim().split(/\s+/).slice(2);
    const serve = killedAtDispose(
      disposer,
      startCli(
        args.map((arg) => (arg === "secret.txt" ? join(dir, "secret.txt") : arg)),
        { CHAT_HTTP_PORT: httpPort, CHAT_GRPC_PORT: grpcPort },
      ),
    );
    await serve.waitForStdout((out) => /^auth {2}required/m.test(out));

    // grpcurl is not on this machine: the gRPC metadata is tested with a grpc-js client instead.
    const script = rest.filter((line) => !line.startsWith("grpcurl ")).map(adapt);
    const curlCalls = script.filter((line) => line.startsWith("curl ")).length;
    // Each answer on its own line; curl's exit 28 is the stream cut at its one second.
    const marked = script.map((line) =>
      line.startsWith("curl -sN")
        ? `${line} || [ $? = 28 ]; echo`
        : line.startsWith("curl ")
          ? `${line}; echo`
          : line,
    );
    // `send` has no --url in the README: it talks to the default, which is this server's port here.
    const env = { ...process.env, CHAT_URL: `http://127.0.0.1:${httpPort}` };
    const { stdout } = await run("bash", ["-c", `set -e\n${marked.join("\n")}`], { cwd: dir, env });
    const out = stdout.split("\n");
    expect(curlCalls).toBe(4);
    expect(JSON.parse(out[0] as string)).toMatchObject({ roomId: "team-a", userId: "ann", text: "hi" });
    expect(JSON.parse(out[1] as string)).toMatchObject({ error: { code: "forbidden" } });
    expect(JSON.parse(out[2] as string)).toMatchObject({ error: { code: "unauthenticated" } });
    expect(stdout).toMatch(/event: ready\ndata: \{"roomId":"team-a","members":\["ann"\]/);
    expect(out.filter((line) => line !== "").at(-1)).toMatch(/^[0-9a-z]+-2$/);
  });

  it("runs the TLS lines: a certificate, serve over TLS, curl and the CLI trusting it", async () => {
    const lines = securityLines(1);
    expect(lines).toHaveLength(5);
    const [certLine, serveLine, curlLine, grpcurlLine, sendLine] = lines as [
      string,
      string,
      string,
      string,
      string,
    ];
    expect(grpcurlLine).toMatch(/^grpcurl /); // not on this machine; test/e2e/cli/tls.test.ts calls gRPC over TLS
    const { adapt, httpPort, grpcPort } = await adapter();
    const dir = mkdtempSync(join(tmpdir(), "chat-readme-tls-"));
    await run("bash", ["-c", adapt(certLine)], { cwd: dir });
    const args = adapt(serveLine).split(/\s+/).slice(2);
    const serve = killedAtDispose(
      disposer,
      startCli(
        args.map((arg) => (arg.endsWith(".pem") ? join(dir, arg) : arg)),
        { CHAT_HTTP_PORT: httpPort, CHAT_GRPC_PORT: grpcPort },
      ),
    );
    await serve.waitForStdout((out) => /^auth /m.test(out));
    expect(serve.stdout()).toContain(`https://127.0.0.1:${httpPort}`);
    const curl = await run("bash", ["-c", adapt(curlLine)], { cwd: dir });
    expect(JSON.parse(curl.stdout)).toEqual({ rooms: [] });
    const sent = await run("bash", ["-c", adapt(sendLine)], { cwd: dir });
    expect(sent.stdout.trim()).toMatch(/^[0-9a-z]+-1$/);
  });
});
