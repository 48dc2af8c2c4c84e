/**
 * What Tandem posts to the platform (PROTOCOL.md Part 6): Standard Webhooks requests whose
 * JSON body is `{type, timestamp, data}`, and what operators read about their delivery.
 * Adding an event type is one entry in WEBHOOK_EVENT_TYPES and its `data` in WebhookData.
 */
import type { HistoryMessage, PublicUser, UndeliveredMessage } from './http.js';

/** Every event type, in the order docs/webhooks.md lists them. */
export const WEBHOOK_EVENT_TYPES = [
  'message.created',
  'message.unread',
  'match.created',
  'match.ended',
  'message.held',
  'message.reported',
  'pair.at_risk',
  'pair.recovered',
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/** How far an event has come: waiting (or between retries), sent with a 2xx, given up, or no longer owed. */
export const WEBHOOK_STATUSES = ['pending', 'delivered', 'failed', 'cancelled'] as const;
export type WebhookStatus = (typeof WEBHOOK_STATUSES)[number];

/** `message.created`: the message as history shows it, and whom it was sent to. */
export type MessageCreatedData = HistoryMessage & { receiver_email: string };

/** `message.unread`: a recipient has left a conversation unread for the window. */
export interface MessageUnreadData {
  recipient: PublicUser;
  partner: PublicUser;
  unread_count: number;
  oldest_unread: HistoryMessage;
}

/** `match.created` and `match.ended`: who, by whom (`api:<name>`, an admin's or a participant's email; null when unknown), and why. */
export interface MatchEventData {
  mentor: PublicUser;
  mentee: PublicUser;
  actor: string | null;
  reason: string | null;
}

/**
 * `message.held`: the filter held a message (policy `moderated`). The message as its sender's
 * history shows it (`h<id>`, no `seq`, `status` held, the rule that matched), and whom it was
 * for; the partner has not seen it, and sees it only if an admin approves it (then
 * `message.created` fires).
 */
export type MessageHeldData = Omit<UndeliveredMessage, 'status' | 'reason'> & { status: 'held'; receiver_email: string };

/** `message.reported`: a participant reported a delivered message of their pair. */
export interface MessageReportedData {
  report_id: string;
  /** The reported message as history shows it. */
  message: HistoryMessage;
  reporter: PublicUser;
  reason: string;
}

/** Why a pair is at risk (PROTOCOL.md Part 9), in this order. */
export const AT_RISK_REASONS = ['silent', 'unanswered', 'one_sided', 'reported'] as const;
export type AtRiskReason = (typeof AT_RISK_REASONS)[number];

/**
 * `pair.at_risk`: a pair entered the at-risk state or its reasons changed; `pair.recovered`: it
 * left it (`reasons` empty). Sent once per change, whichever instance noticed it.
 */
export interface PairRiskData {
  mentor: PublicUser;
  mentee: PublicUser;
  reasons: AtRiskReason[];
}

export interface WebhookData {
  'message.created': MessageCreatedData;
  'message.unread': MessageUnreadData;
  'match.created': MatchEventData;
  'match.ended': MatchEventData;
  'message.held': MessageHeldData;
  'message.reported': MessageReportedData;
  'pair.at_risk': PairRiskData;
  'pair.recovered': PairRiskData;
}

/** The body of a webhook request; `timestamp` is when the event happened (ISO-8601). */
export type WebhookBody = { [T in WebhookEventType]: { type: T; timestamp: string; data: WebhookData[T] } }[WebhookEventType];

/** One event as `GET /api/webhooks/deliveries` lists it. */
export interface WebhookDelivery {
  /** The `webhook-id` header of every attempt: the receiver's deduplication key. */
  id: string;
  type: WebhookEventType;
  status: WebhookStatus;
  attempts: number;
  created_at: string;
  /** When the next attempt is due (pending), else null. */
  next_attempt_at: string | null;
  /** Why the last attempt failed (status, timeout, refused connection), or null. */
  last_error: string | null;
  /** When it was delivered, failed or cancelled, or null while pending. */
  finished_at: string | null;
}
