import { ROOMS_SCHEMA } from "./001-rooms.js";
import { RATE_BUCKETS_SCHEMA } from "./002-rate-buckets.js";
import { CREATED_AT_SCHEMA } from "./003-created-at.js";

export interface Migration {
  /** Applied in increasing order; never renumbered once released. */
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

/** Every schema version, oldest first. Add new ones at the end; never edit a released one. */
export const MIGRATIONS: readonly Migration[] = [
  { version: 1, name: "rooms", sql: ROOMS_SCHEMA },
  { version: 2, name: "rate buckets", sql: RATE_BUCKETS_SCHEMA },
  { version: 3, name: "room created no later than its first message", sql: CREATED_AT_SCHEMA },
];
