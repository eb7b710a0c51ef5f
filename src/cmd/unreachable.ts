import { ClientError } from "./chat-client.js";

/** Plain reasons for what the network libraries say (Node's errno codes, llhttp's, grpc-js's). */
const REASONS: readonly (readonly [RegExp, string])[] = [
  [/ECONNREFUSED/, "nothing is listening there"],
  [/ENOTFOUND|EAI_AGAIN|Name resolution failed/, "that host name does not resolve"],
  [/ETIMEDOUT|timed? ?out|Deadline/i, "it did not answer in time"],
  [/ECONNRESET|EPIPE|socket hang up/, "the connection was cut"],
  [/WRONG_VERSION_NUMBER/, "it does not speak TLS (try plaintext: http://, or gRPC without --grpc-ca)"],
  [/CERT|certificate/i, "its TLS certificate is not trusted"],
  [/bad port/, "fetch refuses that port (browsers block it too): pick another"],
  [/HPE_/, "what answers there does not speak HTTP (is it the gRPC port?)"],
  [/Protocol error/, "what answers there does not speak gRPC (is it the HTTP port?)"],
];

/** `cannot reach <address>: <why>`, in one plain sentence whatever library failed. */
export function unreachable(address: string, detail: string): ClientError {
  const reason = REASONS.find(([pattern]) => pattern.test(detail))?.[1] ?? "it does not answer";
  return new ClientError("unreachable", `cannot reach ${address}: ${reason}`);
}

/** The codes and messages of an error and its causes, as one string to match reasons in. */
export function errorDetail(error: unknown): string {
  const parts: string[] = [];
  for (let at = error as { code?: unknown; message?: unknown; cause?: unknown } | undefined; at; ) {
    parts.push(String(at.code ?? ""), String(at.message ?? ""));
    at = at.cause as typeof at;
  }
  return parts.join(" ");
}
