/**
 * PostgresStore's side of the webhook outbox: claiming due events for one instance at a
 * time (`FOR UPDATE SKIP LOCKED`, then a lease that outlives the attempt), recording
 * attempts, and what operators list and retry. The events themselves are written by the
 * transactions that cause them (postgres-append.ts, createMatch, endMatch).
 */
import { rowsOf, type Queryable } from './postgres-pool.js';
import { MESSAGE_COLUMNS, PAIR_COLUMNS, USER_COLUMNS, WEBHOOK_COLUMNS, toMessage, toUser, toWebhookEvent } from './rows.js';
import type { MessageRow, PairRow, UserRow, WebhookRow } from './rows.js';
import { HELD_COLUMNS, REPORT_COLUMNS, toHeld, toReport, type HeldRow, type ReportRow } from './safeguarding-rows.js';
import type { WebhookAttempt, WebhookBacklog, WebhookEvent, WebhookFacts } from './types.js';
import type { WebhookEventType, WebhookStatus } from '../protocol/webhooks.js';

/**
 * Locked rows are skipped, not waited for, so instances claiming together each get their
 * own; a row another instance has just leased fails the re-checked condition and is skipped
 * too. The claimed rows are a CTE, run once and kept: as a sub-select of the UPDATE it could
 * be run again when the UPDATE re-checks a row that changed meanwhile, and pick other rows.
 */
const CLAIM = `
  WITH claimed AS (
    SELECT id FROM webhook_events
    WHERE status = 'pending' AND due_at <= now() AND (lease_until IS NULL OR lease_until <= now())
    ORDER BY due_at, id LIMIT $1
    FOR UPDATE SKIP LOCKED)
  UPDATE webhook_events w SET lease_until = now() + $2::bigint * interval '1 millisecond'
  FROM claimed WHERE w.id = claimed.id
  RETURNING ${WEBHOOK_COLUMNS.split(', ').map((column) => `w.${column}`).join(', ')}`;

/**
 * An approved message's `message.created`, and its receiver's reminder unless one is pending,
 * in the approving transaction `tx` (appends write theirs in postgres-append.ts).
 */
export async function insertMessageEvents(tx: Queryable, message: { id: number; pair_id: number; sender_id: number }, unreadAfterMs: number): Promise<void> {
  await rowsOf(tx, `
    WITH created AS (
      INSERT INTO webhook_events (type, pair_id, message_id, created_at, window_start, due_at) VALUES ('message.created', $1, $3, now(), now(), now()))
    INSERT INTO webhook_events (type, pair_id, recipient_id, created_at, window_start, due_at)
    SELECT 'message.unread', id, CASE WHEN mentor_id = $2 THEN mentee_id ELSE mentor_id END, now(), now(), now() + $4::bigint * interval '1 millisecond'
    FROM pairs WHERE id = $1
    ON CONFLICT DO NOTHING`, [message.pair_id, message.sender_id, message.id, unreadAfterMs]);
}

/**
 * Writes one event in the caller's transaction `tx`: a match change's `detail`, or the held
 * message or report it tells of (referenced, not copied).
 */
export async function insertEvent(tx: Queryable, type: WebhookEventType, pairId: number, about: { actor: string | null; reason: string | null } | { held: number } | { report: number }): Promise<void> {
  const held = 'held' in about ? about.held : null;
  const report = 'report' in about ? about.report : null;
  const detail = held === null && report === null ? JSON.stringify(about) : null;
  await rowsOf(tx, `
    INSERT INTO webhook_events (type, pair_id, detail, held_id, report_id, created_at, window_start, due_at)
    VALUES ($1, $2, $3, $4, $5, now(), now(), now())`, [type, pairId, detail, held, report]);
}

export async function claimEvents(db: Queryable, limit: number, leaseMs: number): Promise<WebhookEvent[]> {
  const rows = await rowsOf<WebhookRow>(db, CLAIM, [limit, leaseMs]);
  return rows.map(toWebhookEvent).sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime() || a.id - b.id);
}

export async function eventFacts(db: Queryable, event: WebhookEvent): Promise<WebhookFacts> {
  const [pair] = await rowsOf<PairRow>(db, `SELECT ${PAIR_COLUMNS} FROM pairs WHERE id = $1`, [event.pairId]);
  const users = await rowsOf<UserRow>(db, `SELECT ${USER_COLUMNS} FROM users WHERE id = ANY($1::bigint[])`, [[pair!.mentor_id, pair!.mentee_id]]);
  const user = (id: number) => toUser(users.find((row) => row.id === id)!);
  const byId = async (id: number | null) => {
    if (id === null) return null;
    const [row] = await rowsOf<MessageRow>(db, `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE id = $1`, [id]);
    return row ? toMessage(row) : null;
  };
  let unreadCount = 0;
  let oldestUnread = null;
  if (event.recipientId !== null) {
    const [unread] = await rowsOf<{ n: number; oldest: number | null }>(db,
      "SELECT count(*) AS n, min(id) AS oldest FROM messages WHERE pair_id = $1 AND sender_id <> $2 AND NOT is_read AND kind = 'message'", [event.pairId, event.recipientId]);
    unreadCount = unread!.n;
    oldestUnread = await byId(unread!.oldest);
  }
  let held = null;
  if (event.heldId !== null) {
    const [row] = await rowsOf<HeldRow>(db, `SELECT ${HELD_COLUMNS} FROM held_messages WHERE id = $1`, [event.heldId]);
    held = row ? toHeld(row) : null;
  }
  let report = null;
  if (event.reportId !== null) {
    const [row] = await rowsOf<ReportRow>(db, `SELECT ${REPORT_COLUMNS} FROM reports r JOIN messages m ON m.id = r.message_id WHERE r.id = $1`, [event.reportId]);
    const message = row ? await byId(row.message_id) : null;
    report = row && message ? { report: toReport(row), message } : null;
  }
  return { mentor: user(pair!.mentor_id), mentee: user(pair!.mentee_id), message: await byId(event.messageId), unreadCount, oldestUnread, held, report };
}

export async function setEventData(db: Queryable, id: number, data: string | null): Promise<void> {
  if (data === null) {
    await rowsOf(db, "UPDATE webhook_events SET status = 'cancelled', finished_at = now(), lease_until = NULL WHERE id = $1 AND status = 'pending'", [id]);
  } else {
    await rowsOf(db, "UPDATE webhook_events SET data = $2 WHERE id = $1 AND status = 'pending'", [id, data]);
  }
}

export async function recordAttempt(db: Queryable, id: number, attempt: WebhookAttempt): Promise<void> {
  if (attempt.delivered) {
    await rowsOf(db, `UPDATE webhook_events SET status = 'delivered', attempts = attempts + 1, finished_at = now(), lease_until = NULL, last_error = NULL
                      WHERE id = $1 AND status = 'pending'`, [id]);
  } else if (attempt.retryInMs === null) {
    await rowsOf(db, `UPDATE webhook_events SET status = 'failed', attempts = attempts + 1, finished_at = now(), lease_until = NULL, last_error = $2
                      WHERE id = $1 AND status = 'pending'`, [id, attempt.error]);
  } else {
    await rowsOf(db, `UPDATE webhook_events SET attempts = attempts + 1, due_at = now() + $3::bigint * interval '1 millisecond', lease_until = NULL, last_error = $2
                      WHERE id = $1 AND status = 'pending'`, [id, attempt.error, Math.round(attempt.retryInMs)]);
  }
}

export async function listEvents(db: Queryable, status: WebhookStatus, limit: number, beforeId?: number): Promise<WebhookEvent[]> {
  const rows = await rowsOf<WebhookRow>(db, `SELECT ${WEBHOOK_COLUMNS} FROM webhook_events WHERE status = $1 AND id < $2 ORDER BY id DESC LIMIT $3`,
    [status, beforeId ?? Number.MAX_SAFE_INTEGER, limit]);
  return rows.map(toWebhookEvent);
}

export async function eventById(db: Queryable, eventId: string): Promise<WebhookEvent | null> {
  const [row] = await rowsOf<WebhookRow>(db, `SELECT ${WEBHOOK_COLUMNS} FROM webhook_events WHERE event_id = $1`, [eventId]);
  return row ? toWebhookEvent(row) : null;
}

export async function retryEvent(db: Queryable, eventId: string): Promise<boolean> {
  const rows = await rowsOf(db, `UPDATE webhook_events SET status = 'pending', window_start = now(), due_at = now(), finished_at = NULL, lease_until = NULL
                                 WHERE event_id = $1 AND status = 'failed' RETURNING 1`, [eventId]);
  return rows.length > 0;
}

export async function backlog(db: Queryable): Promise<WebhookBacklog> {
  const [row] = await rowsOf<{ n: number; oldest: Date | null }>(db, "SELECT count(*) AS n, min(created_at) AS oldest FROM webhook_events WHERE status = 'pending'");
  return { pending: row!.n, oldestCreatedAt: row!.oldest };
}
