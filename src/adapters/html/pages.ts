import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import { Eta } from "eta";
import {
  type Message,
  type RoomInfo,
  type RoomManager,
  RoomNotFoundError,
  validateUserId,
} from "../../rooms/index.js";
import { humanError, humanErrors, type PageErrorCode } from "./human-errors.js";

/** Renders the server-side pages; every value is escaped by eta. */
export class Pages {
  readonly #eta = new Eta({ views: fileURLToPath(new URL("./views", import.meta.url)), cache: true });
  readonly #rooms: RoomManager;
  /** What a person reads for each error code, here and in the room page's script. */
  readonly errorTexts: Readonly<Record<PageErrorCode, string>>;

  constructor(rooms: RoomManager) {
    this.#rooms = rooms;
    this.errorTexts = humanErrors(rooms.maxMessageBytes);
  }

  /** The person's text for an error code. */
  errorText(code: string): string {
    return humanError(this.errorTexts, code);
  }

  /** The index, listing `rooms` (those the visitor may see). */
  async index(
    rooms: readonly RoomInfo[],
    view: { error?: string; requested?: string | undefined } = {},
  ): Promise<string> {
    return this.#eta.render("./index", {
      rooms,
      error: view.error ?? "",
      requested: view.requested ?? "",
      count,
    });
  }

  /**
   * The room page: recent history, members, the form. A room that does not exist yet renders empty.
   * `signedIn`: the user is the token's, so the name field is read-only.
   */
  async room(
    roomId: string,
    view: { user?: string | undefined; signedIn?: boolean; draft?: string; error?: string },
  ): Promise<string> {
    const [room, messages] = await Promise.all([this.findRoom(roomId), this.#recent(roomId)]);
    return this.#eta.render("./room", {
      roomId,
      // A room that does not exist yet has no generated name: it is named by its id.
      name: room?.name ?? roomId,
      members: room?.members ?? [],
      messages,
      lastId: messages.at(-1)?.id ?? "",
      // Which life of the room the page shows: a form post from it into a later one is refused.
      createdAt: room?.createdAt ?? "",
      user: usableName(view.user) ?? `guest-${randomBytes(2).toString("hex")}`,
      signedIn: view.signedIn === true,
      draft: view.draft ?? "",
      error: view.error ?? "",
      maxMessageBytes: this.#rooms.maxMessageBytes,
      errorTexts: JSON.stringify(this.errorTexts),
    });
  }

  /** The room, or `undefined` when there is none of that id. */
  async findRoom(roomId: string): Promise<RoomInfo | undefined> {
    return this.#rooms.getRoom(roomId).catch(ifNotFound(undefined));
  }

  async #recent(roomId: string): Promise<Message[]> {
    return this.#rooms.history(roomId, { limit: 50 }).catch(ifNotFound([]));
  }
}

/** "1 message", "2 messages": the one plural rule of the pages. */
export function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}

function ifNotFound<T>(fallback: T): (error: unknown) => T {
  return (error) => {
    if (error instanceof RoomNotFoundError) return fallback;
    throw error;
  };
}

function usableName(user: unknown): string | undefined {
  try {
    return validateUserId(user);
  } catch {
    return undefined;
  }
}
