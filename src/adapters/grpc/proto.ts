import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { loadSync, type Options, type PackageDefinition } from "@grpc/proto-loader";
import { protoPath as healthProtoPath } from "grpc-health-check";

/**
 * The folder holding `chat.proto`. `src/adapters/grpc` and `dist/adapters/grpc`
 * sit at the same depth, so this resolves from source and from the build.
 */
export const PROTO_DIR: string = fileURLToPath(new URL("../../../proto/", import.meta.url));

/** Absolute path of `chat.proto` (package `chat.v1`), for clients that load it themselves. */
export const CHAT_PROTO_PATH: string = resolve(PROTO_DIR, "chat.proto");

/** Fully-qualified name of the chat service, as reflection and health know it. */
export const CHAT_SERVICE_NAME = "chat.v1.ChatService";

/**
 * How the server (and the tests' client) load `chat.proto`: camelCase fields
 * (`roomId`, `sentAt`: the names grpcurl prints in JSON), enums as their
 * names, defaults filled in (an absent string is `""`), and the `oneof` name
 * (`event`) set to the field present. int64 (Timestamp seconds) as numbers.
 */
export const CHAT_LOADER_OPTIONS: Readonly<Options> = Object.freeze({
  keepCase: false,
  longs: Number,
  enums: String,
  defaults: true,
  oneofs: true,
  includeDirs: [PROTO_DIR],
});

/** `chat.proto` loaded for serving (and for Node clients): see {@link CHAT_LOADER_OPTIONS}. */
export function loadChatProto(): PackageDefinition {
  return loadSync("chat.proto", CHAT_LOADER_OPTIONS);
}

/**
 * `chat.proto` and the health proto with their original snake_case field
 * names, for server reflection: with `keepCase: false` protobufjs would rename
 * the fields in the descriptors, and grpcurl would describe `roomId` instead
 * of `room_id`. File names stay relative (`chat.proto`,
 * `health/v1/health.proto`) so reflection clients resolve imports by name.
 */
export function loadReflectionProtos(): PackageDefinition {
  const healthDir = resolve(dirname(healthProtoPath), "../..");
  return loadSync(["chat.proto", "health/v1/health.proto"], {
    keepCase: true,
    includeDirs: [PROTO_DIR, healthDir],
  });
}
