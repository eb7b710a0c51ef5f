import { execFile } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningGrpcServer, startGrpcServer } from "../../src/adapters/grpc/index.js";
import { RoomManager } from "../../src/rooms/index.js";
import { dropSchema, TEST_POSTGRES_URL, testSchema } from "../helpers/postgres.js";

const run = promisify(execFile);
const root = new URL("../../", import.meta.url);
const readme = readFileSync(new URL("README.md", root), "utf8");

interface Example {
  readonly code: string;
  readonly expected: string | undefined;
  readonly line: number;
}

/** Every ```ts block of the README, with the ```text block that follows it (its expected output). */
function typescriptExamples(markdown: string): Example[] {
  const blocks = [...markdown.matchAll(/```(\w*)\n([\s\S]*?)```/g)].map((match) => ({
    lang: match[1],
    body: match[2] as string,
    line: markdown.slice(0, match.index).split("\n").length,
    end: (match.index ?? 0) + match[0].length,
    start: match.index ?? 0,
  }));
  const examples: Example[] = [];
  blocks.forEach((block, i) => {
    if (block.lang !== "ts") return;
    const next = blocks[i + 1];
    const adjacent =
      next !== undefined && next.lang === "text" && markdown.slice(block.end, next.start).trim() === "";
    examples.push({ code: block.body, expected: adjacent ? next.body : undefined, line: block.line });
  });
  return examples;
}

describe("README examples", () => {
  const examples = typescriptExamples(readme);
  // Examples that talk to a server get a fresh one, at the address they name.
  const rooms = new RoomManager();
  let grpc: RunningGrpcServer;
  beforeAll(async () => {
    grpc = await startGrpcServer({ rooms, host: "127.0.0.1", port: 0 });
  });
  // Examples that use PostgreSQL get the test database, in a schema of their own.
  const schema = testSchema();
  afterAll(async () => {
    await grpc.close();
    await rooms.close();
    await dropSchema(schema);
  });

  it("has TypeScript examples to run", () => {
    expect(examples.length).toBeGreaterThanOrEqual(3);
  });

  // Written inside the package so `chat-server/...` imports resolve to the built package by self-reference.
  const dir = new URL("test-results/readme/", root);
  mkdirSync(dir, { recursive: true });

  for (const example of examples) {
    it(`runs the example at README.md line ${example.line} and prints what the README shows`, async () => {
      const file = new URL(`example-${example.line}.mts`, dir);
      const code = example.code
        .replaceAll("127.0.0.1:50051", `127.0.0.1:${grpc.port}`)
        .replaceAll("postgres://postgres@127.0.0.1:5432/chat", TEST_POSTGRES_URL)
        .replaceAll('schema: "chat"', `schema: "${schema}"`);
      writeFileSync(file, code);
      const { stdout } = await run(process.execPath, ["--import", "tsx", file.pathname], { cwd: root });
      if (example.expected !== undefined) expect(stdout).toBe(example.expected);
    });
  }
});
