import type { Ref } from "./frames.js";

/** What a client's text frame asks for, or why it cannot be read. */
export type ClientFrame =
  | {
      readonly kind: "submit";
      readonly text: string;
      /** Who posts, when the frame says (a socket without `?userId=` needs it). */
      readonly userId: string | undefined;
      readonly ref: Ref | undefined;
    }
  | {
      readonly kind: "invalid";
      readonly code: string;
      readonly message: string;
      readonly ref: Ref | undefined;
    };

/** Longest `ref` echoed back, in characters. */
export const MAX_REF_LENGTH = 128;

/**
 * Reads a client's text frame. A frame whose first non-blank character is `{`
 * is a protocol frame: `{"type":"submit","text":"...","userId"?,"ref"?}`
 * (`ref` a string of at most 128 characters or a number). Anything else is a plain
 * line, submitted as the message text without one trailing line break, so a
 * terminal client such as `websocat` is a chat client. (To post a text that
 * starts with `{`, use the JSON form.)
 */
export function parseClientFrame(data: string): ClientFrame {
  if (!/^\s*\{/.test(data)) {
    return { kind: "submit", text: data.replace(/\r?\n$/, ""), userId: undefined, ref: undefined };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(data);
  } catch {
    return invalid("malformed_json", 'Expected JSON such as {"type":"submit","text":"hi"}', undefined);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    return invalid(
      "invalid_frame",
      'Expected a JSON object such as {"type":"submit","text":"hi"}',
      undefined,
    );
  }
  const frame = parsed as Record<string, unknown>;
  const ref = frame.ref;
  const validRef =
    ref === undefined ||
    (typeof ref === "string" && ref.length <= MAX_REF_LENGTH) ||
    (typeof ref === "number" && Number.isFinite(ref));
  if (!validRef) {
    return invalid(
      "invalid_frame",
      `Expected \`ref\` to be a number or a string of at most ${MAX_REF_LENGTH} characters`,
      undefined,
    );
  }
  const echoed = ref as Ref | undefined;
  if (frame.type !== "submit") {
    return invalid(
      "invalid_frame",
      `Expected \`type\` to be "submit", got ${JSON.stringify(frame.type) ?? "nothing"}`,
      echoed,
    );
  }
  // Text and user id (type, emptiness, size) are validated by the rooms module, like every transport's.
  return {
    kind: "submit",
    text: frame.text as string,
    userId: frame.userId as string | undefined,
    ref: echoed,
  };
}

function invalid(code: string, message: string, ref: Ref | undefined): ClientFrame {
  return { kind: "invalid", code, message, ref };
}
