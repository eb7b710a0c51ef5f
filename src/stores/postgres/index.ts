export {
  POSTGRES_DEFAULTS,
  PostgresRoomStore,
  type PostgresStoreOptions,
  type PostgresStoreStats,
  SCHEMA_NAME,
} from "./postgres-store.js";
