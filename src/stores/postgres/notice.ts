import type { AnnouncedEvent } from "../../rooms/index.js";

/** A notification's payload: a wake-up, never a message body. */
export type Notice =
  | { readonly t: "m"; readonly e: string; readonly o: number }
  | { readonly t: "j" | "l"; readonly e: string; readonly u: string }
  | { readonly t: "d"; readonly e: string };

/** The payload as a notice; undefined when it is not one of ours. */
export function parseNotice(payload: string | undefined): Notice | undefined {
  if (payload === undefined) return undefined;
  let data: unknown;
  try {
    data = JSON.parse(payload);
  } catch {
    return undefined;
  }
  if (typeof data !== "object" || data === null) return undefined;
  const { t, e, o, u } = data as Record<string, unknown>;
  if (typeof e !== "string") return undefined;
  if (t === "m" && typeof o === "number") return { t, e, o };
  if ((t === "j" || t === "l") && typeof u === "string") return { t, e, u };
  if (t === "d") return { t, e };
  return undefined;
}

/** The notice announcing `event`. */
export function noticeOf(event: AnnouncedEvent): Notice {
  switch (event.type) {
    case "message":
      return { t: "m", e: event.epoch, o: event.offset };
    case "joined":
    case "left":
      return { t: event.type === "joined" ? "j" : "l", e: event.epoch, u: event.userId };
    case "deleted":
      return { t: "d", e: event.epoch };
  }
}
