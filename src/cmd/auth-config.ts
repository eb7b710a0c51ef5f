import { Authenticator, type AuthMode, type AuthOptions } from "../auth/index.js";
import { readFlagFile } from "./flag-file.js";

/** The serve flags about auth: keys given inline or as files. */
export interface AuthConfig {
  readonly mode: AuthMode;
  readonly secret?: string | undefined;
  readonly secretFile?: string | undefined;
  readonly publicKeyFile?: string | undefined;
  readonly jwksFile?: string | undefined;
}

/**
 * The authenticator the flags describe.
 * @throws Error with a one-line reason: an unreadable file, a bad key, required without a key
 */
export function authenticatorFor(config: AuthConfig): Authenticator {
  const options: AuthOptions = {
    mode: config.mode,
    ...optional("secret", hmacSecret(config)),
    ...optional(
      "publicKey",
      config.publicKeyFile === undefined
        ? undefined
        : readFlagFile(config.publicKeyFile, "--auth-public-key"),
    ),
    ...optional("jwks", config.jwksFile === undefined ? undefined : parseJwks(config.jwksFile)),
  };
  return new Authenticator(options);
}

/** `--auth-secret`, or the first line of `--auth-secret-file`. */
export function hmacSecret(config: Pick<AuthConfig, "secret" | "secretFile">): string | undefined {
  if (config.secret !== undefined) return config.secret;
  if (config.secretFile === undefined) return undefined;
  return readFlagFile(config.secretFile, "--auth-secret-file").split(/\r?\n/)[0];
}

/** The line `serve` prints about auth. */
export function authLine(auth: Authenticator): string {
  return auth.mode === "off"
    ? "auth  off (anyone may post as anyone and delete rooms; --auth required for tokens)"
    : "auth  required (Bearer tokens, the chat_token cookie or ?token=; see `chat-server token`)";
}

function parseJwks(path: string) {
  const text = readFlagFile(path, "--auth-jwks");
  try {
    return JSON.parse(text);
  } catch {
    throw new Error(`--auth-jwks ${path} is not JSON`);
  }
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return value === undefined ? {} : ({ [key]: value } as { [P in K]?: V });
}
