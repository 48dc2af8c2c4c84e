/**
 * PostgresStore's writes into the webhook outbox, made by the parts inside the transactions
 * of their causes (a match change, an approval, a hold, a report, an erasure), when the
 * outbox is on. Appends write theirs in their storing statement (append.ts).
 */
import type { WebhookEventType } from '../../protocol/webhooks.js';
import type { OutboxOptions } from '../types.js';
import { rowsOf } from './pool.js';
import type { PostgresTx } from './tx.js';

/** What an event tells of: a match change's `detail`, or the held message or report (referenced, not copied). */
export type EventAbout = { actor: string | null; reason: string | null } | { reasons: string[] } | { held: number } | { report: number };

export class EventWriter {
  constructor(readonly outbox: OutboxOptions | null) {}

  /** An approved message's `message.created`, and its receiver's reminder unless one is pending. */
  async messageEvents(tx: PostgresTx, message: { id: number; pair_id: number; sender_id: number }): Promise<void> {
    if (!this.outbox) return;
    await rowsOf(
      tx,
      `
      WITH created AS (
        INSERT INTO webhook_events (type, pair_id, message_id, created_at, window_start, due_at) VALUES ('message.created', $1, $3, now(), now(), now()))
      INSERT INTO webhook_events (type, pair_id, recipient_id, created_at, window_start, due_at)
      SELECT 'message.unread', id, CASE WHEN mentor_id = $2 THEN mentee_id ELSE mentor_id END, now(), now(), now() + $4::bigint * interval '1 millisecond'
      FROM pairs WHERE id = $1
      ON CONFLICT DO NOTHING`,
      [message.pair_id, message.sender_id, message.id, this.outbox.unreadAfterMs],
    );
  }

  /** Writes one event. */
  async write(tx: PostgresTx, type: WebhookEventType, pairId: number, about: EventAbout): Promise<void> {
    if (!this.outbox) return;
    const held = 'held' in about ? about.held : null;
    const report = 'report' in about ? about.report : null;
    const detail = held === null && report === null ? JSON.stringify(about) : null;
    await rowsOf(
      tx,
      `
      INSERT INTO webhook_events (type, pair_id, detail, held_id, report_id, created_at, window_start, due_at)
      VALUES ($1, $2, $3, $4, $5, now(), now(), now())`,
      [type, pairId, detail, held, report],
    );
  }
}
