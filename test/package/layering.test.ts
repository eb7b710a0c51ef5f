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

/** The module a file belongs to: `adapters/<name>`, `stores/<name>`, a top folder, or `.` for the root index. */
function moduleOf(path: string): string {
  const parts = path.split("/");
  if (parts.length === 1) return ".";
  if (parts[0] === "adapters" || parts[0] === "stores") return `${parts[0]}/${parts[1]}`;
  return parts[0] as string;
}

/** Every kind of module there may be, and the kinds each may import. A module of no kind fails. */
const KINDS = {
  broadcast: { match: /^broadcast$/, may: [] },
  rooms: { match: /^rooms$/, may: ["broadcast"] },
  observability: { match: /^observability$/, may: ["rooms"] },
  store: { match: /^stores\/[^/]+$/, may: ["rooms"] },
  auth: { match: /^auth$/, may: ["rooms"] },
  "adapter-shared": { match: /^adapters\/shared$/, may: ["auth", "rooms", "observability"] },
  adapter: {
    match: /^adapters\/(?!shared$)[^/]+$/,
    may: ["adapter-shared", "auth", "rooms", "observability"],
  },
  cmd: {
    match: /^cmd$/,
    may: ["adapter", "adapter-shared", "auth", "store", "rooms", "observability", "broadcast"],
  },
  root: {
    match: /^\.$/,
    may: ["cmd", "adapter", "adapter-shared", "auth", "rooms", "observability", "broadcast"],
  },
} as const satisfies Record<string, { match: RegExp; may: readonly string[] }>;
type Kind = keyof typeof KINDS;

function kindOf(module: string): Kind | undefined {
  return (Object.keys(KINDS) as Kind[]).find((kind) => KINDS[kind].match.test(module));
}

describe("layering: broadcast ← rooms ← stores | adapters/shared ← adapters ← cmd", () => {
  const folders = [...new Set(modules.map((m) => moduleOf(m.file)))];

  it("finds every module of the tree, and each is of a known kind", () => {
    expect(folders).toEqual(
      expect.arrayContaining(["broadcast", "rooms", "adapters/shared", "adapters/rest", "cmd"]),
    );
    for (const folder of folders) expect(kindOf(folder), `src/${folder} is of no known kind`).toBeDefined();
  });

  it("gives each adapter and store folder a public index.ts", () => {
    for (const folder of folders.filter((f) => f.includes("/"))) {
      expect(
        modules.some((m) => m.file === `${folder}/index.ts`),
        `${folder} has no index.ts`,
      ).toBe(true);
    }
  });

  it("allows only the known arrows between modules, each through the target's index", () => {
    const arrows: string[] = [];
    for (const { file, specifiers } of modules) {
      const from = moduleOf(file);
      for (const specifier of specifiers.filter((s) => s.startsWith("."))) {
        const landing = target(file, specifier);
        const to = moduleOf(landing);
        if (to === from) continue;
        const allowed = (KINDS[kindOf(from) as Kind].may as readonly string[]).includes(kindOf(to) ?? "");
        if (!allowed || landing !== `${to === "." ? "" : `${to}/`}index.js`)
          arrows.push(`${file} → ${specifier}`);
      }
    }
    expect(arrows).toEqual([]);
  });

  it("keeps src/broadcast free of any import outside its folder (zero runtime dependencies)", () => {
    for (const { file, specifiers } of inFolder("broadcast/")) {
      for (const specifier of specifiers) {
        expect(specifier.startsWith("./"), `${file} imports ${specifier}`).toBe(true);
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

  it("knows today's arrows: an adapter importing another, or the shared folder importing an adapter, is refused", () => {
    const refused = (from: string, to: string) =>
      !(KINDS[kindOf(from) as Kind].may as readonly string[]).includes(kindOf(to) ?? "");
    expect(refused("adapters/html", "adapters/rest")).toBe(true);
    expect(refused("adapters/shared", "adapters/html")).toBe(true);
    expect(refused("adapters/ws", "cmd")).toBe(true);
    expect(refused("stores/redis", "stores/postgres")).toBe(true);
    expect(refused("rooms", "adapters/shared")).toBe(true);
    expect(refused("adapters/ws", "adapters/shared")).toBe(false);
  });
});
