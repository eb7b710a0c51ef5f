/**
 * Just enough protobuf for the bench's two requests (strings only), so the
 * gRPC client skips proto-loader's encode/decode: the generator reads the
 * raw `Event` bytes, where a message's text sits verbatim.
 */
export function encodeStrings(fields: readonly (string | undefined)[]): Buffer {
  const parts: Buffer[] = [];
  fields.forEach((value, index) => {
    if (value === undefined || value === "") return;
    const bytes = Buffer.from(value, "utf8");
    parts.push(Buffer.from([((index + 1) << 3) | 2, ...varint(bytes.length)]), bytes);
  });
  return Buffer.concat(parts);
}

function varint(value: number): number[] {
  const out: number[] = [];
  let rest = value;
  while (rest > 0x7f) {
    out.push((rest & 0x7f) | 0x80);
    rest >>>= 7;
  }
  out.push(rest);
  return out;
}

/** `chat.v1.Event` field numbers: the first byte of an encoded event is its tag. */
export const EVENT_TAG_READY = (1 << 3) | 2;
export const EVENT_TAG_MESSAGE = (2 << 3) | 2;
