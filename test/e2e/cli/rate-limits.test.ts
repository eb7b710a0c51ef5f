import { describe, expect, it } from "vitest";
import { killedAtDispose, runCli, startServe } from "../../helpers/cli.js";
import { Disposer } from "../../helpers/disposer.js";

describe("serve --rate-limits on", () => {
  it("refuses posts past the burst with 429 and Retry-After, per client address", async () => {
    const disposer = new Disposer();
    try {
      const server = killedAtDispose(
        disposer,
        await startServe(["--only", "rest", "--rate-limits", "on", "--submits-per-second", "0.5"], 1),
      );
      const post = (text: string) =>
        fetch(`${server.httpUrl}/room/lobby`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ userId: "ann", text }),
        });
      // 0.5 per second: a burst of 2.5, so 2 posts pass.
      expect((await post("one")).status).toBe(201);
      expect((await post("two")).status).toBe(201);
      const refused = await post("three");
      expect(refused.status).toBe(429);
      expect(refused.headers.get("retry-after")).toBe("1");
      expect(await refused.json()).toMatchObject({ error: { code: "rate_limited" } });
    } finally {
      await disposer.dispose();
    }
  });

  it("refuses a rate that is not a positive number", async () => {
    const result = await runCli(["serve", "--rate-limits", "on", "--submits-per-second", "-1"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("Expected a positive number");
  });
});
