import type { RoomEvent, RoomInfo } from "../rooms/index.js";

/** One line per event for a person: chat lines, presence lines, and notices. */
export function formatEventLine(event: RoomEvent): string {
  switch (event.type) {
    case "ready": {
      const members = event.members.length === 0 ? "nobody" : event.members.join(", ");
      const resume = event.recovered === false ? "; some messages may be missing" : "";
      return `-- #${event.roomId}: here now: ${members}${resume}`;
    }
    case "message": {
      const prefix = `[${event.message.sentAt.slice(11, 19)}] ${event.message.userId}: `;
      // A multi-line message keeps its lines under its first, so it cannot pass for another sender's.
      return prefix + event.message.text.replaceAll("\n", `\n${" ".repeat(prefix.length)}`);
    }
    case "joined":
      return `-- ${event.userId} joined`;
    case "left":
      return `-- ${event.userId} left`;
    case "deleted":
      return `-- #${event.roomId} was deleted`;
  }
}

/** One JSON object per line, for scripts: `{"event":"message","data":{...}}`. */
export function formatEventJson(event: RoomEvent): string {
  const { type, ...rest } = event;
  return JSON.stringify({ event: type, data: event.type === "message" ? event.message : rest });
}

export function formatRoomsTable(rooms: readonly RoomInfo[]): string {
  if (rooms.length === 0) return "no rooms";
  const rows = rooms.map((room) => [
    room.roomId,
    String(room.messageCount),
    room.members.join(",") || "-",
    room.name,
  ]);
  const header = ["ROOM", "MESSAGES", "MEMBERS", "NAME"];
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] as string).length)),
  );
  return [header, ...rows]
    .map((row) =>
      row
        .map((cell, i) => cell.padEnd(widths[i] as number))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}

/** Where `tail` tells a person about the connection (stderr). */
export interface NoticeWriter {
  readonly err: (line: string) => void;
  /** Replaces the last line written; only where that works (a terminal). */
  readonly rewriteErr?: ((line: string) => void) | undefined;
}

/**
 * What `tail` says while the server is away: one line when the connection is
 * lost, whose attempt count a terminal updates in place (elsewhere nothing
 * more is printed), and one line when events flow again.
 */
export class ReconnectNotice {
  readonly #writer: NoticeWriter;
  #attempts = 0;

  constructor(writer: NoticeWriter) {
    this.#writer = writer;
  }

  /** A connection attempt failed, or the open one dropped. */
  lost(): void {
    this.#attempts++;
    if (this.#attempts === 1) this.#writer.err("-- connection lost, resuming…");
    else this.#writer.rewriteErr?.(`-- connection lost, resuming… (attempt ${this.#attempts})`);
  }

  /** An event came: if the connection had been lost, say it is back. */
  resumed(): void {
    if (this.#attempts === 0) return;
    const attempts = this.#attempts === 1 ? "1 attempt" : `${this.#attempts} attempts`;
    this.#writer.err(`-- connection back after ${attempts}`);
    this.#attempts = 0;
  }
}
