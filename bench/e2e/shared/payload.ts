/**
 * The bench message text: `~t<send time, µs>~s<sequence>~` then padding to a
 * realistic size. Receivers find `~t` with a native `indexOf` and read two
 * integers, so parsing costs no string allocation on the hot path.
 */
export const MARK = "~t";

const MARK_BYTES = Buffer.from(MARK, "latin1");
const TILDE = 0x7e;
const LETTER_S = 0x73;
const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;

/**
 * Microseconds on the system-wide monotonic clock (`CLOCK_MONOTONIC`): the
 * publisher and the receivers run in different processes and still agree.
 */
export function nowUs(): number {
  const [seconds, nanos] = process.hrtime();
  return seconds * 1e6 + Math.floor(nanos / 1e3);
}

/** A message text of `size` ASCII bytes that carries its send time and sequence number. */
export function messageText(seq: number, sentUs: number, size: number): string {
  const head = `${MARK}${sentUs}~s${seq}~`;
  return head.length >= size ? head : head + "x".repeat(size - head.length);
}

/** Called once per message found: its send time and sequence number. */
export type RecordSink = (sentUs: number, seq: number) => void;

/**
 * Scans `bytes` from `start` for message records and reports each one.
 * Returns the offset of an incomplete record at the end (to carry over to the
 * next read), or `bytes.length` when nothing is left over; -1 if a record was
 * malformed (the caller counts it). Pass a view that ends where the data ends:
 * `indexOf` would otherwise search stale bytes of a reused read buffer.
 */
export function scanRecords(bytes: Buffer, start: number, sink: RecordSink): number {
  const end = bytes.length;
  let pos = start;
  for (;;) {
    const at = bytes.indexOf(MARK_BYTES, pos);
    if (at === -1) {
      // A lone "~" at the very end may be the first half of the next mark.
      return end > pos && bytes[end - 1] === TILDE ? end - 1 : end;
    }
    let i = at + 2;
    let sent = 0;
    while (i < end && (bytes[i] as number) >= DIGIT_0 && (bytes[i] as number) <= DIGIT_9) {
      sent = sent * 10 + ((bytes[i] as number) - DIGIT_0);
      i++;
    }
    if (i + 1 >= end) return at;
    if (bytes[i] !== TILDE || bytes[i + 1] !== LETTER_S) return -1;
    i += 2;
    let seq = 0;
    while (i < end && (bytes[i] as number) >= DIGIT_0 && (bytes[i] as number) <= DIGIT_9) {
      seq = seq * 10 + ((bytes[i] as number) - DIGIT_0);
      i++;
    }
    if (i >= end) return at;
    if (bytes[i] !== TILDE) return -1;
    sink(sent, seq);
    pos = i + 1;
  }
}
