/**
 * PostgresStore's side of the webhook outbox: claiming due events for one instance at a
 * time (`FOR UPDATE SKIP LOCKED`, then a lease that outlives the attempt), recording
 * attempts, and what operators list and retry. The events themselves are written by the
 * transactions that cause them (append.ts, events.ts).
 */
import type pg from 'pg';
import type { QueryResultRow } from 'pg';
import { inTransaction, rowsOf, type Queryable } from './pool.js';
import type { PostgresTx } from './tx.js';
import { MESSAGE_COLUMNS, PAIR_COLUMNS, PAIR_ERASED_COUNT, USER_COLUMNS, WEBHOOK_COLUMNS, toMessage, toUser, toWebhookEvent } from '../rows.js';
import type { MessageRow, PairRow, UserRow, WebhookRow } from '../rows.js';
import { HELD_COLUMNS, REPORT_COLUMNS, toHeld, toReport, type HeldRow, type ReportRow } from '../safeguarding-rows.js';
import { byId, outboxFacts, type UnreadRow } from '../outbox-facts.js';
import type { OutboxStore, WebhookAttempt, WebhookBacklog, WebhookEvent, WebhookFacts, WebhookOutcome, WebhookSavedBody } from '../types.js';
import type { WebhookStatus } from '../../protocol/webhooks.js';

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
  RETURNING ${WEBHOOK_COLUMNS.split(', ')
    .map((column) => `w.${column}`)
    .join(', ')}`;

export class PostgresOutbox implements OutboxStore {
  constructor(private readonly pool: () => pg.Pool) {}

  async claim(limit: number, leaseMs: number): Promise<WebhookEvent[]> {
    return claimEvents(this.pool(), limit, leaseMs);
  }

  async facts(events: readonly WebhookEvent[]): Promise<WebhookFacts[]> {
    return eventFacts(this.pool(), events);
  }

  async saveBodies(bodies: readonly WebhookSavedBody[]): Promise<Set<number>> {
    return inTransaction(this.pool(), (tx) => setEventData(tx, bodies));
  }

  async recordAttempts(attempts: readonly WebhookOutcome[]): Promise<void> {
    return inTransaction(this.pool(), (tx) => recordAttempts(tx, attempts));
  }

  async list(status: WebhookStatus, limit: number, beforeId?: number): Promise<WebhookEvent[]> {
    return listEvents(this.pool(), status, limit, beforeId);
  }

  async byEventId(eventId: string): Promise<WebhookEvent | null> {
    return eventById(this.pool(), eventId);
  }

  async retry(eventId: string): Promise<boolean> {
    return retryEvent(this.pool(), eventId);
  }

  async backlog(): Promise<WebhookBacklog> {
    return backlog(this.pool());
  }
}

async function claimEvents(db: Queryable, limit: number, leaseMs: number): Promise<WebhookEvent[]> {
  const rows = await rowsOf<WebhookRow>(db, CLAIM, [limit, leaseMs]);
  return rows.map(toWebhookEvent).sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime() || a.id - b.id);
}

/**
 * The facts of `events`, in their order: at most six queries for the whole round, whatever
 * its size, one after the other (a round holds one pooled connection at a time, so never
 * starves the group commit of its own).
 */
async function eventFacts(db: Queryable, events: readonly WebhookEvent[]): Promise<WebhookFacts[]> {
  if (events.length === 0) return [];
  const ids = (values: ReadonlyArray<number | null>) => [...new Set(values.filter((id) => id !== null))];
  const byIds = async <R extends QueryResultRow>(sql: string, list: readonly number[]) => (list.length === 0 ? [] : rowsOf<R>(db, sql, [list]));
  const reminders = events.filter((event) => event.recipientId !== null);
  const pairs = await byIds<PairRow>(`SELECT ${PAIR_COLUMNS} FROM pairs WHERE id = ANY($1::bigint[])`, ids(events.map((event) => event.pairId)));
  const unread =
    reminders.length === 0
      ? []
      : await rowsOf<UnreadRow>(
          db,
          `
    SELECT r.pair_id, r.recipient_id, count(m.id)::int AS n, min(m.id) AS oldest
    FROM unnest($1::bigint[], $2::bigint[]) AS r(pair_id, recipient_id)
    LEFT JOIN messages m ON m.pair_id = r.pair_id AND m.sender_id <> r.recipient_id AND NOT m.is_read AND m.kind = 'message'
    GROUP BY r.pair_id, r.recipient_id`,
          [reminders.map((event) => event.pairId), reminders.map((event) => event.recipientId)],
        );
  const held = await byIds<HeldRow>(`SELECT ${HELD_COLUMNS} FROM held_messages WHERE id = ANY($1::bigint[])`, ids(events.map((event) => event.heldId)));
  const reports = await byIds<ReportRow>(
    `SELECT ${REPORT_COLUMNS} FROM reports r JOIN messages m ON m.id = r.message_id WHERE r.id = ANY($1::bigint[])`,
    ids(events.map((event) => event.reportId)),
  );
  const users = await byIds<UserRow>(
    `SELECT ${USER_COLUMNS} FROM users WHERE id = ANY($1::bigint[])`,
    ids(pairs.flatMap((pair) => [pair.mentor_id, pair.mentee_id])),
  );
  const messages = await byIds<MessageRow>(
    `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE id = ANY($1::bigint[])`,
    ids([...events.map((event) => event.messageId), ...unread.map((row) => row.oldest), ...reports.map((row) => row.message_id)]),
  );
  const reads = {
    pairs: byId(pairs),
    users: byId(users.map(toUser)),
    unread: new Map(unread.map((row) => [`${row.pair_id}:${row.recipient_id}`, row])),
    held: byId(held.map(toHeld)),
    reports: byId(reports.map(toReport)),
    messages: byId(messages.map(toMessage)),
  };
  return events.map((event) => outboxFacts(event, reads));
}

/**
 * Fixes the bodies (a null one cancels its event), all of them or none; run it in a
 * transaction. It first takes a share lock on the users of the events' pairs, in id order:
 * an erasure holds its user's row lock until it commits, so the save waits for it, and its
 * UPDATE (a statement of its own, with a snapshot of its own) then sees the erasure and keeps
 * nothing it would copy. The erased-count test alone could not: a row the UPDATE waited for is
 * checked again at its new version, but the count's subquery keeps the statement's old snapshot.
 */
async function setEventData(tx: PostgresTx, bodies: readonly WebhookSavedBody[]): Promise<Set<number>> {
  if (bodies.length === 0) return new Set();
  const ids = bodies.map((body) => body.id);
  await rowsOf(
    tx,
    `
    SELECT 1 FROM users WHERE id IN (
      SELECT unnest(ARRAY[p.mentor_id, p.mentee_id]) FROM pairs p JOIN webhook_events w ON w.pair_id = p.id WHERE w.id = ANY($1::bigint[]))
    ORDER BY id FOR SHARE`,
    [ids],
  );
  await lockEvents(tx, ids);
  const rows = await rowsOf<{ id: number; saved: boolean }>(
    tx,
    `
    UPDATE webhook_events SET
      data = v.data,
      status = CASE WHEN v.data IS NULL THEN 'cancelled' ELSE webhook_events.status END,
      finished_at = CASE WHEN v.data IS NULL THEN now() ELSE webhook_events.finished_at END,
      lease_until = CASE WHEN v.data IS NULL THEN NULL ELSE webhook_events.lease_until END
    FROM unnest($1::bigint[], $2::text[], $3::int[]) AS v(id, data, erased)
    WHERE webhook_events.id = v.id AND webhook_events.status = 'pending' AND (v.data IS NULL OR ${PAIR_ERASED_COUNT} <= v.erased)
    RETURNING webhook_events.id, v.data IS NOT NULL AS saved`,
    [bodies.map((body) => body.id), bodies.map((body) => body.data), bodies.map((body) => body.erased)],
  );
  return new Set(rows.filter((row) => row.saved).map((row) => row.id));
}

/**
 * Locks outbox rows in id order. Every write of many of them at once takes its rows this way
 * first (saving bodies, recording attempts, an erasure's clearing), so two of them can wait
 * for each other but never deadlock; the claim skips locked rows and waits for none.
 */
export async function lockEvents(tx: PostgresTx, ids: readonly number[]): Promise<void> {
  await rowsOf(tx, 'SELECT 1 FROM webhook_events WHERE id = ANY($1::bigint[]) ORDER BY id FOR UPDATE', [ids]);
}

/** Records the attempts, all of them or none; run it in a transaction. */
async function recordAttempts(db: PostgresTx, attempts: readonly WebhookOutcome[]): Promise<void> {
  if (attempts.length === 0) return;
  await lockEvents(
    db,
    attempts.map((each) => each.id),
  );
  const retryIn = (attempt: WebhookAttempt) => (attempt.delivered || attempt.retryInMs === null ? null : Math.round(attempt.retryInMs));
  await rowsOf(
    db,
    `
    UPDATE webhook_events w SET
      status = CASE WHEN v.delivered THEN 'delivered' WHEN v.retry_ms IS NULL THEN 'failed' ELSE 'pending' END,
      attempts = w.attempts + 1,
      finished_at = CASE WHEN v.retry_ms IS NULL THEN now() ELSE NULL END,
      due_at = CASE WHEN v.retry_ms IS NULL THEN w.due_at ELSE now() + v.retry_ms * interval '1 millisecond' END,
      lease_until = NULL,
      last_error = v.error
    FROM unnest($1::bigint[], $2::boolean[], $3::text[], $4::bigint[]) AS v(id, delivered, error, retry_ms)
    WHERE w.id = v.id AND w.status = 'pending'`,
    [
      attempts.map((each) => each.id),
      attempts.map((each) => each.attempt.delivered),
      attempts.map((each) => (each.attempt.delivered ? null : each.attempt.error)),
      attempts.map((each) => retryIn(each.attempt)),
    ],
  );
}

async function listEvents(db: Queryable, status: WebhookStatus, limit: number, beforeId?: number): Promise<WebhookEvent[]> {
  const rows = await rowsOf<WebhookRow>(db, `SELECT ${WEBHOOK_COLUMNS} FROM webhook_events WHERE status = $1 AND id < $2 ORDER BY id DESC LIMIT $3`, [
    status,
    beforeId ?? Number.MAX_SAFE_INTEGER,
    limit,
  ]);
  return rows.map(toWebhookEvent);
}

async function eventById(db: Queryable, eventId: string): Promise<WebhookEvent | null> {
  const [row] = await rowsOf<WebhookRow>(db, `SELECT ${WEBHOOK_COLUMNS} FROM webhook_events WHERE event_id = $1`, [eventId]);
  return row ? toWebhookEvent(row) : null;
}

async function retryEvent(db: Queryable, eventId: string): Promise<boolean> {
  const rows = await rowsOf(
    db,
    `UPDATE webhook_events SET status = 'pending', window_start = now(), due_at = now(), finished_at = NULL, lease_until = NULL
                                 WHERE event_id = $1 AND status = 'failed' RETURNING 1`,
    [eventId],
  );
  return rows.length > 0;
}

async function backlog(db: Queryable): Promise<WebhookBacklog> {
  const [row] = await rowsOf<{ n: number; oldest: Date | null }>(
    db,
    "SELECT count(*) AS n, min(created_at) AS oldest FROM webhook_events WHERE status = 'pending'",
  );
  return { pending: row!.n, oldestCreatedAt: row!.oldest };
}
