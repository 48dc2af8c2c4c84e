/**
 * The Store's webhook outbox: the events that the transactions of their causes write, and
 * what the sender (webhooks/) and operators do with them.
 */
import type { WebhookEventType, WebhookStatus } from '../protocol/webhooks.js';
import type { Message } from './message-types.js';
import type { HeldMessage } from './moderation.js';
import type { Report } from './reports.js';
import type { User } from './users.js';

/**
 * Whether the store writes webhook events, and when a `message.unread` reminder falls due
 * after a message is stored. Null: no events are written (webhooks are off).
 */
export interface OutboxOptions {
  unreadAfterMs: number;
}

/** One event of the webhook outbox. */
export interface WebhookEvent {
  id: number;
  /** The `webhook-id` of every attempt: unique per event, the receiver's deduplication key. */
  eventId: string;
  type: WebhookEventType;
  pairId: number;
  /** The message of `message.created`. */
  messageId: number | null;
  /** The recipient a `message.unread` reminds. */
  recipientId: number | null;
  /** The held message of `message.held`. */
  heldId: number | null;
  /** The report of `message.reported`. */
  reportId: number | null;
  /** What only the cause knew (a match change's actor and reason, a pair's at-risk reasons). */
  detail: { actor?: string | null; reason?: string | null; reasons?: string[] } | null;
  /** The body as first sent (JSON text), fixed so that every retry sends the same bytes; null before the first attempt. */
  data: string | null;
  status: WebhookStatus;
  attempts: number;
  createdAt: Date;
  /** Where the retry period began: the event's creation, or its last manual retry. */
  windowStart: Date;
  dueAt: Date;
  lastError: string | null;
  finishedAt: Date | null;
}

/** What an event's body is made of, read when it is first sent. */
export interface WebhookFacts {
  mentor: User;
  mentee: User;
  /** The message of `message.created`; null when it is gone. */
  message: Message | null;
  /** For `message.unread`: the recipient's unread messages from the partner, and the oldest of them. */
  unreadCount: number;
  oldestUnread: Message | null;
  /** For `message.held`: the held message; null when it is gone. */
  held: HeldMessage | null;
  /** For `message.reported`: the report and the message it reports; null when gone. */
  report: { report: Report; message: Message } | null;
  /** How many of `mentor` and `mentee` were erased accounts when these were read. */
  erased: number;
}

/** How one attempt ended: delivered, or to be tried again after `retryInMs`, or (null) given up. */
export type WebhookAttempt = { delivered: true } | { delivered: false; error: string; retryInMs: number | null };

/** The body fixed for event `id` at its first attempt (JSON text), or null: nothing is owed. */
export interface WebhookSavedBody {
  id: number;
  data: string | null;
  /** How many of the pair's two users were erased when the body's facts were read (see `WebhookFacts.erased`). */
  erased: number;
}

/** How the attempt at event `id` ended. */
export interface WebhookOutcome {
  id: number;
  attempt: WebhookAttempt;
}

/** How many events wait to be sent, and since when the oldest has. */
export interface WebhookBacklog {
  pending: number;
  oldestCreatedAt: Date | null;
}

export interface OutboxStore {
  /**
   * Claims up to `limit` pending events that are due and not leased, oldest due first, and
   * leases them for `leaseMs`: until the lease runs out no other claim (on any instance)
   * returns them. PostgreSQL claims with `FOR UPDATE SKIP LOCKED`, so concurrent claims never
   * return one event twice.
   */
  claim(limit: number, leaseMs: number): Promise<WebhookEvent[]>;
  /**
   * What the body of each of `events` is built from (the pair's users, the message, the
   * recipient's unread state, the held message, the report), in the order of `events`; read
   * for all of them at once, in a few queries whatever their number.
   */
  facts(events: readonly WebhookEvent[]): Promise<WebhookFacts[]>;
  /**
   * Fixes the bodies of pending events, in one transaction; a `null` body cancels its event
   * instead (a reminder with nothing unread). Events no longer pending are left alone, and so
   * is a body for a pair of which a user was erased since its facts were read (more erased
   * users now than `erased`: it would copy what the erasure emptied; built again, it will
   * not). Resolves with the ids of the events whose body it fixed: the ones to send.
   */
  saveBodies(bodies: readonly WebhookSavedBody[]): Promise<Set<number>>;
  /**
   * Records attempts, in one transaction: each event delivered, due again later, or failed
   * for good, its lease ended. Events no longer pending are left alone.
   */
  recordAttempts(attempts: readonly WebhookOutcome[]): Promise<void>;
  /** Events of `status`, newest first, up to `limit`, older than the event of `beforeId` when given. */
  list(status: WebhookStatus, limit: number, beforeId?: number): Promise<WebhookEvent[]>;
  /** The event with this `webhook-id`, or null. */
  byEventId(eventId: string): Promise<WebhookEvent | null>;
  /** A failed event becomes pending again, due now, with a new retry period; false when it is not failed. */
  retry(eventId: string): Promise<boolean>;
  /** The pending events' count and the oldest one's creation. */
  backlog(): Promise<WebhookBacklog>;
}
