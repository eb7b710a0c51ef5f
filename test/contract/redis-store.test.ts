import { afterEach } from "vitest";
import type { RedisRoomStore } from "../../src/stores/redis/index.js";
import { connectTestStore, dropKeys, testKeyPrefix } from "../helpers/redis.js";
import { TwoProcessStore } from "../helpers/two-process-store.js";
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

describeRoomStoreContract("two RedisRoomStores on one Redis", async ({ historyLimit }) => {
  const prefix = testKeyPrefix();
  prefixes.push(prefix);
  return new TwoProcessStore(await connect(historyLimit, prefix), await connect(historyLimit, prefix));
});
