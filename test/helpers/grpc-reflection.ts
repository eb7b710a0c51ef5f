import { createRequire } from "node:module";
import { dirname, resolve } from "node:path";
import {
  type ClientDuplexStream,
  type ClientReadableStream,
  credentials,
  type Client as GrpcClient,
  loadPackageDefinition,
  makeClientConstructor,
  type ServiceClientConstructor,
} from "@grpc/grpc-js";
import { loadSync } from "@grpc/proto-loader";
import { service as healthService } from "grpc-health-check";
import type { UnaryCallback } from "../../src/adapters/grpc/index.js";

const require = createRequire(import.meta.url);

/** A FileDescriptorProto, as far as these tests read it. */
export interface FileProto {
  name: string;
  package: string;
  dependency: string[];
  messageType: MessageProto[];
  enumType: { name: string }[];
  service: { name: string; method: { name: string; inputType: string; outputType: string }[] }[];
}
export interface MessageProto {
  name: string;
  field: { name: string; jsonName: string; typeName: string }[];
  nestedType: MessageProto[];
  enumType: { name: string }[];
  options?: { mapEntry?: boolean } | null;
}

/** The descriptor codec of the protobufjs that @grpc/proto-loader uses. */
function decodeFileProto(bytes: Uint8Array): FileProto {
  const fromProtoLoader = createRequire(require.resolve("@grpc/proto-loader"));
  const { FileDescriptorProto } = fromProtoLoader("protobufjs/ext/descriptor") as {
    FileDescriptorProto: {
      decode(b: Uint8Array): unknown;
      toObject(m: unknown, o: object): FileProto;
    };
  };
  return FileDescriptorProto.toObject(FileDescriptorProto.decode(bytes), { arrays: true, defaults: true });
}

interface ReflectionResponse {
  fileDescriptorResponse?: { fileDescriptorProto: Uint8Array[] };
  listServicesResponse?: { service: { name: string }[] };
  errorResponse?: { errorCode: number; errorMessage: string };
}

/**
 * A bare server reflection client, speaking the protocol as grpcurl does:
 * one request per stream, raw FileDescriptorProtos back (no library in
 * between that could smooth over a malformed descriptor).
 */
type ReflectionStub = GrpcClient & {
  ServerReflectionInfo(): ClientDuplexStream<object, ReflectionResponse>;
};

export class RawReflectionClient {
  readonly #client: ReflectionStub;

  constructor(address: string, version: "v1" | "v1alpha") {
    const protoDir = resolve(dirname(require.resolve("@grpc/reflection")), "../proto");
    const file =
      version === "v1" ? "grpc/reflection/v1/reflection.proto" : "grpc/reflection/v1alpha/reflection.proto";
    const definition = loadSync(file, { includeDirs: [protoDir], oneofs: true, defaults: true });
    const grpcObject = loadPackageDefinition(definition) as unknown as {
      grpc: { reflection: Record<string, { ServerReflection: ServiceClientConstructor }> };
    };
    const ServerReflection = grpcObject.grpc.reflection[version]
      ?.ServerReflection as ServiceClientConstructor;
    this.#client = new ServerReflection(address, credentials.createInsecure()) as unknown as ReflectionStub;
  }

  async listServices(): Promise<string[]> {
    const response = await this.#ask({ listServices: "*" });
    return (response.listServicesResponse?.service ?? []).map((s) => s.name);
  }

  /** The file defining `symbol`, then every file it depends on. */
  async fileContainingSymbol(symbol: string): Promise<FileProto[]> {
    return this.#files(await this.#ask({ fileContainingSymbol: symbol }));
  }

  async fileByFilename(name: string): Promise<FileProto[]> {
    return this.#files(await this.#ask({ fileByFilename: name }));
  }

  close(): void {
    this.#client.close();
  }

  #files(response: ReflectionResponse): FileProto[] {
    if (response.errorResponse) throw new Error(response.errorResponse.errorMessage);
    return (response.fileDescriptorResponse?.fileDescriptorProto ?? []).map(decodeFileProto);
  }

  #ask(request: object): Promise<ReflectionResponse> {
    return new Promise((resolve, reject) => {
      const call = this.#client.ServerReflectionInfo();
      call.once("data", (response: ReflectionResponse) => {
        resolve(response);
        call.end();
      });
      call.once("error", reject);
      call.write(request);
    });
  }
}

/**
 * What a strict descriptor consumer (grpcurl, buf, protoc) checks when it
 * links reflected files: every type reference is fully qualified and defined
 * in the file itself or in a file it declares as a dependency, map entry types
 * are named `<Field>Entry`. Returns the problems found.
 */
export function linkProblems(files: FileProto[]): string[] {
  const byName = new Map(files.map((f) => [f.name, f]));
  const problems: string[] = [];
  const definedIn = (file: FileProto): Set<string> => {
    const names = new Set<string>();
    const add = (scope: string, messages: MessageProto[], enums: { name: string }[]) => {
      for (const e of enums) names.add(`${scope}.${e.name}`);
      for (const m of messages) {
        names.add(`${scope}.${m.name}`);
        add(`${scope}.${m.name}`, m.nestedType, m.enumType);
      }
    };
    add(`.${file.package}`, file.messageType, file.enumType);
    return names;
  };
  for (const file of files) {
    const visible = definedIn(file);
    for (const dependency of file.dependency) {
      const imported = byName.get(dependency);
      if (imported === undefined) problems.push(`${file.name}: dependency ${dependency} was not sent`);
      else for (const name of definedIn(imported)) visible.add(name);
    }
    const check = (where: string, reference: string) => {
      if (!reference.startsWith(".")) problems.push(`${where}: ${reference} is not fully qualified`);
      else if (!visible.has(reference)) problems.push(`${where}: ${reference} is not defined or imported`);
    };
    const visit = (scope: string, messages: MessageProto[]) => {
      for (const message of messages) {
        for (const field of message.field) {
          if (field.typeName !== "") check(`${scope}.${message.name}.${field.name}`, field.typeName);
        }
        for (const nested of message.nestedType) {
          if (nested.options?.mapEntry && !nested.name.endsWith("Entry")) {
            problems.push(`${scope}.${message.name}.${nested.name}: map entry not named *Entry`);
          }
        }
        visit(`${scope}.${message.name}`, message.nestedType);
      }
    };
    visit(file.package, file.messageType);
    for (const service of file.service) {
      for (const method of service.method) {
        check(`${service.name}.${method.name} input`, method.inputType);
        check(`${service.name}.${method.name} output`, method.outputType);
      }
    }
  }
  return problems;
}

export interface HealthClient extends GrpcClient {
  Check(request: { service: string }, callback: UnaryCallback<{ status: string }>): void;
  Watch(request: { service: string }): ClientReadableStream<{ status: string }>;
}

/** A client of grpc.health.v1.Health, from the definition grpc-health-check ships. */
export function healthClient(address: string): HealthClient {
  const Health = makeClientConstructor(healthService, "grpc.health.v1.Health");
  return new Health(address, credentials.createInsecure()) as unknown as HealthClient;
}
