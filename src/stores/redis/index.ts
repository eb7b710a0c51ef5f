export { RedisRoomStore, type RedisStoreOptions, type RedisStoreStats } from "./redis-store.js";
