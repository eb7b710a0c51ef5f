export {
  PostgresRoomStore,
  type PostgresStoreOptions,
  type PostgresStoreStats,
} from "./postgres-store.js";
