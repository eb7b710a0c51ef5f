import type { ServiceDefinition } from "@grpc/grpc-js";
import type { ServiceDefinition as LoadedServiceDefinition } from "@grpc/proto-loader";
import { type ChatStatus, chatStatus, describeError } from "./status.js";
import { checkWireFormat, messageRules, WireFormatError } from "./wire-format.js";

const MALFORMED: unique symbol = Symbol("malformed request");

/** What a handler receives instead of a request whose bytes are not a valid request message. */
export interface MalformedRequest {
  readonly [MALFORMED]: ChatStatus;
}

/**
 * The service definition with strict, forgiving request decoding (and
 * responses that may come already serialised, as Buffers). Strict: the
 * bytes must be a well-formed encoding of the method's request type
 * (`checkWireFormat`) before protobufjs, which is lenient, decodes them.
 * Forgiving: grpc-js answers INTERNAL to a request that does not decode, but
 * that is the client's fault, so handlers get a MalformedRequest and answer
 * INVALID_ARGUMENT (see `malformedStatus`) without touching any room.
 */
export function withMalformedRequests(definition: LoadedServiceDefinition): ServiceDefinition {
  const forgiving = Object.entries(definition).map(([name, method]) => {
    const rpc = `${method.path.split("/")[1] ?? "request"}.${name}`;
    const rules = messageRules(method.requestType.type);
    const requestDeserialize = (bytes: Buffer): unknown => {
      try {
        checkWireFormat(bytes, rules);
        return method.requestDeserialize(bytes);
      } catch (error) {
        return { [MALFORMED]: statusOf(error, rpc) } satisfies MalformedRequest;
      }
    };
    // Responses already serialised (a stream's events, encoded once for every stream) go out as they are.
    const responseSerialize = (value: unknown): Buffer =>
      Buffer.isBuffer(value) ? value : method.responseSerialize(value as object);
    return [name, { ...method, requestDeserialize, responseSerialize }];
  });
  return Object.fromEntries(forgiving) as ServiceDefinition;
}

function statusOf(error: unknown, rpc: string): ChatStatus {
  const prefix = `The request bytes are not a valid request message for ${rpc}`;
  if (error instanceof WireFormatError) return chatStatus("malformed_request", `${prefix}: ${error.message}`);
  const described = describeError(error);
  // A rule of the rooms module (a text that is not UTF-8) keeps its own code; anything else is malformed.
  return described.known ? described : chatStatus("malformed_request", prefix);
}

/** INVALID_ARGUMENT for a MalformedRequest; `undefined` for a well-formed request. */
export function malformedStatus(request: unknown): ChatStatus | undefined {
  if (typeof request !== "object" || request === null || !(MALFORMED in request)) return undefined;
  return (request as MalformedRequest)[MALFORMED];
}
