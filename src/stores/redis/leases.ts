/** One of this process's open listeners, as its room counted it. */
export interface LocalListener {
  readonly epoch: string;
  /** '' for an anonymous listener. */
  readonly userId: string;
}

/**
 * This process's share of presence: its open listeners per room. Rooms it
 * has listeners in are the ones whose lease it renews; a process that dies
 * stops renewing, and the next script on the room uncounts its listeners.
 * One that comes back after its lease ran out counts them again from here.
 */
export class LocalListeners {
  readonly #perRoom = new Map<string, Map<string, LocalListener>>();

  add(roomId: string, listenerId: string, listener: LocalListener): void {
    let room = this.#perRoom.get(roomId);
    if (room === undefined) {
      room = new Map();
      this.#perRoom.set(roomId, room);
    }
    room.set(listenerId, listener);
  }

  remove(roomId: string, listenerId: string): void {
    const room = this.#perRoom.get(roomId);
    if (room?.delete(listenerId) === true && room.size === 0) this.#perRoom.delete(roomId);
  }

  rooms(): string[] {
    return [...this.#perRoom.keys()];
  }

  /** The room's listeners by epoch, as REOPEN takes them: listener id, user, … */
  byEpoch(roomId: string): Map<string, string[]> {
    const groups = new Map<string, string[]>();
    for (const [listenerId, { epoch, userId }] of this.#perRoom.get(roomId) ?? []) {
      const group = groups.get(epoch) ?? [];
      group.push(listenerId, userId);
      groups.set(epoch, group);
    }
    return groups;
  }
}
