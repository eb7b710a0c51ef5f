/**
 * This process's share of presence: how many listeners it has open per room.
 * Rooms it counts are the ones whose lease it renews; a process that dies
 * stops renewing, and the next script on the room uncounts its listeners.
 */
export class LocalListeners {
  readonly #perRoom = new Map<string, number>();

  add(roomId: string): void {
    this.#perRoom.set(roomId, (this.#perRoom.get(roomId) ?? 0) + 1);
  }

  remove(roomId: string): void {
    const count = (this.#perRoom.get(roomId) ?? 0) - 1;
    if (count > 0) this.#perRoom.set(roomId, count);
    else this.#perRoom.delete(roomId);
  }

  rooms(): string[] {
    return [...this.#perRoom.keys()];
  }
}
