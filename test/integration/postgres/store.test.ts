/**
 * The PostgreSQL store against the machine's database, beyond the RoomStore
 * contract: concurrent writers, the per-room lock, migrations, retention by
 * age, and faults caused for real (a backend terminated mid-write, the bus
 * connection terminated).
 */
import pg from "pg";
import { afterEach, describe, expect, it } from "vitest";
import { parseCursor, RoomManager, StoreUnavailableError } from "../../../src/rooms/index.js";
import type { PostgresRoomStore } from "../../../src/stores/postgres/index.js";
import { migrate } from "../../../src/stores/postgres/migrate.js";
import { MIGRATIONS } from "../../../src/stores/postgres/migrations/index.js";
import { expectListenersCountedAgainAfterLapse } from "../../contract/lease-lapse.js";
import { Disposer } from "../../helpers/disposer.js";
import {
  connectTestStore,
  connectTestStoreOverRedis,
  dropSchema,
  sql,
  TEST_POSTGRES_URL,
  testSchema,
} from "../../helpers/postgres.js";
import { RoomListenerReader } from "../../helpers/rooms.js";
import { startTcpProxy } from "../../helpers/tcp-proxy.js";

const disposer = new Disposer();
afterEach(() => disposer.dispose());

/** A fresh schema, dropped after the test. */
function freshSchema(): string {
  return disposer.add(testSchema(), dropSchema);
}

async function store(
  schema: string,
  options: { historyMaxAgeMs?: number; presenceLeaseMs?: number; url?: string } = {},
): Promise<PostgresRoomStore> {
  return disposer.add(await connectTestStore({ schema, ...options }), (s) => s.close());
}

const draft = (roomId: string, text: string) => ({
  roomId,
  userId: "ann",
  text,
  sentAt: new Date().toISOString(),
});

/** A connection of the test's own, holding transactions open. */
async function session(schema: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: TEST_POSTGRES_URL, options: `-c search_path=${schema}` });
  await client.connect();
  return disposer.add(client, (c) => c.end());
}

/** Bounded re-checks of the database's own state (it announces nothing to us). */
async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  let value = await read();
  for (let i = 0; i < 400 && !done(value); i++) {
    await new Promise((resolve) => setTimeout(resolve, 25));
    value = await read();
  }
  return value;
}

describe("PostgresRoomStore", () => {
  it("numbers 300 concurrent submits from three processes into one room 1..300, each once", async () => {
    const schema = freshSchema();
    const writers = await Promise.all([store(schema), store(schema), store(schema)]);
    const appended = await Promise.all(
      Array.from({ length: 300 }, (_, i) =>
        (writers[i % 3] as PostgresRoomStore).append(draft("one", `m${i}`)),
      ),
    );
    const offsets = appended.map((m) => parseCursor(m.id).offset).sort((a, b) => a - b);
    expect(offsets).toEqual(Array.from({ length: 300 }, (_, i) => i + 1));
    expect(new Set(appended.map((m) => parseCursor(m.id).epoch)).size).toBe(1);
    const slice = await writers[0]?.read("one", { limit: 1000 });
    expect(slice?.messages.map((m) => m.id)).toEqual(
      [...appended].sort((a, b) => parseCursor(a.id).offset - parseCursor(b.id).offset).map((m) => m.id),
    );
  });

  it("locks per room: a submit to a room whose row is held waits, while another room's goes through", async () => {
    const schema = freshSchema();
    const chat = await store(schema);
    await chat.append(draft("busy", "first"));
    await chat.append(draft("free", "first"));
    const holder = await session(schema);
    await holder.query("BEGIN");
    await holder.query("SELECT * FROM rooms WHERE room_id = 'busy' FOR UPDATE");

    let busyDone = false;
    const busy = chat.append(draft("busy", "second")).finally(() => {
      busyDone = true;
    });
    // Proof that the busy submit is queued on the row lock, not merely slow.
    await eventually(
      () =>
        sql(`SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%chat_append%'`),
      (rows) => rows.length > 0,
    );
    const free = await chat.append(draft("free", "second"));
    expect(parseCursor(free.id).offset).toBe(2);
    expect(busyDone).toBe(false);
    await holder.query("COMMIT");
    expect(parseCursor((await busy).id).offset).toBe(2);
  });

  it("loses nothing and leaves nothing half-written when the backend of a submit is terminated mid-transaction", async () => {
    const schema = freshSchema();
    const chat = await store(schema);
    await chat.append(draft("lobby", "one"));
    const holder = await session(schema);
    await holder.query("BEGIN");
    await holder.query("SELECT * FROM rooms WHERE room_id = 'lobby' FOR UPDATE");
    // Settled into a value at once, so its rejection is never unhandled while we wait.
    const doomed = chat.append(draft("lobby", "doomed")).then(
      () => "committed",
      (error: unknown) => error,
    );
    const [waiting] = await eventually(
      () =>
        sql<{ pid: number }>(
          `SELECT pid FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%chat_append%'`,
        ),
      (rows) => rows.length > 0,
    );
    await sql("SELECT pg_terminate_backend($1)", [waiting?.pid]);
    expect(await doomed).toBeInstanceOf(StoreUnavailableError);
    await holder.query("COMMIT");

    const next = await chat.append(draft("lobby", "two"));
    expect(parseCursor(next.id).offset).toBe(2);
    const slice = await chat.read("lobby", { limit: 10 });
    expect(slice?.messages.map((m) => m.text)).toEqual(["one", "two"]);
  });

  it("delivers messages committed while its bus connection was terminated: the reconnect resyncs", async () => {
    const schema = freshSchema();
    const [listening, writing] = await Promise.all([store(schema), store(schema)]);
    const rooms = disposer.add(new RoomManager({ store: listening }), (r) => r.close());
    const reader = new RoomListenerReader(await rooms.openListener("lobby"));
    await writing.append(draft("lobby", "before"));
    await reader.untilText("before");

    await sql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1", [
      `chat-server bus ${schema}`,
    ]);
    for (let i = 1; i <= 5; i++) await writing.append(draft("lobby", `during${i}`));
    await reader.untilText("during5");
    expect(reader.messages.map((m) => m.text)).toEqual([
      "before",
      "during1",
      "during2",
      "during3",
      "during4",
      "during5",
    ]);
    expect(reader.error).toBeUndefined();
    const reconnected = await eventually(
      async () => listening.stats.busReconnects,
      (count) => count >= 1,
    );
    expect(reconnected).toBe(1);
    await writing.append(draft("lobby", "after"));
    await reader.untilText("after");
    reader.listener.close();
  });

  it("counts a process's listeners again when it comes back after its lease ran out", async () => {
    const schema = freshSchema();
    const proxy = disposer.add(await startTcpProxy(Number(new URL(TEST_POSTGRES_URL).port)), (p) =>
      p.close(),
    );
    const viaProxy = new URL(TEST_POSTGRES_URL);
    viaProxy.port = String(proxy.port);
    await expectListenersCountedAgainAfterLapse({
      lapsing: await store(schema, { presenceLeaseMs: 600, url: viaProxy.toString() }),
      sweeping: await store(schema, { presenceLeaseMs: 600 }),
      cut: () => proxy.cut(),
      restore: () => proxy.restore(),
    });
  }, 20_000);

  it("deletes messages older than historyMaxAgeMs through the stored_at index", async () => {
    const schema = freshSchema();
    const chat = await store(schema, { historyMaxAgeMs: 60_000 });
    for (const text of ["old1", "old2", "new"]) await chat.append(draft("lobby", text));
    await sql(`UPDATE "${schema}".messages SET stored_at = now() - interval '1 hour' WHERE body LIKE 'old%'`);
    // The sweep runs every 6 s for a 60 s age; wait for it rather than call it.
    const slice = await eventually(
      () => chat.read("lobby", { limit: 10 }),
      (s) => s?.messages.length === 1,
    );
    expect(slice).toMatchObject({ firstOffset: 3, lastOffset: 3, messages: [{ text: "new" }] });
    const [plan] = await sql<{ "QUERY PLAN": string }>(
      `EXPLAIN DELETE FROM "${schema}".messages WHERE stored_at < now() - interval '1 hour'`,
    );
    expect(plan?.["QUERY PLAN"]).not.toMatch(/Seq Scan/);
  }, 20_000);
});

describe("PostgresRoomStore over a RedisRoomBus", () => {
  it("delivers a message whose process died between its commit and its announcement", async () => {
    const schema = freshSchema();
    const dying = disposer.add(
      await connectTestStoreOverRedis({
        schema,
        // The process "dies" here: the announcement never goes out, the call never returns.
        afterCommit: (message) =>
          message.text === "doomed" ? new Promise<void>(() => undefined) : Promise.resolve(),
      }),
      (s) => s.close(),
    );
    const serving = disposer.add(await connectTestStoreOverRedis({ schema }), (s) => s.close());
    const rooms = disposer.add(new RoomManager({ store: serving, positionCheckMs: 200 }), (r) => r.close());
    const reader = new RoomListenerReader(await rooms.openListener("lobby"));
    await dying.append(draft("lobby", "first"));
    await reader.untilText("first");

    void dying.append(draft("lobby", "doomed"));
    // Nothing announces it: the serving process's position check reads it from the database.
    await reader.untilText("doomed");
    expect(reader.messages.map((m) => m.text)).toEqual(["first", "doomed"]);
    await serving.append(draft("lobby", "after"));
    await reader.untilText("after");
    expect(reader.messages.map((m) => parseCursor(m.id).offset)).toEqual([1, 2, 3]);
    reader.listener.close();
  });
});

describe("schema migrations", () => {
  it("apply once when several processes start at once, and a later start applies nothing", async () => {
    const schema = freshSchema();
    await Promise.all([store(schema), store(schema), store(schema)]);
    const versions = await sql<{ version: number }>(`SELECT version FROM "${schema}".schema_migrations`);
    expect(versions.map((v) => v.version)).toEqual(MIGRATIONS.map((m) => m.version));
    const pool = disposer.add(new pg.Pool({ connectionString: TEST_POSTGRES_URL }), (p) => p.end());
    expect(await migrate(pool, schema)).toEqual([]);
  });

  it("apply a new version on top, and roll back a failing one without recording it", async () => {
    const schema = freshSchema();
    const pool = disposer.add(new pg.Pool({ connectionString: TEST_POSTGRES_URL }), (p) => p.end());
    const released = MIGRATIONS.map((m) => m.version);
    expect(await migrate(pool, schema)).toEqual(released);
    const extra = { version: released.length + 1, name: "extra", sql: "CREATE TABLE extra (x integer)" };
    const broken = {
      version: released.length + 2,
      name: "broken",
      sql: "CREATE TABLE half (x integer); SELECT no_such_function()",
    };
    await expect(migrate(pool, schema, [...MIGRATIONS, extra, broken])).rejects.toThrow(/no_such_function/);
    const versions = await sql<{ version: number }>(
      `SELECT version FROM "${schema}".schema_migrations ORDER BY version`,
    );
    expect(versions.map((v) => v.version)).toEqual([...released, extra.version]);
    const half = await sql(`SELECT to_regclass('"${schema}".half') AS half`);
    expect(half[0]?.half).toBeNull();
  });
});
