import { decodeUtf8Text } from "../../rooms/index.js";

// body-parser would replace bytes that are not UTF-8 with U+FFFD before any
// handler could see them; these run on the raw body first (`verify`).

/** body-parser `verify` for JSON: a UTF-8 body must be valid UTF-8. */
export function checkJsonBytes(_req: unknown, _res: unknown, body: Buffer, encoding: string): void {
  // UTF-16 and UTF-32 bodies are decoded by the parser; their lone surrogates fail `validateText`.
  if (encoding.toLowerCase() === "utf-8") decodeUtf8Text(body, "body");
}

/** A form body's bytes, and the bytes its `%XX` escapes stand for, must be UTF-8. */
export function checkFormBytes(_req: unknown, _res: unknown, body: Buffer): void {
  decodeUtf8Text(body, "body");
  decodeUtf8Text(percentDecoded(body), "body");
}

/**
 * `%XX` escapes as the bytes they stand for; everything else as is. The
 * separators (`&`, `=`, `+`) are ASCII, which no multi-byte sequence holds, so
 * the whole body is valid UTF-8 exactly when each field is.
 */
function percentDecoded(body: Buffer): Buffer {
  if (!body.includes(0x25)) return body; // no "%"
  const out = Buffer.alloc(body.length);
  let length = 0;
  for (let i = 0; i < body.length; i++) {
    const hex = body[i] === 0x25 ? body.subarray(i + 1, i + 3).toString("latin1") : "";
    if (/^[0-9A-Fa-f]{2}$/.test(hex)) {
      out[length++] = Number.parseInt(hex, 16);
      i += 2;
    } else {
      out[length++] = body[i] as number;
    }
  }
  return out.subarray(0, length);
}
