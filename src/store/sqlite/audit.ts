/** SqliteStore's audit log and "viewed" notices (see AuditStore in audit.ts). */
import { AppError } from '../../errors.js';
import { MESSAGE_COLUMNS, toMessage, type MessageRow } from '../rows.js';
import { AUDIT_COLUMNS, auditTargetOf, paged, toAudit, type AuditRow } from '../safeguarding-rows.js';
import type { AuditEntry, AuditStore, Message, NewAuditEntry, Paged } from '../types.js';
import type { SqliteContext } from './context.js';
import { transaction } from './tx.js';

export class SqliteAudit implements AuditStore {
  private readonly sql;

  constructor(private readonly context: SqliteContext) {
    const p = (source: string) => context.db.prepare(source);
    this.sql = {
      audit: p(`INSERT INTO audit_log (at, actor, action, target, detail, actor_id, user_id, pair_id) VALUES (@at, @actor, @action, @target, @detail,
                  (SELECT id FROM users WHERE email = @actor),
                  COALESCE(@userId, (SELECT id FROM users WHERE email = @user)),
                  COALESCE(@pairId, (SELECT id FROM pairs WHERE id = @pair), (SELECT pair_id FROM held_messages WHERE id = @held),
                           (SELECT pair_id FROM messages WHERE id = @message), (SELECT m.pair_id FROM reports r JOIN messages m ON m.id = r.message_id WHERE r.id = @report)))
                RETURNING ${AUDIT_COLUMNS}`),
      auditPage: p(`SELECT ${AUDIT_COLUMNS} FROM audit_log WHERE id < ? ORDER BY id DESC LIMIT ?`),
      newest: p(`SELECT ${MESSAGE_COLUMNS} FROM messages WHERE pair_id = ? ORDER BY id DESC LIMIT 1`),
      insertNotice: p(
        `INSERT INTO messages (pair_id, seq, sender_id, content, created_at, client_id, kind) VALUES (?, ?, ?, ?, ?, NULL, 'admin_viewed') RETURNING ${MESSAGE_COLUMNS}`,
      ),
    };
  }

  async record(entry: NewAuditEntry): Promise<AuditEntry> {
    const detail = entry.detail === null ? null : JSON.stringify(entry.detail);
    const row = this.sql.audit.get({
      at: Date.now(),
      actor: entry.actor,
      action: entry.action,
      target: entry.target,
      detail,
      userId: entry.userId ?? null,
      pairId: entry.pairId ?? null,
      ...auditTargetOf(entry.target),
    }) as AuditRow;
    return toAudit(row);
  }

  async page(limit: number, beforeId = Number.MAX_SAFE_INTEGER): Promise<Paged<AuditEntry>> {
    return paged(this.sql.auditPage.all(beforeId, limit + 1) as AuditRow[], limit, toAudit);
  }

  async addViewedNotice(pairId: number, actorId: number, actorName: string): Promise<{ notice: Message; created: boolean }> {
    return transaction(this.context.db, (tx) => {
      const newest = this.sql.newest.get(pairId) as MessageRow | undefined;
      if (newest && newest.kind === 'admin_viewed' && newest.sender_id === actorId) return { notice: toMessage(newest), created: false };
      const seq = this.context.seqs.next(tx, pairId);
      if (seq === null) throw new AppError('not_found');
      const row = this.sql.insertNotice.get(pairId, seq, actorId, actorName, Date.now()) as MessageRow;
      return { notice: toMessage(row), created: true };
    });
  }
}
