/**
 * The user's own messages the filter held (waiting for review) or an admin rejected, oldest
 * first: stored, never delivered. An approved one leaves the list and arrives as a message.
 */
import type { UndeliveredMessage } from './api.js';

export class UndeliveredList {
  /** The same array for the list's whole life. */
  readonly items: UndeliveredMessage[] = [];

  /** `changed` hears of every change to `items`. */
  constructor(private readonly changed: () => void = () => {}) {}

  /** Adds `item`, or replaces the one with its `message_id`. */
  set(item: UndeliveredMessage): void {
    const at = this.items.findIndex((known) => known.message_id === item.message_id);
    if (at >= 0) this.items[at] = item;
    else this.items.push(item);
    this.changed();
  }

  /** An admin rejected `messageId`: it stays, with the reason; false when it is not here. */
  reject(messageId: string, reason: string | undefined): boolean {
    const known = this.items.find((item) => item.message_id === messageId);
    if (known) this.set({ ...known, status: 'rejected', reason });
    return known !== undefined;
  }

  /** A message arrived with `clientId`: a held one of that id was approved and leaves; true when one did. */
  delivered(clientId: string | undefined): boolean {
    const approved = clientId === undefined ? -1 : this.items.findIndex((item) => item.client_id === clientId && item.status === 'held');
    if (approved < 0) return false;
    this.items.splice(approved, 1);
    this.changed();
    return true;
  }
}
