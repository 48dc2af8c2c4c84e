/** PostgresStore's data rights (see DataRightsStore in data-rights.ts): what an export reads, the erasure, retention. */
import { MESSAGE_COLUMNS, toMessage, type MessageRow } from '../rows.js';
import { AUDIT_COLUMNS, HELD_COLUMNS, REPORT_COLUMNS, toAudit, toHeld, toReport, toSummary } from '../safeguarding-rows.js';
import type { AuditRow, HeldRow, ReportRow, SummaryRow } from '../safeguarding-rows.js';
import type { AuditEntry, DataRightsStore, Erasure, HeldMessage, Message, PairSummary, Report } from '../types.js';
import { eraseUser } from './erasure.js';
import { rowsOf } from './pool.js';
import type { PostgresContext } from './context.js';

export class PostgresDataRights implements DataRightsStore {
  constructor(private readonly context: PostgresContext) {}

  async deleteBefore(cutoff: Date, limit: number): Promise<number> {
    // SKIP LOCKED: instances running the job at once each take rows no other is deleting,
    // and none waits on an append's lock.
    const [row] = await rowsOf<{ held: number; events: number; messages: number }>(
      this.context.pool(),
      `
      WITH held AS (
        DELETE FROM held_messages WHERE id IN (SELECT id FROM held_messages WHERE created_at < $1 ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED) RETURNING 1),
      events AS (
        DELETE FROM webhook_events WHERE id IN (
          SELECT id FROM webhook_events WHERE status <> 'pending' AND created_at < $1 ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED) RETURNING 1),
      bodies AS (
        UPDATE webhook_events SET data = NULL WHERE id IN (
          SELECT id FROM webhook_events WHERE status = 'pending' AND data IS NOT NULL AND created_at < $1 FOR UPDATE SKIP LOCKED) RETURNING 1),
      old AS (
        DELETE FROM messages WHERE id IN (SELECT id FROM messages WHERE created_at < $1 ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED) RETURNING 1)
      SELECT (SELECT count(*) FROM held)::int AS held, (SELECT count(*) FROM events)::int AS events, (SELECT count(*) FROM old)::int AS messages,
             (SELECT count(*) FROM bodies) AS bodies`,
      [cutoff, limit],
    );
    return row!.held + row!.events + row!.messages;
  }

  async messagesOf(userId: number, afterId: number, limit: number): Promise<Message[]> {
    const rows = await rowsOf<MessageRow>(
      this.context.pool(),
      `
      SELECT ${MESSAGE_COLUMNS} FROM messages WHERE kind = 'message' AND id > $1
        AND pair_id IN (SELECT id FROM pairs WHERE mentor_id = $2 OR mentee_id = $2) ORDER BY id LIMIT $3`,
      [afterId, userId, limit],
    );
    return rows.map(toMessage);
  }

  async pairSummariesOf(userId: number): Promise<PairSummary[]> {
    const rows = await rowsOf<SummaryRow>(
      this.context.pool(),
      `
      SELECT p.id, p.mentor_id, p.mentee_id, p.active, count(m.id)::int AS message_count, max(m.created_at) AS last_activity
      FROM pairs p LEFT JOIN messages m ON m.pair_id = p.id AND m.kind = 'message'
      WHERE p.mentor_id = $1 OR p.mentee_id = $1 GROUP BY p.id ORDER BY p.id`,
      [userId],
    );
    return rows.map(toSummary);
  }

  async heldOf(userId: number): Promise<HeldMessage[]> {
    return (await rowsOf<HeldRow>(this.context.pool(), `SELECT ${HELD_COLUMNS} FROM held_messages WHERE sender_id = $1 ORDER BY id`, [userId])).map(toHeld);
  }

  async reportsBy(userId: number): Promise<Report[]> {
    return (
      await rowsOf<ReportRow>(
        this.context.pool(),
        `SELECT ${REPORT_COLUMNS} FROM reports r JOIN messages m ON m.id = r.message_id WHERE r.reporter_id = $1 ORDER BY r.id`,
        [userId],
      )
    ).map(toReport);
  }

  async auditOf(userId: number, pairIds: readonly number[]): Promise<AuditEntry[]> {
    const rows = await rowsOf<AuditRow>(
      this.context.pool(),
      `
      SELECT ${AUDIT_COLUMNS} FROM audit_log WHERE actor_id = $1 OR user_id = $1 OR pair_id = ANY($2::bigint[]) ORDER BY id`,
      [userId, pairIds],
    );
    return rows.map(toAudit);
  }

  async wasErased(email: string): Promise<boolean> {
    return (await rowsOf(this.context.pool(), "SELECT 1 FROM audit_log WHERE action = 'erase' AND target = $1 LIMIT 1", [`user:${email}`])).length > 0;
  }

  async erase(userId: number): Promise<Erasure> {
    return eraseUser(this.context.pool(), this.context.events, userId);
  }
}
