/**
 * PostgresStore's safeguarding side (see safeguarding-types.ts). A `seq` taken here (an
 * approval, a notice) is taken under the pair row's lock, the same lock every group-commit
 * batch takes, so it never races an append on any instance.
 */
import type pg from 'pg';
import { AppError } from '../errors.js';
import type { Message } from './message-types.js';
import { inTransaction, rowsOf, type Queryable } from './postgres-pool.js';
import { MESSAGE_COLUMNS, toMessage, type MessageRow } from './rows.js';
import { AUDIT_COLUMNS, HELD_COLUMNS, REPORT_COLUMNS, auditTargetOf, paged, toAudit, toHeld, toReport, toSummary } from './safeguarding-rows.js';
import { eraseUser, releaseEvidence } from './postgres-erasure.js';
import type { AuditRow, HeldRow, ReportRow, SummaryRow } from './safeguarding-rows.js';
import type { SafeguardingEvents } from './safeguarding-events.js';
import type { AuditEntry, Erasure, HeldMessage, HoldResult, NewAuditEntry, NewHeldMessage, Paged, PairSummary, Report, SafeguardingStore } from './safeguarding-types.js';

const LOCK_PAIR = 'SELECT id, mentor_id, mentee_id, active, paused FROM pairs WHERE id = $1 FOR UPDATE';
const INSERT_MESSAGE = `
  WITH bumped AS (UPDATE pairs SET last_seq = last_seq + 1 WHERE id = $1 RETURNING last_seq)
  INSERT INTO messages (pair_id, seq, sender_id, content, created_at, client_id, kind)
  SELECT $1, last_seq, $2, $3, now(), $4, $5 FROM bumped
  RETURNING ${MESSAGE_COLUMNS}`;
const REPORT_FROM = 'FROM reports r JOIN messages m ON m.id = r.message_id';

type LockedPair = { id: number; mentor_id: number; mentee_id: number; active: boolean; paused: boolean };

export class PostgresSafeguarding implements SafeguardingStore {
  /**
   * `pool` answers `unavailable` until the store has migrated; `events(tx)` is told, in the
   * transaction `tx`, what happened there (the store writes the webhook events there).
   */
  constructor(
    private readonly pool: () => pg.Pool,
    private readonly events: (tx: Queryable) => SafeguardingEvents<Promise<void>>,
  ) {}

  async holdMessage(input: NewHeldMessage): Promise<HoldResult> {
    const clientId = input.clientId ?? null;
    return inTransaction(this.pool(), async (tx) => {
      const [pair] = await rowsOf<LockedPair>(tx, LOCK_PAIR, [input.pairId]);
      if (!pair?.active || (pair.mentor_id !== input.senderId && pair.mentee_id !== input.senderId)) throw new AppError('not_matched');
      if (clientId !== null) {
        const [delivered] = await rowsOf<MessageRow>(tx, `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE pair_id = $1 AND sender_id = $2 AND client_id = $3`,
          [input.pairId, input.senderId, clientId]);
        if (delivered) return { message: toMessage(delivered), created: false };
        const [held] = await rowsOf<HeldRow>(tx, `SELECT ${HELD_COLUMNS} FROM held_messages WHERE pair_id = $1 AND sender_id = $2 AND client_id = $3`,
          [input.pairId, input.senderId, clientId]);
        if (held) return { held: toHeld(held), created: false };
      }
      // A paused pair stores nothing new, held messages included.
      if (pair.paused) throw new AppError('match_paused');
      const [row] = await rowsOf<HeldRow>(tx, `
        INSERT INTO held_messages (pair_id, sender_id, content, client_id, created_at, rule, matched) VALUES ($1, $2, $3, $4, now(), $5, $6)
        RETURNING ${HELD_COLUMNS}`, [input.pairId, input.senderId, input.content, clientId, input.rule, input.matched]);
      await this.events(tx).held(row!.pair_id, row!.id);
      return { held: toHeld(row!), created: true };
    });
  }

  async heldById(id: number): Promise<HeldMessage | null> {
    const [row] = await rowsOf<HeldRow>(this.pool(), `SELECT ${HELD_COLUMNS} FROM held_messages WHERE id = $1`, [id]);
    return row ? toHeld(row) : null;
  }

  async heldByClientId(pairId: number, senderId: number, clientId: string): Promise<HeldMessage | null> {
    const [row] = await rowsOf<HeldRow>(this.pool(), `SELECT ${HELD_COLUMNS} FROM held_messages WHERE pair_id = $1 AND sender_id = $2 AND client_id = $3`,
      [pairId, senderId, clientId]);
    return row ? toHeld(row) : null;
  }

  async pendingHeld(limit: number, afterId = 0): Promise<Paged<HeldMessage>> {
    const rows = await rowsOf<HeldRow>(this.pool(),
      `SELECT ${HELD_COLUMNS} FROM held_messages WHERE status = 'held' AND id > $1 ORDER BY id LIMIT $2`, [afterId, limit + 1]);
    return paged(rows, limit, toHeld);
  }

  async approveHeld(id: number, actor: string): Promise<{ held: HeldMessage; message: Message }> {
    return inTransaction(this.pool(), async (tx) => {
      const [held] = await rowsOf<HeldRow>(tx, `SELECT ${HELD_COLUMNS} FROM held_messages WHERE id = $1 FOR UPDATE`, [id]);
      if (!held || held.status !== 'held') throw new AppError('not_found');
      const [pair] = await rowsOf<LockedPair>(tx, LOCK_PAIR, [held.pair_id]);
      if (!pair?.active) throw new AppError('not_matched');
      const [message] = await rowsOf<MessageRow>(tx, INSERT_MESSAGE, [held.pair_id, held.sender_id, held.content, held.client_id, 'message']);
      const [decided] = await rowsOf<HeldRow>(tx, `
        UPDATE held_messages SET status = 'approved', decided_by = $2, decided_at = now(), message_id = $3 WHERE id = $1
        RETURNING ${HELD_COLUMNS}`, [id, actor, message!.id]);
      await this.events(tx).approved(message!);
      return { held: toHeld(decided!), message: toMessage(message!) };
    });
  }

  async rejectHeld(id: number, actor: string, reason: string): Promise<HeldMessage> {
    const [row] = await rowsOf<HeldRow>(this.pool(), `
      UPDATE held_messages SET status = 'rejected', reason = $3, decided_by = $2, decided_at = now() WHERE id = $1 AND status = 'held'
      RETURNING ${HELD_COLUMNS}`, [id, actor, reason]);
    if (!row) throw new AppError('not_found');
    return toHeld(row);
  }

  async ownUndelivered(pairId: number, senderId: number, from: Date | null, to: Date | null): Promise<HeldMessage[]> {
    const rows = await rowsOf<HeldRow>(this.pool(), `
      SELECT ${HELD_COLUMNS} FROM held_messages
      WHERE pair_id = $1 AND sender_id = $2 AND status <> 'approved' AND ($3::timestamptz IS NULL OR created_at >= $3) AND ($4::timestamptz IS NULL OR created_at < $4)
      ORDER BY id`, [pairId, senderId, from, to]);
    return rows.map(toHeld);
  }

  async addViewedNotice(pairId: number, actorId: number, actorName: string): Promise<{ notice: Message; created: boolean }> {
    return inTransaction(this.pool(), async (tx) => {
      const [pair] = await rowsOf<LockedPair>(tx, LOCK_PAIR, [pairId]);
      if (!pair) throw new AppError('not_found');
      const [newest] = await rowsOf<MessageRow>(tx, `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE pair_id = $1 ORDER BY id DESC LIMIT 1`, [pairId]);
      if (newest && newest.kind === 'admin_viewed' && newest.sender_id === actorId) return { notice: toMessage(newest), created: false };
      const [row] = await rowsOf<MessageRow>(tx, INSERT_MESSAGE, [pairId, actorId, actorName, null, 'admin_viewed']);
      return { notice: toMessage(row!), created: true };
    });
  }

  async messageById(id: number): Promise<Message | null> {
    const [row] = await rowsOf<MessageRow>(this.pool(), `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE id = $1`, [id]);
    return row ? toMessage(row) : null;
  }

  async messagesUpTo(pairId: number, upto: { id: number } | { at: Date }, limit: number): Promise<Message[]> {
    const rows = 'id' in upto
      ? await rowsOf<MessageRow>(this.pool(), `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE pair_id = $1 AND kind = 'message' AND id <= $2 ORDER BY id DESC LIMIT $3`, [pairId, upto.id, limit])
      : await rowsOf<MessageRow>(this.pool(), `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE pair_id = $1 AND kind = 'message' AND created_at <= $2 ORDER BY id DESC LIMIT $3`, [pairId, upto.at, limit]);
    return rows.map(toMessage).reverse();
  }

  async pairSummaries(): Promise<PairSummary[]> {
    const rows = await rowsOf<SummaryRow>(this.pool(), `
      SELECT p.id, p.mentor_id, p.mentee_id, p.active, count(m.id)::int AS message_count, max(m.created_at) AS last_activity
      FROM pairs p LEFT JOIN messages m ON m.pair_id = p.id AND m.kind = 'message'
      GROUP BY p.id ORDER BY p.id`);
    return rows.map(toSummary);
  }

  async createReport(messageId: number, reporterId: number, reason: string): Promise<Report> {
    return inTransaction(this.pool(), async (tx) => {
      const [row] = await rowsOf<{ id: number }>(tx,
        'INSERT INTO reports (message_id, reporter_id, reason, created_at) VALUES ($1, $2, $3, now()) RETURNING id', [messageId, reporterId, reason]);
      const [report] = await rowsOf<ReportRow>(tx, `SELECT ${REPORT_COLUMNS} ${REPORT_FROM} WHERE r.id = $1`, [row!.id]);
      await this.events(tx).reported(report!.pair_id, report!.id);
      return toReport(report!);
    });
  }

  async reportById(id: number): Promise<Report | null> {
    const [row] = await rowsOf<ReportRow>(this.pool(), `SELECT ${REPORT_COLUMNS} ${REPORT_FROM} WHERE r.id = $1`, [id]);
    return row ? toReport(row) : null;
  }

  async reports({ all, limit, afterId = 0 }: { all: boolean; limit: number; afterId?: number }): Promise<Paged<Report>> {
    const rows = await rowsOf<ReportRow>(this.pool(), `
      SELECT ${REPORT_COLUMNS} ${REPORT_FROM} WHERE ($1 OR r.resolved_at IS NULL) AND r.id > $2 ORDER BY r.id LIMIT $3`, [all, afterId, limit + 1]);
    return paged(rows, limit, toReport);
  }

  async isReported(messageId: number): Promise<boolean> {
    return (await rowsOf(this.pool(), 'SELECT 1 FROM reports WHERE message_id = $1 LIMIT 1', [messageId])).length > 0;
  }

  async resolveReport(id: number, actor: string, note: string): Promise<Report> {
    return inTransaction(this.pool(), async (tx) => {
      const rows = await rowsOf<{ message_id: number }>(tx,
        'UPDATE reports SET resolved_by = $2, resolved_at = now(), resolution = $3 WHERE id = $1 AND resolved_at IS NULL RETURNING message_id', [id, actor, note]);
      if (rows.length === 0) throw new AppError('not_found');
      await releaseEvidence(tx, rows[0]!.message_id);
      const [report] = await rowsOf<ReportRow>(tx, `SELECT ${REPORT_COLUMNS} ${REPORT_FROM} WHERE r.id = $1`, [id]);
      return toReport(report!);
    });
  }

  async deleteMessagesBefore(cutoff: Date, limit: number): Promise<number> {
    // SKIP LOCKED: instances running the job at once each take rows no other is deleting,
    // and none waits on an append's lock.
    const [row] = await rowsOf<{ held: number; events: number; messages: number }>(this.pool(), `
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
             (SELECT count(*) FROM bodies) AS bodies`, [cutoff, limit]);
    return row!.held + row!.events + row!.messages;
  }

  async messagesOfUser(userId: number, afterId: number, limit: number): Promise<Message[]> {
    const rows = await rowsOf<MessageRow>(this.pool(), `
      SELECT ${MESSAGE_COLUMNS} FROM messages WHERE kind = 'message' AND id > $1
        AND pair_id IN (SELECT id FROM pairs WHERE mentor_id = $2 OR mentee_id = $2) ORDER BY id LIMIT $3`, [afterId, userId, limit]);
    return rows.map(toMessage);
  }

  async pairSummariesOf(userId: number): Promise<PairSummary[]> {
    const rows = await rowsOf<SummaryRow>(this.pool(), `
      SELECT p.id, p.mentor_id, p.mentee_id, p.active, count(m.id)::int AS message_count, max(m.created_at) AS last_activity
      FROM pairs p LEFT JOIN messages m ON m.pair_id = p.id AND m.kind = 'message'
      WHERE p.mentor_id = $1 OR p.mentee_id = $1 GROUP BY p.id ORDER BY p.id`, [userId]);
    return rows.map(toSummary);
  }

  async heldOfUser(userId: number): Promise<HeldMessage[]> {
    return (await rowsOf<HeldRow>(this.pool(), `SELECT ${HELD_COLUMNS} FROM held_messages WHERE sender_id = $1 ORDER BY id`, [userId])).map(toHeld);
  }

  async reportsByUser(userId: number): Promise<Report[]> {
    return (await rowsOf<ReportRow>(this.pool(), `SELECT ${REPORT_COLUMNS} ${REPORT_FROM} WHERE r.reporter_id = $1 ORDER BY r.id`, [userId])).map(toReport);
  }

  async auditOf(userId: number, pairIds: readonly number[]): Promise<AuditEntry[]> {
    const rows = await rowsOf<AuditRow>(this.pool(), `
      SELECT ${AUDIT_COLUMNS} FROM audit_log WHERE actor_id = $1 OR user_id = $1 OR pair_id = ANY($2::bigint[]) ORDER BY id`, [userId, pairIds]);
    return rows.map(toAudit);
  }

  async wasErased(email: string): Promise<boolean> {
    return (await rowsOf(this.pool(), "SELECT 1 FROM audit_log WHERE action = 'erase' AND target = $1 LIMIT 1", [`user:${email}`])).length > 0;
  }

  async eraseUser(userId: number): Promise<Erasure> {
    return eraseUser(this.pool(), this.events, userId);
  }

  async audit(entry: NewAuditEntry): Promise<AuditEntry> {
    const detail = entry.detail === null ? null : JSON.stringify(entry.detail);
    const target = auditTargetOf(entry.target);
    const [row] = await rowsOf<AuditRow>(this.pool(), `
      INSERT INTO audit_log (at, actor, action, target, detail, actor_id, user_id, pair_id) VALUES (now(), $1, $2, $3, $4,
        (SELECT id FROM users WHERE email = $1),
        COALESCE($5::bigint, (SELECT id FROM users WHERE email = $6::text)),
        COALESCE($7::bigint, (SELECT id FROM pairs WHERE id = $8::bigint), (SELECT pair_id FROM held_messages WHERE id = $9::bigint),
                 (SELECT pair_id FROM messages WHERE id = $10::bigint), (SELECT m.pair_id ${REPORT_FROM} WHERE r.id = $11::bigint)))
      RETURNING ${AUDIT_COLUMNS}`,
    [entry.actor, entry.action, entry.target, detail, entry.userId ?? null, target.user, entry.pairId ?? null, target.pair, target.held, target.message, target.report]);
    return toAudit(row!);
  }

  async auditPage(limit: number, beforeId = Number.MAX_SAFE_INTEGER): Promise<Paged<AuditEntry>> {
    const rows = await rowsOf<AuditRow>(this.pool(), `SELECT ${AUDIT_COLUMNS} FROM audit_log WHERE id < $1 ORDER BY id DESC LIMIT $2`, [beforeId, limit + 1]);
    return paged(rows, limit, toAudit);
  }
}
