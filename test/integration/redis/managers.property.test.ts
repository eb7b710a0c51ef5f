import { RedisRoomStore } from "../../../src/stores/redis/index.js";
import { describeSharedManagersProperty } from "../../contract/shared-managers.property.js";
import { dropKeys, TEST_REDIS_URL, testKeyPrefix } from "../../helpers/redis.js";

describeSharedManagersProperty("Redis", async (nodeCount) => {
  const prefix = testKeyPrefix();
  const stores = await Promise.all(
    Array.from({ length: nodeCount }, () =>
      RedisRoomStore.connect({ url: TEST_REDIS_URL, keyPrefix: prefix }),
    ),
  );
  return { stores, drop: () => dropKeys(prefix) };
});
