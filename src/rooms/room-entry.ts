import type { DeletedEvent, MessageEvent, PresenceEvent } from "./events.js";

/**
 * What a room's local fan-out carries to its listeners: the live events, and
 * `lost`, which ends every listener that receives it with `HistoryLostError`.
 */
export type RoomEntry =
  | { readonly kind: "message"; readonly event: MessageEvent; readonly offset: number }
  | { readonly kind: "presence"; readonly event: PresenceEvent }
  | { readonly kind: "deleted"; readonly event: DeletedEvent }
  | { readonly kind: "lost" };
