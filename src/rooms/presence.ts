/** Listener and member counts of one room: several tabs of one user count as one member. */
export class Presence {
  #listeners = 0;
  readonly #perUser = new Map<string, number>();

  get listeners(): number {
    return this.#listeners;
  }

  /** Counts a listener; true when it is `userId`'s first. */
  add(userId: string | undefined): boolean {
    this.#listeners++;
    if (userId === undefined) return false;
    const count = this.#perUser.get(userId) ?? 0;
    this.#perUser.set(userId, count + 1);
    return count === 0;
  }

  /** Uncounts a listener; true when it was `userId`'s last. */
  remove(userId: string | undefined): boolean {
    this.#listeners = Math.max(0, this.#listeners - 1);
    if (userId === undefined) return false;
    const count = this.#perUser.get(userId) ?? 0;
    if (count <= 1) {
      this.#perUser.delete(userId);
      return count === 1;
    }
    this.#perUser.set(userId, count - 1);
    return false;
  }

  /** Users with at least one listener, sorted. */
  members(): string[] {
    return [...this.#perUser.keys()].sort();
  }
}
