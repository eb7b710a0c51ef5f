/**
 * The bad value for an error message. Never calls into the value: an object
 * from a JSON body may carry a `toString` that is not a function (or one that
 * throws), so objects are described by kind only.
 */
export function quote(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value);
  if (value === undefined) return "nothing"; // a missing field: "got undefined (undefined)" reads like a bug
  if (value === null) return "null (null)";
  if (Array.isArray(value)) return "an array (object)";
  if (typeof value === "object") return "an object (object)";
  if (typeof value === "function") return "a function (function)";
  // Primitives (number, boolean, bigint, symbol, undefined) convert without user code.
  return `${String(value)} (${typeof value})`;
}
