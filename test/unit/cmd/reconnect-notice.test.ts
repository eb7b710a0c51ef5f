import { describe, expect, it } from "vitest";
import { ReconnectNotice } from "../../../src/cmd/output.js";

describe("tail's reconnect notice", () => {
  it("on a terminal, counts attempts on its one line, then says the connection is back", () => {
    const screen: string[] = [];
    const notice = new ReconnectNotice({
      err: (line) => screen.push(line),
      rewriteErr: (line) => screen.splice(-1, 1, line),
    });
    notice.lost();
    notice.lost();
    notice.lost();
    expect(screen).toEqual(["-- connection lost, resuming… (attempt 3)"]);
    notice.resumed();
    notice.resumed();
    expect(screen).toEqual([
      "-- connection lost, resuming… (attempt 3)",
      "-- connection back after 3 attempts",
    ]);
    notice.lost();
    expect(screen.at(-1)).toBe("-- connection lost, resuming…");
  });

  it("elsewhere (a pipe, a log file), says it once and once more when back", () => {
    const lines: string[] = [];
    const notice = new ReconnectNotice({ err: (line) => lines.push(line) });
    notice.lost();
    notice.lost();
    notice.resumed();
    expect(lines).toEqual(["-- connection lost, resuming…", "-- connection back after 2 attempts"]);
  });
});
