import { afterEach } from "vitest";
import type { BusEvent, HistoryQuery, MessageDraft, RoomStore } from "../../src/rooms/index.js";
import type { RedisRoomStore } from "../../src/stores/redis/index.js";
import { connectTestStore, dropKeys, testKeyPrefix } from "../helpers/redis.js";
import { describeRoomStoreContract } from "./room-store.contract.js";

const prefixes: string[] = [];
afterEach(async () => {
  for (const prefix of prefixes.splice(0)) await dropKeys(prefix);
});

async function connect(historyLimit: number, keyPrefix: string): Promise<RedisRoomStore> {
  return connectTestStore({ historyLimit, keyPrefix });
}

describeRoomStoreContract("RedisRoomStore", async ({ historyLimit }) => {
  const prefix = testKeyPrefix();
  prefixes.push(prefix);
  return connect(historyLimit, prefix);
});

/**
 * Two store instances on one Redis, as two processes have: every write goes
 * through one, every read and every bus subscription through the other.
 */
class TwoProcessStore implements RoomStore {
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

describeRoomStoreContract("two RedisRoomStores on one Redis", async ({ historyLimit }) => {
  const prefix = testKeyPrefix();
  prefixes.push(prefix);
  return new TwoProcessStore(await connect(historyLimit, prefix), await connect(historyLimit, prefix));
});
