export { REDIS_DEFAULTS } from "./connect.js";
export { RedisRoomStore, type RedisStoreOptions, type RedisStoreStats } from "./redis-store.js";
export { RedisRoomBus, type RedisRoomBusOptions } from "./room-bus.js";
