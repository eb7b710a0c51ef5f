/**
 * The one check every numeric option goes through (the rooms module's, the
 * stores', the adapters') when its module resolves its options: a bad value
 * fails at construction, naming the option and echoing what was given,
 * instead of misbehaving later.
 * @throws TypeError when `value` is not a positive safe integer.
 */
export function positiveInteger(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new TypeError(`Expected \`${name}\` to be a positive integer, got ${shown(value)}`);
  }
  return value;
}

/**
 * The check for a rate or another quantity that may be fractional.
 * @throws TypeError when `value` is not a finite number above 0.
 */
export function positiveNumber(name: string, value: number): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) {
    throw new TypeError(`Expected \`${name}\` to be a number above 0, got ${shown(value)}`);
  }
  return value;
}

function shown(value: unknown): string {
  return `${typeof value === "string" ? JSON.stringify(value) : String(value)} (${typeof value})`;
}
