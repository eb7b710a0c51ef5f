export { REDIS_DEFAULTS } from "./connect.js";
export { RedisRateBuckets, type RedisRateBucketsOptions } from "./rate-buckets.js";
export { RedisRoomStore, type RedisStoreOptions, type RedisStoreStats } from "./redis-store.js";
export { RedisRoomBus, type RedisRoomBusOptions } from "./room-bus.js";
