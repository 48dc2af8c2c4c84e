/** PostgresStore's audit log and "viewed" notices (see AuditStore in audit.ts). */
import { AppError } from '../../errors.js';
import { MESSAGE_COLUMNS, toMessage, type MessageRow } from '../rows.js';
import { AUDIT_COLUMNS, auditTargetOf, paged, toAudit, type AuditRow } from '../safeguarding-rows.js';
import type { AuditEntry, AuditStore, Message, NewAuditEntry, Paged } from '../types.js';
import { inTransaction, rowsOf } from './pool.js';
import { INSERT_WITH_NEXT_SEQ, LOCK_PAIR, type LockedPair } from './seq.js';
import type { PostgresContext } from './context.js';

export class PostgresAudit implements AuditStore {
  constructor(private readonly context: PostgresContext) {}

  async record(entry: NewAuditEntry): Promise<AuditEntry> {
    const detail = entry.detail === null ? null : JSON.stringify(entry.detail);
    const target = auditTargetOf(entry.target);
    const [row] = await rowsOf<AuditRow>(
      this.context.pool(),
      `
      INSERT INTO audit_log (at, actor, action, target, detail, actor_id, user_id, pair_id) VALUES (now(), $1, $2, $3, $4,
        (SELECT id FROM users WHERE email = $1),
        COALESCE($5::bigint, (SELECT id FROM users WHERE email = $6::text)),
        COALESCE($7::bigint, (SELECT id FROM pairs WHERE id = $8::bigint), (SELECT pair_id FROM held_messages WHERE id = $9::bigint),
                 (SELECT pair_id FROM messages WHERE id = $10::bigint), (SELECT m.pair_id FROM reports r JOIN messages m ON m.id = r.message_id WHERE r.id = $11::bigint)))
      RETURNING ${AUDIT_COLUMNS}`,
      [
        entry.actor,
        entry.action,
        entry.target,
        detail,
        entry.userId ?? null,
        target.user,
        entry.pairId ?? null,
        target.pair,
        target.held,
        target.message,
        target.report,
      ],
    );
    return toAudit(row!);
  }

  async page(limit: number, beforeId = Number.MAX_SAFE_INTEGER): Promise<Paged<AuditEntry>> {
    const rows = await rowsOf<AuditRow>(this.context.pool(), `SELECT ${AUDIT_COLUMNS} FROM audit_log WHERE id < $1 ORDER BY id DESC LIMIT $2`, [
      beforeId,
      limit + 1,
    ]);
    return paged(rows, limit, toAudit);
  }

  async addViewedNotice(pairId: number, actorId: number, actorName: string): Promise<{ notice: Message; created: boolean }> {
    return inTransaction(this.context.pool(), async (tx) => {
      const [pair] = await rowsOf<LockedPair>(tx, LOCK_PAIR, [pairId]);
      if (!pair) throw new AppError('not_found');
      const [newest] = await rowsOf<MessageRow>(tx, `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE pair_id = $1 ORDER BY id DESC LIMIT 1`, [pairId]);
      if (newest && newest.kind === 'admin_viewed' && newest.sender_id === actorId) return { notice: toMessage(newest), created: false };
      const [row] = await rowsOf<MessageRow>(tx, INSERT_WITH_NEXT_SEQ, [pairId, actorId, actorName, null, 'admin_viewed']);
      return { notice: toMessage(row!), created: true };
    });
  }
}
