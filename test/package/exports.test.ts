import { execFile } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const run = promisify(execFile);
const root = new URL("../../", import.meta.url);
const dist = new URL("dist/", root);

/** Files and bare packages reachable from a built entry point through static imports. */
function importGraph(entry: URL): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: URL): void => {
    if (files.has(file.href)) return;
    files.add(file.href);
    const text = readFileSync(file, "utf8");
    for (const match of text.matchAll(
      /(?:^|\n)\s*(?:import|export)\b[^;]*?from\s*"([^"]+)"|import\s*"([^"]+)"/g,
    )) {
      const specifier = (match[1] ?? match[2]) as string;
      if (specifier.startsWith(".")) visit(new URL(specifier, file));
      else packages.add(specifier);
    }
  };
  visit(entry);
  return { files, packages };
}

describe("package exports", () => {
  it("builds every exported entry point with its type declarations", () => {
    const pkg = JSON.parse(readFileSync(new URL("package.json", root), "utf8"));
    for (const [name, target] of Object.entries<Record<string, string> | string>(pkg.exports)) {
      if (typeof target === "string") continue;
      expect(existsSync(new URL(target.default as string, root)), `${name} → ${target.default}`).toBe(true);
      expect(existsSync(new URL(target.types as string, root)), `${name} types`).toBe(true);
    }
  });

  it("loads chat-server/broadcast without reaching any package or any file outside dist/broadcast", () => {
    const { files, packages } = importGraph(new URL("broadcast/index.js", dist));
    expect([...packages]).toEqual([]);
    for (const file of files) expect(file.startsWith(new URL("broadcast/", dist).href), file).toBe(true);
  });

  it("loads chat-server/rooms without express, gRPC or eta", () => {
    const { packages } = importGraph(new URL("rooms/index.js", dist));
    for (const name of packages) expect(name).toMatch(/^(node:|unique-names-generator$)/);
  });

  it("imports each entry point by its package name in a fresh Node process", async () => {
    const script = `
      const broadcast = await import("chat-server/broadcast");
      const rooms = await import("chat-server/rooms");
      const all = await import("chat-server");
      console.log(typeof broadcast.Broadcaster, typeof rooms.RoomManager, typeof all.createHttpApp, all.Broadcaster === broadcast.Broadcaster);
    `;
    const { stdout } = await run(process.execPath, ["--input-type=module", "-e", script], { cwd: root });
    expect(stdout.trim()).toBe("function function function true");
  });

  it("passes publint", async () => {
    const { stdout } = await run(
      process.execPath,
      [new URL("node_modules/publint/src/cli.js", root).pathname, "--strict"],
      { cwd: root },
    );
    expect(stdout).not.toMatch(/error|warning/i);
  });
});
