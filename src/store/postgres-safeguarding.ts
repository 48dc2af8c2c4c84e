/**
 * PostgresStore's safeguarding side (see safeguarding-types.ts). A `seq` taken here (an
 * approval, a notice) is taken under the pair row's lock, the same lock every group-commit
 * batch takes, so it never races an append on any instance.
 */
import type pg from 'pg';
import { AppError } from '../errors.js';
import type { Message } from './message-types.js';
import { inTransaction, rowsOf, type Queryable } from './postgres-pool.js';
import { lockEvents } from './postgres-outbox.js';
import { MESSAGE_COLUMNS, toMessage, type MessageRow } from './rows.js';
import { AUDIT_COLUMNS, HELD_COLUMNS, REPORT_COLUMNS, paged, toAudit, toHeld, toReport, toSummary } from './safeguarding-rows.js';
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
    const rows = await rowsOf(this.pool(),
      'UPDATE reports SET resolved_by = $2, resolved_at = now(), resolution = $3 WHERE id = $1 AND resolved_at IS NULL RETURNING id', [id, actor, note]);
    if (rows.length === 0) throw new AppError('not_found');
    return (await this.reportById(id))!;
  }

  async deleteMessagesBefore(cutoff: Date, limit: number): Promise<number> {
    // SKIP LOCKED: instances running the job at once each take rows no other is deleting,
    // and none waits on an append's lock.
    const [row] = await rowsOf<{ held: number; messages: number }>(this.pool(), `
      WITH held AS (
        DELETE FROM held_messages WHERE id IN (SELECT id FROM held_messages WHERE created_at < $1 ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED) RETURNING 1),
      old AS (
        DELETE FROM messages WHERE id IN (SELECT id FROM messages WHERE created_at < $1 ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED) RETURNING 1)
      SELECT (SELECT count(*) FROM held)::int AS held, (SELECT count(*) FROM old)::int AS messages`, [cutoff, limit]);
    return row!.held + row!.messages;
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

  async auditAbout(email: string, pairIds: readonly number[]): Promise<AuditEntry[]> {
    const rows = await rowsOf<AuditRow>(this.pool(), `
      SELECT ${AUDIT_COLUMNS} FROM audit_log WHERE actor = $1 OR target = $2 OR target = ANY($3::text[]) ORDER BY id`,
    [email, `user:${email}`, pairIds.map((id) => `pair:${id}`)]);
    return rows.map(toAudit);
  }

  async eraseUser(userId: number): Promise<Erasure> {
    return inTransaction(this.pool(), async (tx) => {
      await rowsOf(tx, 'SELECT 1 FROM users WHERE id = $1 FOR UPDATE', [userId]);
      const revoked = await rowsOf<{ token_hash: string }>(tx,
        'UPDATE sessions SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL RETURNING token_hash', [userId]);
      const ended = await rowsOf<{ id: number }>(tx,
        'UPDATE pairs SET active = FALSE, ended_at = now() WHERE active AND (mentor_id = $1 OR mentee_id = $1) RETURNING id', [userId]);
      await this.events(tx).pairsEnded(ended.map((row) => row.id));
      await rowsOf(tx, "UPDATE messages SET content = '' WHERE sender_id = $1 AND kind = 'message'", [userId]);
      await rowsOf(tx, "UPDATE held_messages SET content = '', matched = '' WHERE sender_id = $1", [userId]);
      await rowsOf(tx, "UPDATE reports SET reason = '' WHERE reporter_id = $1", [userId]);
      // The bodies saved for retries copy content (theirs and their partners'); an event still
      // owed is built again from the erased rows.
      const bodies = await rowsOf<{ id: number }>(tx, 'SELECT id FROM webhook_events WHERE pair_id IN (SELECT id FROM pairs WHERE mentor_id = $1 OR mentee_id = $1)', [userId]);
      await lockEvents(tx, bodies.map((row) => row.id));
      await rowsOf(tx, 'UPDATE webhook_events SET data = NULL WHERE id = ANY($1::bigint[])', [bodies.map((row) => row.id)]);
      await rowsOf(tx, "UPDATE users SET email = 'deleted-' || id || '@deleted.invalid', first_name = 'Deleted', last_name = 'user', password_hash = '', platform_issuer = NULL, platform_subject = NULL WHERE id = $1", [userId]);
      return { revokedSessions: revoked.map((row) => row.token_hash), endedPairs: ended.map((row) => row.id) };
    });
  }

  async audit(entry: NewAuditEntry): Promise<AuditEntry> {
    const detail = entry.detail === null ? null : JSON.stringify(entry.detail);
    const [row] = await rowsOf<AuditRow>(this.pool(), `
      INSERT INTO audit_log (at, actor, action, target, detail) VALUES (now(), $1, $2, $3, $4) RETURNING ${AUDIT_COLUMNS}`,
    [entry.actor, entry.action, entry.target, detail]);
    return toAudit(row!);
  }

  async auditPage(limit: number, beforeId = Number.MAX_SAFE_INTEGER): Promise<Paged<AuditEntry>> {
    const rows = await rowsOf<AuditRow>(this.pool(), `SELECT ${AUDIT_COLUMNS} FROM audit_log WHERE id < $1 ORDER BY id DESC LIMIT $2`, [beforeId, limit + 1]);
    return paged(rows, limit, toAudit);
  }
}
