import type { RoomEvent, RoomInfo } from "../rooms/index.js";

/** One line per event for a person: chat lines, presence lines, and notices. */
export function formatEventLine(event: RoomEvent): string {
  switch (event.type) {
    case "ready": {
      const members = event.members.length === 0 ? "nobody" : event.members.join(", ");
      const resume = event.recovered === false ? "; some messages may be missing" : "";
      return `-- #${event.roomId}: here now: ${members}${resume}`;
    }
    case "message":
      return `[${event.message.sentAt.slice(11, 19)}] ${event.message.userId}: ${event.message.text}`;
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
