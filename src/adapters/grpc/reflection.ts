import { createRequire } from "node:module";
import type { PackageDefinition } from "@grpc/proto-loader";
import { ReflectionService } from "@grpc/reflection";
import { loadReflectionProtos } from "./proto.js";

// The descriptors @grpc/proto-loader derives from protobufjs name their files
// after the package (`chat_v1.proto`), list no imports and use relative type
// names. grpcurl and buf resolve types strictly through declared imports, so
// with them `describe chat.v1.ChatService` fails on google.protobuf.Timestamp
// (grpc/grpc-node#2958, fullstorydev/grpcurl#459). This file rewrites them as
// protoc would: canonical file names, declared dependencies, fully-qualified
// type names and JSON names.

/** The canonical file name of each proto package the server reflects. */
const FILE_NAMES: Readonly<Record<string, string>> = {
  "chat.v1": "chat.proto",
  "grpc.health.v1": "grpc/health/v1/health.proto",
  // protobufjs puts every google.protobuf type loaded into one file: only Timestamp is used.
  "google.protobuf": "google/protobuf/timestamp.proto",
};

interface FieldProto {
  name: string;
  typeName?: string;
  jsonName?: string;
}
interface MessageProto {
  name: string;
  field?: FieldProto[];
  nestedType?: MessageProto[];
  enumType?: { name: string }[];
  options?: { mapEntry?: boolean };
}
interface FileProto {
  name: string;
  package: string;
  dependency?: string[];
  messageType?: MessageProto[];
  enumType?: { name: string }[];
  service?: { method?: { inputType?: string; outputType?: string }[] }[];
}
interface FileProtoCodec {
  decode(bytes: Uint8Array): FileProto;
  encode(file: FileProto): { finish(): Uint8Array };
}

/**
 * The descriptor codec of the protobufjs that @grpc/proto-loader itself uses
 * (it made the descriptors), reached through proto-loader's own resolution.
 */
function fileProtoCodec(): FileProtoCodec {
  const fromProtoLoader = createRequire(createRequire(import.meta.url).resolve("@grpc/proto-loader"));
  return (fromProtoLoader("protobufjs/ext/descriptor") as { FileDescriptorProto: FileProtoCodec })
    .FileDescriptorProto;
}

/** Server reflection (v1 and v1alpha) over chat.proto and the health proto, with protoc-like descriptors. */
export function createReflectionService(): ReflectionService {
  const definition = loadReflectionProtos();
  const codec = fileProtoCodec();
  const files = uniqueFileProtos(definition).map((bytes) => codec.decode(bytes));
  const fixed = canonicalize(files).map((file) => codec.encode(file).finish());
  const patched: PackageDefinition = {};
  for (const [name, entry] of Object.entries(definition)) {
    patched[name] = { ...entry, fileDescriptorProtos: fixed } as PackageDefinition[string];
  }
  return new ReflectionService(patched);
}

function uniqueFileProtos(definition: PackageDefinition): Buffer[] {
  const seen = new Set<string>();
  const result: Buffer[] = [];
  for (const entry of Object.values(definition)) {
    for (const bytes of (entry as { fileDescriptorProtos?: Buffer[] }).fileDescriptorProtos ?? []) {
      const key = bytes.toString("base64");
      if (!seen.has(key)) result.push(bytes);
      seen.add(key);
    }
  }
  return result;
}

/** Renames the files, fully qualifies every type reference and declares the imports it needs. */
export function canonicalize(files: FileProto[]): FileProto[] {
  const owner = new Map<string, FileProto>(); // ".pkg.Type" -> file
  for (const file of files) {
    const name = FILE_NAMES[file.package];
    if (name === undefined) throw new Error(`No canonical file name for proto package \`${file.package}\``);
    const types = (file.messageType ?? []).map((m) => m.name);
    if (file.package === "google.protobuf" && types.some((type) => type !== "Timestamp")) {
      throw new Error(`Only google.protobuf.Timestamp has a file name here, got ${types.join(", ")}`);
    }
    file.name = name;
    renameMapEntries(file.messageType ?? []);
    indexTypes(`.${file.package}`, file.messageType ?? [], file.enumType ?? [], file, owner);
  }
  for (const file of files) {
    const dependencies = new Set<string>();
    const qualify = (reference: string, scope: string): string => {
      const full = resolve(reference, scope, owner);
      const target = owner.get(full);
      if (target !== undefined && target !== file) dependencies.add(target.name);
      return full;
    };
    const visit = (scope: string, messages: MessageProto[]) => {
      for (const message of messages) {
        const messageScope = `${scope}.${message.name}`;
        message.field = (message.field ?? []).map((field) => ({
          ...field,
          jsonName: field.jsonName || lowerCamel(field.name),
          ...(field.typeName ? { typeName: qualify(field.typeName, messageScope) } : {}),
        }));
        visit(messageScope, message.nestedType ?? []);
      }
    };
    visit(`.${file.package}`, file.messageType ?? []);
    for (const service of file.service ?? []) {
      for (const method of service.method ?? []) {
        if (method.inputType) method.inputType = qualify(method.inputType, `.${file.package}`);
        if (method.outputType) method.outputType = qualify(method.outputType, `.${file.package}`);
      }
    }
    file.dependency = [...dependencies].sort();
  }
  return files;
}

/** protobufjs names a map's entry type `Statuses`; protoc (and strict clients) expect `StatusesEntry`. */
function renameMapEntries(messages: MessageProto[]): void {
  for (const message of messages) {
    for (const entry of message.nestedType ?? []) {
      if (entry.options?.mapEntry !== true) continue;
      const field = message.field?.find((f) => f.typeName === entry.name);
      if (field === undefined) continue;
      const protocName = `${upperCamel(field.name)}Entry`;
      field.typeName = protocName;
      entry.name = protocName;
    }
    renameMapEntries(message.nestedType ?? []);
  }
}

function indexTypes(
  scope: string,
  messages: MessageProto[],
  enums: { name: string }[],
  file: FileProto,
  owner: Map<string, FileProto>,
): void {
  for (const enumType of enums) owner.set(`${scope}.${enumType.name}`, file);
  for (const message of messages) {
    const full = `${scope}.${message.name}`;
    owner.set(full, file);
    indexTypes(full, message.nestedType ?? [], message.enumType ?? [], file, owner);
  }
}

/** protobuf's scoping rule: look the name up in the innermost scope first, then outwards. */
function resolve(reference: string, scope: string, owner: ReadonlyMap<string, FileProto>): string {
  if (reference.startsWith(".")) return reference;
  for (let at = scope; ; at = at.slice(0, Math.max(0, at.lastIndexOf(".")))) {
    const candidate = `${at}.${reference}`;
    if (owner.has(candidate)) return candidate;
    if (at === "") throw new Error(`Cannot resolve proto type \`${reference}\` from \`${scope}\``);
  }
}

/** protoc's default JSON name: `sent_at` → `sentAt`. */
function lowerCamel(name: string): string {
  return name.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

function upperCamel(name: string): string {
  const camel = lowerCamel(name);
  return camel.charAt(0).toUpperCase() + camel.slice(1);
}
