import { decodeUtf8Text } from "../../rooms/index.js";

/**
 * Strict protobuf wire-format checking, run before protobufjs decodes a
 * request. protobufjs is lenient: it reads a length past the end of the
 * buffer as what is there, wraps lengths over 32 bits, takes field number 0,
 * and reads a `string` field whatever its wire type, so truncated or garbled
 * bytes decode into a plausible request (a truncated `room_id` became room
 * `A`). Here a request is accepted only if it is a well-formed encoding of
 * its message type; unknown fields are skipped, as proto3 requires.
 */

/** Bytes that are not a well-formed encoding of the expected message. */
export class WireFormatError extends Error {
  override readonly name = "WireFormatError";
}

const VARINT = 0;
const FIXED64 = 1;
const LENGTH_DELIMITED = 2;
const FIXED32 = 5;

/** What a known field needs on the wire. */
interface FieldRule {
  readonly name: string;
  readonly wireType: number;
  /** Repeated numbers may also come packed (length-delimited). */
  readonly packable: boolean;
  /** `string` fields must hold UTF-8. */
  readonly utf8: boolean;
}

/** The rules of a message type, by field number. */
export type MessageRules = ReadonlyMap<number, FieldRule>;

interface FieldDescriptor {
  readonly name: string;
  readonly number: number;
  readonly label?: string;
  readonly type: string;
}

const WIRE_TYPE_BY_FIELD_TYPE: Readonly<Record<string, number>> = {
  TYPE_INT32: VARINT,
  TYPE_INT64: VARINT,
  TYPE_UINT32: VARINT,
  TYPE_UINT64: VARINT,
  TYPE_SINT32: VARINT,
  TYPE_SINT64: VARINT,
  TYPE_BOOL: VARINT,
  TYPE_ENUM: VARINT,
  TYPE_FIXED64: FIXED64,
  TYPE_SFIXED64: FIXED64,
  TYPE_DOUBLE: FIXED64,
  TYPE_FIXED32: FIXED32,
  TYPE_SFIXED32: FIXED32,
  TYPE_FLOAT: FIXED32,
  TYPE_STRING: LENGTH_DELIMITED,
  TYPE_BYTES: LENGTH_DELIMITED,
};

/**
 * The rules of a message type from its descriptor, as @grpc/proto-loader
 * gives it (`requestType.type`). Request messages here hold scalars only: a
 * message-typed field is refused at start-up rather than left unchecked.
 */
export function messageRules(descriptor: { readonly name?: string; readonly field?: unknown }): MessageRules {
  const rules = new Map<number, FieldRule>();
  for (const field of (descriptor.field ?? []) as FieldDescriptor[]) {
    const wireType = WIRE_TYPE_BY_FIELD_TYPE[field.type];
    if (wireType === undefined) {
      throw new TypeError(`Cannot check field \`${descriptor.name}.${field.name}\` of type ${field.type}`);
    }
    const repeated = field.label === "LABEL_REPEATED";
    rules.set(field.number, {
      name: field.name,
      wireType,
      packable: repeated && wireType !== LENGTH_DELIMITED,
      utf8: field.type === "TYPE_STRING",
    });
  }
  return rules;
}

/**
 * Throws WireFormatError unless `bytes` is a well-formed message under
 * `rules`, with UTF-8 in every `string` field (protobufjs would put U+FFFD in
 * place of bad bytes). A `text` field that is not UTF-8 fails the rooms' own
 * rule instead: ValidationError `invalid_text`, as on every transport.
 */
export function checkWireFormat(bytes: Uint8Array, rules: MessageRules): void {
  const reader = { bytes, at: 0 };
  while (reader.at < bytes.length) {
    const tag = readVarint(reader, "tag");
    if (tag > 0xffff_ffff) throw new WireFormatError(`a tag over 32 bits at byte ${reader.at}`);
    const number = Math.floor(tag / 8);
    const wireType = tag % 8;
    if (number === 0) throw new WireFormatError("field number 0");
    const rule = rules.get(number);
    if (
      rule !== undefined &&
      wireType !== rule.wireType &&
      !(rule.packable && wireType === LENGTH_DELIMITED)
    ) {
      throw new WireFormatError(`field \`${rule.name}\` (${number}) with wire type ${wireType}`);
    }
    const start = skipValue(reader, wireType, number);
    if (rule?.utf8 === true) checkUtf8(bytes.subarray(start, reader.at), rule.name);
  }
}

interface Reader {
  readonly bytes: Uint8Array;
  at: number;
}

/** Moves past one value of `wireType`; returns where its payload starts (after a length prefix). */
function skipValue(reader: Reader, wireType: number, number: number): number {
  switch (wireType) {
    case VARINT:
      readVarint(reader, `field ${number}`);
      return reader.at;
    case FIXED64:
      return take(reader, 8, number);
    case FIXED32:
      return take(reader, 4, number);
    case LENGTH_DELIMITED:
      return take(reader, readVarint(reader, `the length of field ${number}`), number);
    default:
      // 3 and 4 are proto2 groups, which proto3 messages never hold; 6 and 7 do not exist.
      throw new WireFormatError(`field ${number} with wire type ${wireType}`);
  }
}

/** Moves past `length` bytes, which must all be there; returns where they start. */
function take(reader: Reader, length: number, number: number): number {
  if (length > reader.bytes.length - reader.at) {
    throw new WireFormatError(`field ${number} runs past the end of the message`);
  }
  const start = reader.at;
  reader.at += length;
  return start;
}

/** A varint of at most 10 bytes (64 bits), as a number (exact up to 2^53, enough for bounds checks). */
function readVarint(reader: Reader, what: string): number {
  let value = 0;
  for (let i = 0; i < 10; i++) {
    const byte = reader.bytes[reader.at++];
    if (byte === undefined) throw new WireFormatError(`${what} is cut short`);
    if (i === 9 && byte > 1) throw new WireFormatError(`${what} is a varint over 64 bits (10 bytes)`);
    value += (byte & 0x7f) * 2 ** (7 * i);
    if (byte < 0x80) return value;
  }
  // Unreachable: a tenth byte either ends the varint (0 or 1) or is over 64 bits.
  throw new WireFormatError(`${what} is a varint over 10 bytes`);
}

function checkUtf8(value: Uint8Array, name: string): void {
  if (name === "text") {
    decodeUtf8Text(value);
    return;
  }
  try {
    decodeUtf8Text(value, name);
  } catch {
    throw new WireFormatError(`field \`${name}\` is not valid UTF-8`);
  }
}
