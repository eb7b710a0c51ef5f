import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";

const run = promisify(execFile);
const root = fileURLToPath(new URL("../../", import.meta.url));
const npm = process.platform === "win32" ? "npm.cmd" : "npm";

describe("installing the packed tarball into another project", () => {
  const work = mkdtempSync(join(tmpdir(), "chat-server-install-"));
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it("works without running the build, and the bin and every entry point load", {
    timeout: 180_000,
  }, async () => {
    const { stdout: packed } = await run(
      npm,
      ["pack", "--silent", "--ignore-scripts", "--pack-destination", work],
      { cwd: root },
    );
    const tarball = join(work, packed.trim().split("\n").at(-1) as string);
    const project = join(work, "consumer");
    await run("mkdir", ["-p", project]);
    writeFileSync(
      join(project, "package.json"),
      JSON.stringify({ name: "consumer", private: true, type: "module" }),
    );
    await run(npm, ["install", tarball, "--prefer-offline", "--no-audit", "--no-fund", "--ignore-scripts"], {
      cwd: project,
    });

    const script = `
      import { Broadcaster } from "chat-server/broadcast";
      import { RoomManager } from "chat-server/rooms";
      const b = new Broadcaster();
      const sub = b.subscribe();
      b.submit("ok");
      const rooms = new RoomManager();
      const m = await rooms.submit({ roomId: "r", userId: "u", text: "t" });
      console.log((await sub.next()).value, m.roomId);
    `;
    writeFileSync(join(project, "check.mjs"), script);
    const { stdout } = await run(process.execPath, ["check.mjs"], { cwd: project });
    expect(stdout.trim()).toBe("ok r");

    // npm runs these on every install; the tarball ships dist/, so there is nothing to build.
    const installed = JSON.parse(
      readFileSync(join(project, "node_modules/chat-server/package.json"), "utf8"),
    );
    for (const hook of ["preinstall", "install", "postinstall", "prepare"])
      expect(installed.scripts?.[hook], hook).toBeUndefined();

    const help = await run(join(project, "node_modules/.bin/chat-server"), ["--help"], { cwd: project });
    expect(help.stdout).toContain("serve");
  });
});
