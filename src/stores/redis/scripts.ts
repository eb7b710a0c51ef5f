import { type CommandParser, defineScript, type RedisArgument } from "@redis/client";
import { type RoomKeys, scriptKeys } from "./keys.js";
import { APPEND, CLOSE, DELETE, HEARTBEAT, OPEN, READ, REOPEN, ROTATE, STATE } from "./lua.js";

/** A room script: the room's keys, then its arguments; the reply is parsed by the caller. */
function roomScript(source: string) {
  return defineScript({
    NUMBER_OF_KEYS: 6,
    SCRIPT: source,
    parseCommand(parser: CommandParser, keys: RoomKeys, ...args: RedisArgument[]) {
      for (const key of scriptKeys(keys)) parser.pushKey(key);
      parser.push(...args);
    },
    transformReply: (reply: unknown): unknown => reply,
  });
}

/** Registered with the client, which runs them by SHA and loads them when Redis lacks them. */
export const ROOM_SCRIPTS = {
  chatAppend: roomScript(APPEND),
  chatRead: roomScript(READ),
  chatState: roomScript(STATE),
  chatOpen: roomScript(OPEN),
  chatClose: roomScript(CLOSE),
  chatDelete: roomScript(DELETE),
  chatRotate: roomScript(ROTATE),
  chatHeartbeat: roomScript(HEARTBEAT),
  chatReopen: roomScript(REOPEN),
};
