import { afterAll, beforeAll } from "vitest";
import type { PostgresRoomStore } from "../../src/stores/postgres/index.js";
import { connectTestStore, connectTestStoreOverRedis, dropSchema, testSchema } from "../helpers/postgres.js";
import { TwoProcessStore } from "../helpers/two-process-store.js";
import { describeRoomStoreContract } from "./room-store.contract.js";

// One schema for the file (the suite's room ids are unique per test); dropped at the end.
const schema = testSchema();
beforeAll(async () => {
  await (await connect(5)).close();
});
afterAll(() => dropSchema(schema));

function connect(historyLimit: number): Promise<PostgresRoomStore> {
  return connectTestStore({ historyLimit, schema });
}

describeRoomStoreContract("PostgresRoomStore", ({ historyLimit }) => connect(historyLimit));

describeRoomStoreContract(
  "two PostgresRoomStores on one database",
  async ({ historyLimit }) => new TwoProcessStore(await connect(historyLimit), await connect(historyLimit)),
);

describeRoomStoreContract("PostgresRoomStore over a RedisRoomBus", ({ historyLimit }) =>
  connectTestStoreOverRedis({ historyLimit, schema }),
);

describeRoomStoreContract(
  "two PostgresRoomStores on one database and one Redis bus",
  async ({ historyLimit }) =>
    new TwoProcessStore(
      await connectTestStoreOverRedis({ historyLimit, schema }),
      await connectTestStoreOverRedis({ historyLimit, schema }),
    ),
);
