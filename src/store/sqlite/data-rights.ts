/** SqliteStore's data rights (see DataRightsStore in data-rights.ts): what an export reads, the erasure, retention. */
import { MESSAGE_COLUMNS, toMessage, type MessageRow } from '../rows.js';
import { AUDIT_COLUMNS, HELD_COLUMNS, REPORT_COLUMNS, toAudit, toHeld, toReport, toSummary } from '../safeguarding-rows.js';
import type { AuditRow, HeldRow, ReportRow, SummaryRow } from '../safeguarding-rows.js';
import type { AuditEntry, DataRightsStore, Erasure, HeldMessage, Message, PairSummary, Report } from '../types.js';
import type { SqliteErasure } from './erasure.js';
import type { SqliteContext } from './context.js';
import { transaction } from './tx.js';

export class SqliteDataRights implements DataRightsStore {
  private readonly sql;

  constructor(
    private readonly context: SqliteContext,
    private readonly erasure: SqliteErasure,
  ) {
    const p = (source: string) => context.db.prepare(source);
    this.sql = {
      deleteOld: p('DELETE FROM messages WHERE id IN (SELECT id FROM messages WHERE created_at < ? ORDER BY id LIMIT ?)'),
      // Finished webhook events past the cutoff go; a pending one keeps no saved body (it copies content).
      deleteOldEvents: p(
        "DELETE FROM webhook_events WHERE id IN (SELECT id FROM webhook_events WHERE status <> 'pending' AND created_at < ? ORDER BY id LIMIT ?)",
      ),
      clearOldBodies: p("UPDATE webhook_events SET data = NULL WHERE status = 'pending' AND data IS NOT NULL AND created_at < ?"),
      deleteOldHeld: p('DELETE FROM held_messages WHERE id IN (SELECT id FROM held_messages WHERE created_at < ? ORDER BY id LIMIT ?)'),
      messagesOfUser: p(`SELECT ${MESSAGE_COLUMNS} FROM messages WHERE kind = 'message' AND id > ?
                         AND pair_id IN (SELECT id FROM pairs WHERE mentor_id = ? OR mentee_id = ?) ORDER BY id LIMIT ?`),
      summariesOf: p(`
        SELECT p.id, p.mentor_id, p.mentee_id, p.active,
               (SELECT count(*) FROM messages m WHERE m.pair_id = p.id AND m.kind = 'message') AS message_count,
               (SELECT max(created_at) FROM messages m WHERE m.pair_id = p.id AND m.kind = 'message') AS last_activity
        FROM pairs p WHERE p.mentor_id = ? OR p.mentee_id = ? ORDER BY p.id`),
      heldOfUser: p(`SELECT ${HELD_COLUMNS} FROM held_messages WHERE sender_id = ? ORDER BY id`),
      reportsByUser: p(`SELECT ${REPORT_COLUMNS} FROM reports r JOIN messages m ON m.id = r.message_id WHERE r.reporter_id = ? ORDER BY r.id`),
      auditOf: p(
        `SELECT ${AUDIT_COLUMNS} FROM audit_log WHERE actor_id = @id OR user_id = @id OR pair_id IN (SELECT value FROM json_each(@pairs)) ORDER BY id`,
      ),
      wasErased: p("SELECT 1 FROM audit_log WHERE action = 'erase' AND target = ? LIMIT 1"),
    };
  }

  async deleteBefore(cutoff: Date, limit: number): Promise<number> {
    return transaction(this.context.db, () => {
      const held = this.sql.deleteOldHeld.run(cutoff.getTime(), limit).changes;
      const events = this.sql.deleteOldEvents.run(cutoff.getTime(), limit).changes;
      this.sql.clearOldBodies.run(cutoff.getTime());
      return held + events + this.sql.deleteOld.run(cutoff.getTime(), limit).changes;
    });
  }

  async messagesOf(userId: number, afterId: number, limit: number): Promise<Message[]> {
    return (this.sql.messagesOfUser.all(afterId, userId, userId, limit) as MessageRow[]).map(toMessage);
  }

  async pairSummariesOf(userId: number): Promise<PairSummary[]> {
    return (this.sql.summariesOf.all(userId, userId) as SummaryRow[]).map(toSummary);
  }

  async heldOf(userId: number): Promise<HeldMessage[]> {
    return (this.sql.heldOfUser.all(userId) as HeldRow[]).map(toHeld);
  }

  async reportsBy(userId: number): Promise<Report[]> {
    return (this.sql.reportsByUser.all(userId) as ReportRow[]).map(toReport);
  }

  async auditOf(userId: number, pairIds: readonly number[]): Promise<AuditEntry[]> {
    return (this.sql.auditOf.all({ id: userId, pairs: JSON.stringify(pairIds) }) as AuditRow[]).map(toAudit);
  }

  async wasErased(email: string): Promise<boolean> {
    return this.sql.wasErased.get(`user:${email}`) !== undefined;
  }

  async erase(userId: number): Promise<Erasure> {
    return this.erasure.erase(userId);
  }
}
