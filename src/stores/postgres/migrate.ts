import type pg from "pg";
import { MIGRATIONS, type Migration } from "./migrations/index.js";

/**
 * Brings `schema` up to the newest version: creates it and the table of
 * applied versions when missing, then applies each missing migration in its
 * own transaction. Several processes starting at once are serialised by an
 * advisory lock, so each version is applied exactly once. Returns the
 * versions this call applied.
 */
export async function migrate(
  pool: pg.Pool,
  schema: string,
  migrations: readonly Migration[] = MIGRATIONS,
): Promise<number[]> {
  const client = await pool.connect();
  const quoted = quoteIdentifier(schema);
  try {
    await client.query("SELECT pg_advisory_lock(hashtext($1))", [`chat-server migrate ${schema}`]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoted}`);
    await client.query(
      `CREATE TABLE IF NOT EXISTS ${quoted}.schema_migrations (
         version integer PRIMARY KEY,
         name text NOT NULL,
         applied_at timestamptz NOT NULL DEFAULT now())`,
    );
    const { rows } = await client.query<{ version: number }>(
      `SELECT version FROM ${quoted}.schema_migrations`,
    );
    const applied = new Set(rows.map((row) => row.version));
    const done: number[] = [];
    for (const migration of migrations) {
      if (applied.has(migration.version)) continue;
      await client.query("BEGIN");
      try {
        await client.query(`SET LOCAL search_path TO ${quoted}`);
        await client.query(migration.sql);
        await client.query(`INSERT INTO ${quoted}.schema_migrations (version, name) VALUES ($1, $2)`, [
          migration.version,
          migration.name,
        ]);
        await client.query("COMMIT");
      } catch (error) {
        await client.query("ROLLBACK");
        throw error;
      }
      done.push(migration.version);
    }
    return done;
  } finally {
    await client
      .query("SELECT pg_advisory_unlock(hashtext($1))", [`chat-server migrate ${schema}`])
      .catch(() => undefined);
    client.release();
  }
}

/** A schema name as an SQL identifier (the only name we cannot pass as a parameter). */
export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
