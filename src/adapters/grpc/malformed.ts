import type { ServiceDefinition } from "@grpc/grpc-js";
import { type ChatStatus, chatStatus } from "./status.js";

const MALFORMED: unique symbol = Symbol("malformed request");

/** What a handler receives instead of a request whose bytes do not decode. */
export interface MalformedRequest {
  readonly [MALFORMED]: string;
}

/**
 * The service definition with forgiving request decoding: grpc-js answers
 * INTERNAL to bytes that are not a valid request message, but that is the
 * client's fault, so handlers get a MalformedRequest and answer
 * INVALID_ARGUMENT (see `malformedStatus`).
 */
export function withMalformedRequests(definition: ServiceDefinition): ServiceDefinition {
  const forgiving = Object.entries(definition).map(([name, method]) => {
    const rpc = `${method.path.split("/")[1] ?? "request"}.${name}`;
    const requestDeserialize = (bytes: Buffer): unknown => {
      try {
        return method.requestDeserialize(bytes);
      } catch {
        return { [MALFORMED]: rpc } satisfies MalformedRequest;
      }
    };
    return [name, { ...method, requestDeserialize }];
  });
  return Object.fromEntries(forgiving) as ServiceDefinition;
}

/** INVALID_ARGUMENT for a MalformedRequest; `undefined` for a well-formed request. */
export function malformedStatus(request: unknown): ChatStatus | undefined {
  if (typeof request !== "object" || request === null || !(MALFORMED in request)) return undefined;
  const rpc = (request as MalformedRequest)[MALFORMED];
  return chatStatus("malformed_request", `The request bytes are not a valid request message for ${rpc}`);
}
