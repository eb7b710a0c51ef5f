/**
 * Whether `roomId` matches `pattern`: the pattern's `*` stands for any run of
 * characters (none included), everything else for itself. `*` alone matches
 * every room. Room ids are `[A-Za-z0-9_-]`, so no other character needs care.
 */
export function matchesRoom(pattern: string, roomId: string): boolean {
  if (pattern === "*") return true;
  const parts = pattern.split("*");
  if (parts.length === 1) return pattern === roomId;
  const first = parts[0] as string;
  const last = parts[parts.length - 1] as string;
  if (!roomId.startsWith(first) || roomId.length < first.length + last.length) return false;
  let at = first.length;
  for (const middle of parts.slice(1, -1)) {
    const found = roomId.indexOf(middle, at);
    if (found < 0) return false;
    at = found + middle.length;
  }
  return roomId.length - last.length >= at && roomId.endsWith(last);
}
