/**
 * The listeners of one room, by listener id, and its members: several tabs of
 * one user count as one member. Adding or removing an id twice changes nothing.
 */
export class Presence {
  readonly #listeners = new Map<string, string | undefined>();
  readonly #perUser = new Map<string, number>();

  get listeners(): number {
    return this.#listeners.size;
  }

  /** Counts a listener; true when it is `userId`'s first. */
  add(listenerId: string, userId: string | undefined): boolean {
    if (this.#listeners.has(listenerId)) return false;
    this.#listeners.set(listenerId, userId);
    if (userId === undefined) return false;
    const count = this.#perUser.get(userId) ?? 0;
    this.#perUser.set(userId, count + 1);
    return count === 0;
  }

  /** Uncounts a listener; returns its user when it was that user's last. */
  remove(listenerId: string): string | undefined {
    if (!this.#listeners.has(listenerId)) return undefined;
    const userId = this.#listeners.get(listenerId);
    this.#listeners.delete(listenerId);
    if (userId === undefined) return undefined;
    const count = this.#perUser.get(userId) ?? 0;
    if (count <= 1) {
      this.#perUser.delete(userId);
      return userId;
    }
    this.#perUser.set(userId, count - 1);
    return undefined;
  }

  /** Users with at least one listener, sorted. */
  members(): string[] {
    return [...this.#perUser.keys()].sort();
  }
}
