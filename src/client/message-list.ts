/**
 * A conversation's stored messages as a page shows them: unique by `message_id` and in `seq`
 * order, whichever way they arrive (history pages before, live messages after, a resume's
 * replay anywhere), each marked as the user's own or not.
 */
import type { ChangeOut, NoticeOut, WireMessage } from '../protocol/frames.js';
import type { HistoryMessage } from './api.js';
import type { ChatMessage } from './conversation-types.js';
import { compareMessageIds } from './message-ids.js';

/** How many characters of the message it answers a reply's preview shows (as the server keeps it). */
const REPLY_PREVIEW_LENGTH = 100;

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

  /**
   * Applies an edit, a deletion or a reaction to the message it names, and a preview of it in
   * the replies; the message, or null when it is not in the list (an older page will bring it
   * as it is now).
   */
  applyChange(change: ChangeOut): ChatMessage | null {
    const message = this.byId.get(change.message_id);
    if (!message) return null;
    if (change.type === 'reaction') {
      const reactions = (message.reactions ??= {});
      const users = (reactions[change.emoji] ?? []).filter((email) => email !== change.user_email);
      if (change.on) users.push(change.user_email);
      if (users.length > 0) reactions[change.emoji] = users;
      else delete reactions[change.emoji];
      return message;
    }
    message.content = change.type === 'message_edited' ? change.content : '';
    if (change.type === 'message_edited') message.edited_at = change.edited_at;
    else message.deleted = true;
    const preview = [...message.content].slice(0, REPLY_PREVIEW_LENGTH).join('');
    for (const reply of this.items) if (reply.reply_preview?.message_id === change.message_id) reply.reply_preview.content = preview;
    return message;
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
