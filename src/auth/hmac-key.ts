const MIN_SECRET_BYTES = 32;

/** The HMAC key for `secret`: at least 32 bytes, so a short password cannot be guessed offline from one token. */
export function hmacKey(secret: string): Uint8Array {
  const key = new TextEncoder().encode(secret);
  if (key.length < MIN_SECRET_BYTES) {
    throw new RangeError(`Expected an auth secret of at least ${MIN_SECRET_BYTES} bytes, got ${key.length}`);
  }
  return key;
}
