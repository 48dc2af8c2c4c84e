/**
 * A conversation's stored messages as a page shows them: unique by `message_id` and in `seq`
 * order, whichever way they arrive (history pages before, live messages after, a resume's
 * replay anywhere), each marked as the user's own or not.
 */
import type { NoticeOut, WireMessage } from '../protocol/frames.js';
import type { HistoryMessage } from './api.js';
import type { ChatMessage } from './conversation-types.js';
import { compareMessageIds } from './message-ids.js';

/** Where new messages went: after the others, before them, or among them (the whole list changed). */
export type Placement = 'appended' | 'prepended' | 'reset';

export class MessageList {
  /** In `seq` order; the same array for the list's whole life. */
  readonly items: ChatMessage[] = [];
  private readonly byId = new Map<string, ChatMessage>();

  constructor(private readonly partnerEmail: string) {}

  has(messageId: string): boolean {
    return this.byId.has(messageId);
  }

  /** Adds the messages not seen before (`where` they are expected); null when none was new. */
  add(incoming: readonly HistoryMessage[], where: 'start' | 'end'): { fresh: ChatMessage[]; placement: Placement } | null {
    const fresh: ChatMessage[] = [];
    for (const wire of incoming) {
      if (this.byId.has(wire.message_id)) continue;
      const message: ChatMessage = { ...wire, mine: wire.kind !== 'admin_viewed' && wire.sender_email !== this.partnerEmail };
      this.byId.set(message.message_id, message);
      fresh.push(message);
    }
    if (fresh.length === 0) return null;
    fresh.sort(bySeq);
    const first = fresh[0]!;
    const last = fresh.at(-1)!;
    const head = this.items[0];
    const tail = this.items.at(-1);
    if (where === 'end' && (!tail || bySeq(tail, first) < 0)) {
      this.items.push(...fresh);
      return { fresh, placement: 'appended' };
    }
    if (where === 'start' && (!head || bySeq(last, head) < 0)) {
      this.items.unshift(...fresh);
      return { fresh, placement: 'prepended' };
    }
    this.items.push(...fresh);
    this.items.sort(bySeq);
    return { fresh, placement: 'reset' };
  }

  /** The newest message that is not an admin's notice. */
  newest(): ChatMessage | undefined {
    return this.items.findLast((message) => message.kind !== 'admin_viewed');
  }

  /** Marks read the user's own messages (`mine`) or the partner's, up to `lastReadId` (all when null); true when any changed. */
  markRead(mine: boolean, lastReadId: string | null): boolean {
    let changed = false;
    for (const message of this.items) {
      if (message.mine !== mine || message.is_read) continue;
      if (lastReadId !== null && compareMessageIds(message.message_id, lastReadId) > 0) continue;
      message.is_read = true;
      changed = true;
    }
    return changed;
  }

  /** The partner's messages not read yet. */
  unreadCount(): number {
    return this.items.filter((message) => !message.mine && !message.is_read).length;
  }
}

function bySeq(a: WireMessage, b: WireMessage): number {
  return a.seq - b.seq || compareMessageIds(a.message_id, b.message_id);
}

/** An admin's notice as the list keeps it: a line in the conversation, read, from no one. */
export function noticeMessage(notice: NoticeOut): HistoryMessage {
  const { message_id, seq, timestamp, actor_name } = notice;
  return { message_id, seq, timestamp, actor_name, sender_email: '', sender_name: actor_name, content: '', is_read: true, kind: 'admin_viewed' };
}
