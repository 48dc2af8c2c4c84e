/**
 * SqliteStore's webhook outbox (see OutboxStore in outbox.ts): claims, the facts of a round,
 * bodies and attempts, and what operators list and retry. The events themselves are written
 * by the transactions that cause them, through events.ts.
 */
import type Database from 'better-sqlite3';
import type { WebhookStatus } from '../../protocol/webhooks.js';
import { byId, outboxFacts, type UnreadRow } from '../outbox-facts.js';
import { MESSAGE_COLUMNS, PAIR_COLUMNS, PAIR_ERASED_COUNT, USER_COLUMNS, WEBHOOK_COLUMNS, toMessage, toUser, toWebhookEvent } from '../rows.js';
import type { MessageRow, PairRow, UserRow, WebhookRow } from '../rows.js';
import { HELD_COLUMNS, REPORT_COLUMNS, toHeld, toReport, type HeldRow, type ReportRow } from '../safeguarding-rows.js';
import type { OutboxStore, WebhookBacklog, WebhookEvent, WebhookFacts, WebhookOutcome, WebhookSavedBody } from '../types.js';
import { transaction } from './tx.js';

const inList = (sql: string) => `${sql} IN (SELECT value FROM json_each(?))`;

export class SqliteOutbox implements OutboxStore {
  private readonly sql;

  constructor(private readonly db: Database.Database) {
    const p = (source: string) => db.prepare(source);
    this.sql = {
      // One process: the claim needs no row locks, only the lease.
      claim: p(`UPDATE webhook_events SET lease_until = @until WHERE id IN (
                  SELECT id FROM webhook_events WHERE status = 'pending' AND due_at <= @now AND (lease_until IS NULL OR lease_until <= @now)
                  ORDER BY due_at, id LIMIT @limit)
                RETURNING ${WEBHOOK_COLUMNS}`),
      pairsById: p(`SELECT ${PAIR_COLUMNS} FROM pairs WHERE ${inList('id')}`),
      usersById: p(`SELECT ${USER_COLUMNS} FROM users WHERE ${inList('id')}`),
      messagesByIds: p(`SELECT ${MESSAGE_COLUMNS} FROM messages WHERE ${inList('id')}`),
      heldByIds: p(`SELECT ${HELD_COLUMNS} FROM held_messages WHERE ${inList('id')}`),
      reportsByIds: p(`SELECT ${REPORT_COLUMNS} FROM reports r JOIN messages m ON m.id = r.message_id WHERE ${inList('r.id')}`),
      // Each [pair, recipient] of the reminders: what the recipient has not read of the partner's.
      unreadOf: p(`
        SELECT r.value ->> 0 AS pair_id, r.value ->> 1 AS recipient_id, count(m.id) AS n, min(m.id) AS oldest
        FROM json_each(?) r
        LEFT JOIN messages m ON m.pair_id = r.value ->> 0 AND m.sender_id <> r.value ->> 1 AND m.is_read = 0 AND m.kind = 'message'
        GROUP BY r.key`),
      setData: p(`UPDATE webhook_events SET data = ? WHERE id = ? AND status = 'pending' AND ${PAIR_ERASED_COUNT} <= ?`),
      cancelEvent: p("UPDATE webhook_events SET status = 'cancelled', finished_at = ?, lease_until = NULL WHERE id = ? AND status = 'pending'"),
      delivered: p(`UPDATE webhook_events SET status = 'delivered', attempts = attempts + 1, finished_at = ?, lease_until = NULL, last_error = NULL
                    WHERE id = ? AND status = 'pending'`),
      retryLater: p(`UPDATE webhook_events SET attempts = attempts + 1, due_at = ?, lease_until = NULL, last_error = ?
                     WHERE id = ? AND status = 'pending'`),
      failed: p(`UPDATE webhook_events SET status = 'failed', attempts = attempts + 1, finished_at = ?, lease_until = NULL, last_error = ?
                 WHERE id = ? AND status = 'pending'`),
      listEvents: p(`SELECT ${WEBHOOK_COLUMNS} FROM webhook_events WHERE status = ? AND id < ? ORDER BY id DESC LIMIT ?`),
      eventById: p(`SELECT ${WEBHOOK_COLUMNS} FROM webhook_events WHERE event_id = ?`),
      retryEvent: p(`UPDATE webhook_events SET status = 'pending', window_start = @now, due_at = @now, finished_at = NULL, lease_until = NULL
                     WHERE event_id = @id AND status = 'failed'`),
      backlog: p("SELECT count(*) AS n, min(created_at) AS oldest FROM webhook_events WHERE status = 'pending'"),
    };
  }

  async claim(limit: number, leaseMs: number): Promise<WebhookEvent[]> {
    const now = Date.now();
    const rows = this.sql.claim.all({ now, until: now + leaseMs, limit }) as WebhookRow[];
    return rows.map(toWebhookEvent).sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime() || a.id - b.id);
  }

  async facts(events: readonly WebhookEvent[]): Promise<WebhookFacts[]> {
    if (events.length === 0) return [];
    const ids = (pick: (event: WebhookEvent) => number | null) => JSON.stringify([...new Set(events.map(pick).filter((id) => id !== null))]);
    const pairs = byId(this.sql.pairsById.all(ids((event) => event.pairId)) as PairRow[]);
    const users = byId(
      (this.sql.usersById.all(JSON.stringify([...pairs.values()].flatMap((pair) => [pair.mentor_id, pair.mentee_id]))) as UserRow[]).map(toUser),
    );
    const reminders = events.filter((event) => event.recipientId !== null).map((event) => [event.pairId, event.recipientId]);
    const unread = new Map((this.sql.unreadOf.all(JSON.stringify(reminders)) as UnreadRow[]).map((row) => [`${row.pair_id}:${row.recipient_id}`, row]));
    const held = byId((this.sql.heldByIds.all(ids((event) => event.heldId)) as HeldRow[]).map(toHeld));
    const reports = byId((this.sql.reportsByIds.all(ids((event) => event.reportId)) as ReportRow[]).map(toReport));
    const messageIds = [
      ...events.map((event) => event.messageId),
      ...[...unread.values()].map((row) => row.oldest),
      ...[...reports.values()].map((report) => report.messageId),
    ].filter((id) => id !== null);
    const messages = byId((this.sql.messagesByIds.all(JSON.stringify([...new Set(messageIds)])) as MessageRow[]).map(toMessage));
    return events.map((event) => outboxFacts(event, { pairs, users, unread, held, reports, messages }));
  }

  async saveBodies(bodies: readonly WebhookSavedBody[]): Promise<Set<number>> {
    const saved = new Set<number>();
    if (bodies.length === 0) return saved;
    const now = Date.now();
    transaction(this.db, () => {
      for (const { id, data, erased } of bodies) {
        if (data === null) this.sql.cancelEvent.run(now, id);
        else if (this.sql.setData.run(data, id, erased).changes > 0) saved.add(id);
      }
    });
    return saved;
  }

  async recordAttempts(attempts: readonly WebhookOutcome[]): Promise<void> {
    if (attempts.length === 0) return;
    const now = Date.now();
    transaction(this.db, () => {
      for (const { id, attempt } of attempts) {
        if (attempt.delivered) this.sql.delivered.run(now, id);
        else if (attempt.retryInMs === null) this.sql.failed.run(now, attempt.error, id);
        else this.sql.retryLater.run(now + attempt.retryInMs, attempt.error, id);
      }
    });
  }

  async list(status: WebhookStatus, limit: number, beforeId?: number): Promise<WebhookEvent[]> {
    return (this.sql.listEvents.all(status, beforeId ?? Number.MAX_SAFE_INTEGER, limit) as WebhookRow[]).map(toWebhookEvent);
  }

  async byEventId(eventId: string): Promise<WebhookEvent | null> {
    const row = this.sql.eventById.get(eventId) as WebhookRow | undefined;
    return row ? toWebhookEvent(row) : null;
  }

  async retry(eventId: string): Promise<boolean> {
    return this.sql.retryEvent.run({ id: eventId, now: Date.now() }).changes > 0;
  }

  async backlog(): Promise<WebhookBacklog> {
    const row = this.sql.backlog.get() as { n: number; oldest: number | null };
    return { pending: row.n, oldestCreatedAt: row.oldest === null ? null : new Date(row.oldest) };
  }
}
