import { describeSharedManagersProperty } from "../../contract/shared-managers.property.js";
import {
  connectTestStore,
  connectTestStoreOverRedis,
  dropSchema,
  testSchema,
} from "../../helpers/postgres.js";

describeSharedManagersProperty("PostgreSQL database", async (nodeCount) => {
  const schema = testSchema();
  // Connecting at once: the migration lock lets exactly one of them create the schema.
  const stores = await Promise.all(Array.from({ length: nodeCount }, () => connectTestStore({ schema })));
  return { stores, drop: () => dropSchema(schema) };
});

describeSharedManagersProperty("PostgreSQL database and Redis bus", async (nodeCount) => {
  const schema = testSchema();
  const stores = await Promise.all(
    Array.from({ length: nodeCount }, () => connectTestStoreOverRedis({ schema })),
  );
  return { stores, drop: () => dropSchema(schema) };
});
