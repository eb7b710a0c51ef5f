/** A PEM certificate (chain) and its private key, for HTTPS/WSS and gRPC over TLS. */
export interface TlsCertificate {
  readonly cert: string | Buffer;
  readonly key: string | Buffer;
}
