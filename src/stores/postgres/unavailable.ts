/**
 * Whether a `pg` failure means the database cannot be reached (or is
 * shutting down), as opposed to a query the database refused. Connection
 * failures carry a Node error code or none at all; SQLSTATE classes 08
 * (connection exception), 57P (operator intervention: shutdown, terminated)
 * and 53 (insufficient resources, e.g. too many connections) are the
 * database saying it cannot serve right now.
 */
export function isUnavailable(error: unknown): boolean {
  if (!(error instanceof Error) || error instanceof TypeError || error instanceof RangeError) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code !== "string") return true;
  return /^(E[A-Z]+|08...|57P..|53...)$/.test(code);
}
