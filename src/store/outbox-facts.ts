/**
 * Both engines read the facts of a round's events in a few queries (pairs, users, messages,
 * unread counts, held messages, reports: each for all the events at once); this puts each
 * event's facts together from what they read.
 */
import { isErasedEmail, type PairRow } from './rows.js';
import type { HeldMessage, Report } from './types.js';
import type { Message, User, WebhookEvent, WebhookFacts } from './types.js';

/** A reminder's [pair, recipient]: how many of the partner's messages are unread, and the oldest. */
export interface UnreadRow {
  pair_id: number;
  recipient_id: number;
  n: number;
  oldest: number | null;
}

/** What a round read, each by id. */
export interface OutboxReads {
  pairs: ReadonlyMap<number, PairRow>;
  users: ReadonlyMap<number, User>;
  /** Keyed `<pair>:<recipient>`. */
  unread: ReadonlyMap<string, UnreadRow>;
  held: ReadonlyMap<number, HeldMessage>;
  reports: ReadonlyMap<number, Report>;
  messages: ReadonlyMap<number, Message>;
}

/** `items` by their `id`. */
export function byId<T extends { id: number }>(items: readonly T[]): Map<number, T> {
  return new Map(items.map((item) => [Number(item.id), item]));
}

/** The facts of `event` out of `reads`; a message, held message or report that is gone is null. */
export function outboxFacts(event: WebhookEvent, reads: OutboxReads): WebhookFacts {
  const pair = reads.pairs.get(event.pairId)!;
  const message = (id: number | null) => (id === null ? null : (reads.messages.get(id) ?? null));
  const unread = event.recipientId === null ? undefined : reads.unread.get(`${event.pairId}:${event.recipientId}`);
  const report = event.reportId === null ? undefined : reads.reports.get(event.reportId);
  const reported = report === undefined ? null : message(report.messageId);
  const mentor = reads.users.get(pair.mentor_id)!;
  const mentee = reads.users.get(pair.mentee_id)!;
  return {
    mentor,
    mentee,
    message: message(event.messageId),
    unreadCount: unread ? Number(unread.n) : 0,
    oldestUnread: unread ? message(unread.oldest) : null,
    held: event.heldId === null ? null : (reads.held.get(event.heldId) ?? null),
    report: report && reported ? { report, message: reported } : null,
    erased: [mentor, mentee].filter((user) => isErasedEmail(user.email)).length,
  };
}
