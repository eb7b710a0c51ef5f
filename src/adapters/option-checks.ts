/**
 * The one check every adapter's numeric option goes through when the
 * adapter resolves its options: a bad value fails at construction, naming
 * the option and echoing what was given, instead of misbehaving later.
 * @throws TypeError when `value` is not a positive safe integer.
 */
export function positiveInteger(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 1) {
    const shown = typeof value === "string" ? JSON.stringify(value) : String(value);
    throw new TypeError(`Expected \`${name}\` to be a positive integer, got ${shown} (${typeof value})`);
  }
  return value;
}
