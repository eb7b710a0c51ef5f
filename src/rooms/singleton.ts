import { RoomManager, type RoomManagerOptions } from "./room-manager.js";

let instance: RoomManager | undefined;

/**
 * The process-wide manager the CLI uses. The first call creates it with
 * `options`; later calls return the same instance and ignore their options.
 * Embedders and tests should construct their own `RoomManager` instead.
 */
export function getRoomManager(options?: RoomManagerOptions): RoomManager {
  instance ??= new RoomManager(options);
  return instance;
}
