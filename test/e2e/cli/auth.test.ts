import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { decodeJwt } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LiveCli, runCli, startServe } from "../../helpers/cli.js";
import { TEST_SECRET } from "../../helpers/tokens.js";

let server: LiveCli & { httpUrl?: string; grpcAddress?: string };
let secretFile: string;

beforeAll(async () => {
  secretFile = join(mkdtempSync(join(tmpdir(), "chat-auth-")), "secret");
  writeFileSync(secretFile, `${TEST_SECRET}\n`);
  server = await startServe(["--auth", "required", "--auth-secret-file", secretFile]);
});
afterAll(async () => {
  server.child.kill("SIGTERM");
  await server.exit;
});

const token = async (...args: string[]) => {
  const issued = await runCli(["token", ...args], { CHAT_AUTH_SECRET: TEST_SECRET });
  expect(issued.stderr).toBe("");
  expect(issued.code).toBe(0);
  return issued.stdout.trim();
};

describe("chat-server token", () => {
  it("issues an HS256 token with the user, room patterns, lifetime and admin flag", async () => {
    const before = Math.floor(Date.now() / 1000);
    const claims = decodeJwt(await token("--user", "ann", "--rooms", "team-*, lobby", "--ttl", "2h"));
    expect(claims).toMatchObject({
      sub: "ann",
      rooms: { subscribe: ["team-*", "lobby"], publish: ["team-*", "lobby"] },
    });
    expect(claims.admin).toBeUndefined();
    expect((claims.exp as number) - (claims.iat as number)).toBe(7200);
    expect(claims.iat as number).toBeGreaterThanOrEqual(before);
    const reader = decodeJwt(await token("--user", "bob", "--read-only", "--admin"));
    expect(reader).toMatchObject({ rooms: { subscribe: ["*"], publish: [] }, admin: true });
  });

  it("says in one line what is missing without a secret, or with a bad one", async () => {
    const missing = await runCli(["token", "--user", "ann"]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe(
      "error: token needs --auth-secret or --auth-secret-file (or CHAT_AUTH_SECRET)\n",
    );
    const unreadable = await runCli(["token", "--user", "ann", "--auth-secret-file", "/nonexistent/secret"]);
    expect(unreadable.stderr).toBe("error: --auth-secret-file /nonexistent/secret cannot be read (ENOENT)\n");
    const short = await runCli(["token", "--user", "ann", "--auth-secret", "short"]);
    expect(short.code).toBe(1);
    expect(short.stderr).toMatch(/^error: .*32 bytes/);
  });
});

describe("serve --auth required", () => {
  it("says so at start-up", () => {
    expect(server.stdout()).toMatch(/^auth {2}required /m);
  });

  it("refuses a serve that has no key to verify with", async () => {
    const refused = await runCli(["serve", "--auth", "required", "--http-port", "0", "--only", "rest"]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^error: .*(secret|key)/);
  });

  describe.each([
    { transport: "HTTP", flags: () => ["--url", server.httpUrl as string] },
    { transport: "gRPC", flags: () => ["--grpc", server.grpcAddress as string] },
    { transport: "WebSocket", flags: () => ["--url", server.httpUrl as string, "--ws"] },
  ])("the client commands over $transport", ({ transport, flags }) => {
    const room = `team-${transport.toLowerCase()}`;

    it("send with --token (or CHAT_TOKEN) posts as the token's user; without one it fails in one line", async () => {
      const ann = await token("--user", "ann", "--rooms", "team-*");
      const sent = await runCli([
        "send",
        room,
        "with a token",
        "--user",
        "mallory",
        "--token",
        ann,
        ...flags(),
      ]);
      expect(sent.stderr).toBe("");
      expect(sent.code).toBe(0);
      const fromEnv = await runCli(["send", room, "from the env", ...flags()], { CHAT_TOKEN: ann });
      expect(fromEnv.code).toBe(0);
      const response = await fetch(`${server.httpUrl}/room/${room}/messages`, {
        headers: { authorization: `Bearer ${ann}` },
      });
      const { messages } = (await response.json()) as { messages: { userId: string; text: string }[] };
      expect(messages.map((m) => [m.userId, m.text])).toEqual([
        ["ann", "with a token"],
        ["ann", "from the env"],
      ]);
      const refused = await runCli(["send", room, "without", "--user", "ann", ...flags()]);
      expect(refused.code).toBe(1);
      expect(refused.stderr.trim().split("\n")).toHaveLength(1);
      expect(refused.stderr).toMatch(/token/i);
    });
  });
});
