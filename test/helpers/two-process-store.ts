import type { BusEvent, HistoryQuery, MessageDraft, RoomStore } from "../../src/rooms/index.js";

/**
 * Two store instances on one shared backend, as two processes have: every write goes
 * through one, every read and every bus subscription through the other.
 */
export class TwoProcessStore implements RoomStore {
  constructor(
    readonly writer: RoomStore,
    readonly reader: RoomStore,
  ) {}

  get healthy(): boolean {
    return this.writer.healthy && this.reader.healthy;
  }
  ensureRoom(roomId: string, name?: string) {
    return this.writer.ensureRoom(roomId, name);
  }
  append(draft: MessageDraft) {
    return this.writer.append(draft);
  }
  read(roomId: string, query: HistoryQuery) {
    return this.reader.read(roomId, query);
  }
  getRoom(roomId: string) {
    return this.reader.getRoom(roomId);
  }
  listRooms() {
    return this.reader.listRooms();
  }
  countRooms() {
    return this.reader.countRooms();
  }
  deleteRoom(roomId: string) {
    return this.writer.deleteRoom(roomId);
  }
  openListener(roomId: string, userId: string | undefined) {
    return this.writer.openListener(roomId, userId);
  }
  closeListener(roomId: string, listenerId: string) {
    return this.writer.closeListener(roomId, listenerId);
  }
  rotateEpoch(roomId: string, epoch: string) {
    return this.writer.rotateEpoch(roomId, epoch);
  }
  subscribe(roomId: string, onEvent: (event: BusEvent) => void) {
    return this.reader.subscribe(roomId, onEvent);
  }
  async close() {
    await Promise.all([this.writer.close(), this.reader.close()]);
  }
}
