/**
 * SqliteStore's writes into the webhook outbox, made by the parts inside the transactions of
 * their causes (an append, a match change, an approval, a hold, a report, an erasure), when
 * the outbox is on.
 */
import type Database from 'better-sqlite3';
import type { WebhookEventType } from '../../protocol/webhooks.js';
import type { PairRow } from '../rows.js';
import type { OutboxOptions } from '../types.js';
import type { SqliteTx } from './tx.js';

/** What an event refers to (never copies): a message, a recipient, a held message, a report, a match change's detail. */
export interface EventFields {
  message?: number;
  recipient?: number;
  held?: number;
  report?: number;
  detail?: object;
  dueInMs?: number;
}

export class EventWriter {
  private readonly sql;

  constructor(
    db: Database.Database,
    private readonly outbox: OutboxOptions | null,
  ) {
    this.sql = {
      pairById: db.prepare('SELECT mentor_id, mentee_id FROM pairs WHERE id = ?'),
      insert: db.prepare(`INSERT INTO webhook_events (type, pair_id, message_id, recipient_id, held_id, report_id, detail, created_at, window_start, due_at)
                          VALUES (@type, @pair, @message, @recipient, @held, @report, @detail, @now, @now, @due) ON CONFLICT DO NOTHING`),
      cancelReminder: db.prepare(
        "UPDATE webhook_events SET status = 'cancelled', finished_at = ? WHERE pair_id = ? AND recipient_id = ? AND status = 'pending'",
      ),
    };
  }

  /** A stored (or approved) message's `message.created`, and its receiver's reminder unless one is pending. */
  messageEvents(tx: SqliteTx, pairId: number, senderId: number, messageId: number): void {
    if (!this.outbox) return;
    const pair = this.sql.pairById.get(pairId) as Pick<PairRow, 'mentor_id' | 'mentee_id'>;
    this.write(tx, 'message.created', pairId, { message: messageId });
    this.write(tx, 'message.unread', pairId, {
      recipient: pair.mentor_id === senderId ? pair.mentee_id : pair.mentor_id,
      dueInMs: this.outbox.unreadAfterMs,
    });
  }

  /** Writes one event; a second pending reminder is ignored. */
  write(_tx: SqliteTx, type: WebhookEventType, pairId: number, fields: EventFields): void {
    if (!this.outbox) return;
    const now = Date.now();
    this.sql.insert.run({
      type,
      pair: pairId,
      message: fields.message ?? null,
      recipient: fields.recipient ?? null,
      held: fields.held ?? null,
      report: fields.report ?? null,
      detail: fields.detail === undefined ? null : JSON.stringify(fields.detail),
      now,
      due: now + (fields.dueInMs ?? 0),
    });
  }

  /** The reader's pending `message.unread` reminder of the pair is cancelled: they read. */
  cancelReminder(_tx: SqliteTx, pairId: number, readerId: number): void {
    this.sql.cancelReminder.run(Date.now(), pairId, readerId);
  }
}
