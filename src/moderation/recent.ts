/**
 * A sender's last few messages in a pair that passed the filter, for a short while, so that a
 * number or an address split over two or three messages is seen whole when its last part
 * arrives. Per instance and in memory (a sender whose parts reach two instances is seen by
 * each alone); bounded: at most `PARTS` messages a sender and `MAX_SENDERS` senders, the
 * longest unheard first to go.
 */

/** Whose messages: the sender's id in the pair's id. Built from ids, never from text. */
export interface SenderKey {
  pairId: number;
  senderId: number;
}

const PARTS = 3;
const WINDOW_MS = 5 * 60_000;
const MAX_SENDERS = 10_000;
/** Parts longer than this are conversation, not a detail typed in pieces. */
export const MAX_PART_LENGTH = 60;

export class RecentMessages {
  private readonly bySender = new Map<string, Array<{ text: string; at: number }>>();

  constructor(private readonly now: () => number = Date.now) {}

  /** The sender's recent parts, oldest first. */
  of(sender: SenderKey): string[] {
    const key = keyOf(sender);
    const parts = this.bySender.get(key);
    if (!parts) return [];
    const since = this.now() - WINDOW_MS;
    const live = parts.filter((part) => part.at >= since);
    if (live.length === 0) this.bySender.delete(key);
    return live.map((part) => part.text);
  }

  add(sender: SenderKey, text: string): void {
    const key = keyOf(sender);
    if (text.length > MAX_PART_LENGTH) {
      this.bySender.delete(key);
      return;
    }
    const parts = this.bySender.get(key) ?? [];
    parts.push({ text, at: this.now() });
    if (parts.length > PARTS - 1) parts.shift();
    // Re-inserted, so that the map's order is the order senders were last heard.
    this.bySender.delete(key);
    this.bySender.set(key, parts);
    if (this.bySender.size > MAX_SENDERS) this.bySender.delete(this.bySender.keys().next().value!);
  }

  /** Once a detail was held, its parts are not used again. */
  forget(sender: SenderKey): void {
    this.bySender.delete(keyOf(sender));
  }
}

const keyOf = (sender: SenderKey) => `${sender.pairId}:${sender.senderId}`;
