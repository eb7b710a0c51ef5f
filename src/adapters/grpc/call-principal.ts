import type { Metadata } from "@grpc/grpc-js";
import type { Authenticator, Principal } from "../../auth/index.js";

/** The caller of a gRPC call, from its `authorization: Bearer <token>` metadata (grpcurl `-H`). */
export function callPrincipal(metadata: Metadata, auth: Authenticator): Promise<Principal> {
  const header = metadata.get("authorization")[0];
  const match = typeof header === "string" ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  return auth.authenticate(match?.[1]);
}

/** The client's address without its port (`127.0.0.1`, `[::1]`): its rate limits' key when auth is off. */
export function peerAddress(call: { getPeer(): string }): string {
  return call.getPeer().replace(/:\d+$/, "");
}
