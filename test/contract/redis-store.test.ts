import { afterEach } from "vitest";
import type { RedisRoomStore } from "../../src/stores/redis/index.js";
import { Disposer } from "../helpers/disposer.js";
import { connectTestStore, dropKeys, testKeyPrefix } from "../helpers/redis.js";
import { TwoProcessStore } from "../helpers/two-process-store.js";
import { describeRoomStoreContract } from "./room-store.contract.js";

const disposer = new Disposer();
afterEach(() => disposer.dispose());

async function connect(historyLimit: number, keyPrefix: string): Promise<RedisRoomStore> {
  return connectTestStore({ historyLimit, keyPrefix });
}

describeRoomStoreContract("RedisRoomStore", async ({ historyLimit }) => {
  const prefix = disposer.add(testKeyPrefix(), dropKeys);
  return connect(historyLimit, prefix);
});

describeRoomStoreContract("two RedisRoomStores on one Redis", async ({ historyLimit }) => {
  const prefix = disposer.add(testKeyPrefix(), dropKeys);
  return new TwoProcessStore(await connect(historyLimit, prefix), await connect(historyLimit, prefix));
});
