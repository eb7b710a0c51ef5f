import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const src = fileURLToPath(new URL("../../src/", import.meta.url));

/** Every `.ts` file under src, with the module specifiers it imports or re-exports. */
function sourceImports(): { file: string; specifiers: string[] }[] {
  const files = readdirSync(src, { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".ts"));
  return files.map((file) => {
    const text = readFileSync(join(src, file), "utf8");
    const specifiers = [...text.matchAll(/(?:^|\n)\s*(?:import|export)\b[^;]*?from\s+"([^"]+)"/g)].map(
      (m) => m[1] as string,
    );
    return { file: file.replaceAll("\\", "/"), specifiers };
  });
}

/** Where a relative specifier of `file` lands, relative to src. */
function target(file: string, specifier: string): string {
  return relative(src, join(src, file, "..", specifier)).replaceAll("\\", "/");
}

const modules = sourceImports();
const inFolder = (folder: string) => modules.filter((m) => m.file.startsWith(folder));

describe("layering: broadcast ← rooms ← adapters ← cmd", () => {
  it("finds the source files it checks", () => {
    expect(inFolder("broadcast/").length).toBeGreaterThan(3);
    expect(inFolder("rooms/").length).toBeGreaterThan(5);
  });

  it("keeps src/broadcast free of any import outside its folder (zero runtime dependencies)", () => {
    for (const { file, specifiers } of inFolder("broadcast/")) {
      for (const specifier of specifiers) {
        expect(specifier.startsWith("./"), `${file} imports ${specifier}`).toBe(true);
      }
    }
  });

  it("lets src/rooms reach the broadcast library only through its index", () => {
    for (const { file, specifiers } of inFolder("rooms/")) {
      for (const specifier of specifiers.filter((s) => s.startsWith("."))) {
        const landing = target(file, specifier);
        const allowed = landing.startsWith("rooms/") || landing === "broadcast/index.js";
        expect(allowed, `${file} imports ${specifier}`).toBe(true);
      }
    }
  });

  it("lets adapters use rooms only through its index, and never import cmd or each other", () => {
    const adapterOf = (path: string) => /^adapters\/(rest|html|grpc|ws)\//.exec(path)?.[1];
    for (const { file, specifiers } of inFolder("adapters/")) {
      for (const specifier of specifiers.filter((s) => s.startsWith("."))) {
        const landing = target(file, specifier);
        expect(landing.startsWith("cmd/"), `${file} imports ${specifier}`).toBe(false);
        expect(landing.startsWith("broadcast/"), `${file} imports ${specifier}`).toBe(false);
        if (landing.startsWith("rooms/"))
          expect(landing, `${file} imports ${specifier}`).toBe("rooms/index.js");
        const from = adapterOf(file);
        const to = adapterOf(landing);
        if (from !== undefined && to !== undefined) expect(to, `${file} imports ${specifier}`).toBe(from);
      }
    }
  });

  it("lets stores use rooms only through its index, and never import adapters, cmd or each other", () => {
    const storeOf = (path: string) => /^stores\/([^/]+)\//.exec(path)?.[1];
    expect(inFolder("stores/redis/").length).toBeGreaterThan(2);
    expect(inFolder("stores/postgres/").length).toBeGreaterThan(2);
    for (const { file, specifiers } of inFolder("stores/")) {
      for (const specifier of specifiers.filter((s) => s.startsWith("."))) {
        const landing = target(file, specifier);
        const allowed = landing === "rooms/index.js" || storeOf(landing) === storeOf(file);
        expect(allowed, `${file} imports ${specifier}`).toBe(true);
      }
    }
  });

  it("keeps database drivers out of rooms, broadcast and adapters", () => {
    for (const { file, specifiers } of modules.filter((m) => !/^(stores|cmd)\//.test(m.file))) {
      for (const specifier of specifiers) {
        expect(/^(@redis\/|redis$|pg$)/.test(specifier), `${file} imports ${specifier}`).toBe(false);
      }
    }
  });

  it("keeps the CLI out of every library module", () => {
    for (const { file, specifiers } of modules.filter((m) => !m.file.startsWith("cmd/"))) {
      for (const specifier of specifiers.filter((s) => s.startsWith("."))) {
        expect(target(file, specifier).startsWith("cmd/"), `${file} imports ${specifier}`).toBe(false);
      }
    }
  });
});
