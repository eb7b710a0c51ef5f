import type { TlsCertificate } from "../adapters/shared/index.js";
import { readFlagFile } from "./flag-file.js";

/** `--tls-cert` and `--tls-key`: PEM files, both or neither. */
export interface TlsConfig {
  readonly certFile?: string | undefined;
  readonly keyFile?: string | undefined;
}

/**
 * The certificate the flags name, for the HTTP and gRPC ports; `undefined`: plaintext.
 * @throws Error with a one-line reason: one flag without the other, an unreadable file
 */
export function tlsCertificateFor(config: TlsConfig | undefined): TlsCertificate | undefined {
  if (config?.certFile === undefined && config?.keyFile === undefined) return undefined;
  if (config.certFile === undefined || config.keyFile === undefined) {
    throw new Error("--tls-cert and --tls-key go together: give both PEM files, or neither for plaintext");
  }
  return {
    cert: readFlagFile(config.certFile, "--tls-cert"),
    key: readFlagFile(config.keyFile, "--tls-key"),
  };
}
