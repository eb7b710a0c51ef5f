/**
 * The README's multi-process walkthroughs, run line by line as written: each
 * `npx chat-server …` line runs the built CLI (in the background when it
 * ends with `&`), with the README's ports swapped for free ones and its Redis
 * or database address for the test's own (an own redis-server; the test
 * database, in a schema of the test's own).
 */
import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { freePort, killedAtDispose, type LiveCli, runCli, startCli } from "../helpers/cli.js";
import { Disposer } from "../helpers/disposer.js";
import { dropSchema, TEST_POSTGRES_URL, testSchema } from "../helpers/postgres.js";
import { startOwnRedis } from "../helpers/redis-server.js";

const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
const disposer = new Disposer();
afterEach(() => disposer.dispose());

/** The `sh` block under a README heading, as its chat-server command lines. */
function commandsUnder(heading: string): string[] {
  const section = readme.slice(readme.indexOf(`\n${heading}\n`));
  const block = /```sh\n([\s\S]*?)```/.exec(section)?.[1] ?? "";
  return block.split("\n").filter((line) => line.startsWith("npx chat-server "));
}

/** Splits a command line into arguments (double quotes only, as the README uses), without its comment. */
function words(line: string): { args: string[]; background: boolean } {
  const code = line.replace(/\s+#.*$/, "").trim();
  const background = code.endsWith("&");
  const args = [...code.replace(/&$/, "").matchAll(/"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? (m[2] as string));
  return { args: args.slice(2), background };
}

type Swaps = Map<string | RegExp, string>;

async function runWalkthrough(heading: string, swaps: Swaps, env: NodeJS.ProcessEnv) {
  const lines = commandsUnder(heading);
  expect(lines.length).toBe(4);
  const background: LiveCli[] = [];
  let sent: string | undefined;
  for (const line of lines) {
    const { args, background: inBackground } = words(line);
    const swapped = args.map((arg) =>
      [...swaps].reduce((text, [from, to]) => text.replaceAll(from, to), arg),
    );
    expect(swapped.join(" ")).not.toMatch(/\b(8080|8081|50051|50052|6379\b|5432\/chat)/);
    if (inBackground) {
      const cli = killedAtDispose(disposer, startCli(swapped, env));
      background.push(cli);
      // The next line needs this one up: a server listening, a tail with its ready line.
      await cli.waitForStdout((out) => (args[0] === "serve" ? /^store /m.test(out) : /"ready"/.test(out)));
    } else {
      const result = await runCli(swapped, env);
      expect(result.stderr).toBe("");
      expect(result.code).toBe(0);
      sent = result.stdout.trim();
    }
  }
  expect(sent).toMatch(/^[0-9a-z]+-1$/);
  const tail = background.at(-1) as LiveCli;
  const out = await tail.waitForStdout((text) => text.includes(sent as string));
  const message = out
    .split("\n")
    .filter((l) => l.includes('"message"'))
    .map((l) => JSON.parse(l) as { data: { id: string; text: string } })[0];
  expect(message?.data).toMatchObject({ id: sent, text: "hello" });
}

/** The README's ports, as whole numbers only (a free port may contain one of them). */
async function portSwaps(): Promise<Swaps> {
  const swaps: Swaps = new Map();
  for (const port of ["8080", "8081", "50051", "50052"])
    swaps.set(new RegExp(`\\b${port}\\b`, "g"), String(await freePort()));
  return swaps;
}

describe("README: Running several processes", () => {
  it("On Redis: two servers, a tail on one and a send on the other see the same id", async () => {
    const redis = disposer.add(await startOwnRedis(), (r) => r.stop());
    const swaps = await portSwaps();
    swaps.set("redis://127.0.0.1:6379", redis.url);
    await runWalkthrough("### On Redis", swaps, {});
  });

  it("On PostgreSQL: two servers, a tail on one and a send on the other see the same id", async () => {
    const schema = disposer.add(testSchema(), dropSchema);
    const swaps = await portSwaps();
    swaps.set("postgres://postgres@127.0.0.1:5432/chat", TEST_POSTGRES_URL);
    await runWalkthrough("### On PostgreSQL", swaps, { CHAT_POSTGRES_SCHEMA: schema });
  });
});
