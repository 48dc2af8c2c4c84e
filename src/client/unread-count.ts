/**
 * A conversation's unread count, and how many times it changed live. A list read from the
 * server before a live change is older than the change: its count must not undo it, so a
 * list's count is taken only when no live change happened since it was asked for.
 */
export class UnreadCount {
  private changes = 0;

  constructor(public count: number) {}

  /** A mark of the live changes so far, taken when a list is asked for. */
  get version(): number {
    return this.changes;
  }

  /** A live change to `count`; false when it was that already. */
  set(count: number): boolean {
    if (this.count === count) return false;
    this.count = count;
    this.changes++;
    return true;
  }

  /** A live change that counts even when the number stays (a read on another device): a list asked for before it is older. */
  overwrite(count: number): void {
    this.count = count;
    this.changes++;
  }

  /** The count of a list asked for at `version`: taken unless something changed live since. */
  listed(count: number, version: number): void {
    if (version === this.changes) this.count = count;
  }
}
