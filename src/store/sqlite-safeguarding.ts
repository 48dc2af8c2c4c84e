/**
 * SqliteStore's safeguarding side (see safeguarding-types.ts): held messages, notices,
 * reports and the audit log. Each write is one immediate transaction; better-sqlite3 runs it
 * whole between two group-commit batches, so a `seq` taken here never races an append.
 */
import type Database from 'better-sqlite3';
import { AppError } from '../errors.js';
import { MESSAGE_COLUMNS, toMessage, type MessageRow } from './rows.js';
import { AUDIT_COLUMNS, HELD_COLUMNS, REPORT_COLUMNS, paged, toAudit, toHeld, toReport, toSummary } from './safeguarding-rows.js';
import type { AuditRow, HeldRow, ReportRow, SummaryRow } from './safeguarding-rows.js';
import type { AuditEntry, Erasure, HeldMessage, HoldResult, NewAuditEntry, NewHeldMessage, Paged, PairSummary, Report, SafeguardingStore } from './safeguarding-types.js';
import type { Message } from './message-types.js';
import type { SafeguardingEvents } from './safeguarding-events.js';

export class SqliteSafeguarding implements SafeguardingStore {
  private readonly sql;

  /** `events` runs in the transactions of what it is told (the store writes the webhook events there). */
  constructor(private readonly db: Database.Database, private readonly events: SafeguardingEvents<void>) {
    const p = (source: string) => db.prepare(source);
    this.sql = {
      senderInActivePair: p('SELECT paused FROM pairs WHERE id = ? AND active = 1 AND (mentor_id = ? OR mentee_id = ?)'),
      deliveredByClientId: p(`SELECT ${MESSAGE_COLUMNS} FROM messages WHERE pair_id = ? AND sender_id = ? AND client_id = ?`),
      heldByClientId: p(`SELECT ${HELD_COLUMNS} FROM held_messages WHERE pair_id = ? AND sender_id = ? AND client_id = ?`),
      insertHeld: p(`INSERT INTO held_messages (pair_id, sender_id, content, client_id, created_at, rule, matched) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING ${HELD_COLUMNS}`),
      heldById: p(`SELECT ${HELD_COLUMNS} FROM held_messages WHERE id = ?`),
      pending: p(`SELECT ${HELD_COLUMNS} FROM held_messages WHERE status = 'held' AND id > ? ORDER BY id LIMIT ?`),
      nextSeq: p('UPDATE pairs SET last_seq = last_seq + 1 WHERE id = ? AND active = 1 AND (mentor_id = ? OR mentee_id = ?) RETURNING last_seq'),
      nextSeqAny: p('UPDATE pairs SET last_seq = last_seq + 1 WHERE id = ? RETURNING last_seq'),
      insertMessage: p(`INSERT INTO messages (pair_id, seq, sender_id, content, created_at, client_id, kind) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING ${MESSAGE_COLUMNS}`),
      decide: p(`UPDATE held_messages SET status = ?, reason = ?, decided_by = ?, decided_at = ?, message_id = ? WHERE id = ? AND status = 'held' RETURNING ${HELD_COLUMNS}`),
      ownUndelivered: p(`SELECT ${HELD_COLUMNS} FROM held_messages WHERE pair_id = ? AND sender_id = ? AND status <> 'approved' AND created_at >= ? AND created_at < ? ORDER BY id`),
      newest: p(`SELECT ${MESSAGE_COLUMNS} FROM messages WHERE pair_id = ? ORDER BY id DESC LIMIT 1`),
      messageById: p(`SELECT ${MESSAGE_COLUMNS} FROM messages WHERE id = ?`),
      uptoId: p(`SELECT ${MESSAGE_COLUMNS} FROM messages WHERE pair_id = ? AND kind = 'message' AND id <= ? ORDER BY id DESC LIMIT ?`),
      uptoAt: p(`SELECT ${MESSAGE_COLUMNS} FROM messages WHERE pair_id = ? AND kind = 'message' AND created_at <= ? ORDER BY id DESC LIMIT ?`),
      summaries: p(`
        SELECT p.id, p.mentor_id, p.mentee_id, p.active,
               (SELECT count(*) FROM messages m WHERE m.pair_id = p.id AND m.kind = 'message') AS message_count,
               (SELECT max(created_at) FROM messages m WHERE m.pair_id = p.id AND m.kind = 'message') AS last_activity
        FROM pairs p ORDER BY p.id`),
      insertReport: p('INSERT INTO reports (message_id, reporter_id, reason, created_at) VALUES (?, ?, ?, ?) RETURNING id'),
      reportById: p(`SELECT ${REPORT_COLUMNS} FROM reports r JOIN messages m ON m.id = r.message_id WHERE r.id = ?`),
      openReports: p(`SELECT ${REPORT_COLUMNS} FROM reports r JOIN messages m ON m.id = r.message_id WHERE r.resolved_at IS NULL AND r.id > ? ORDER BY r.id LIMIT ?`),
      allReports: p(`SELECT ${REPORT_COLUMNS} FROM reports r JOIN messages m ON m.id = r.message_id WHERE r.id > ? ORDER BY r.id LIMIT ?`),
      isReported: p('SELECT 1 FROM reports WHERE message_id = ? LIMIT 1'),
      resolve: p('UPDATE reports SET resolved_by = ?, resolved_at = ?, resolution = ? WHERE id = ? AND resolved_at IS NULL RETURNING id'),
      audit: p(`INSERT INTO audit_log (at, actor, action, target, detail) VALUES (?, ?, ?, ?, ?) RETURNING ${AUDIT_COLUMNS}`),
      deleteOld: p('DELETE FROM messages WHERE id IN (SELECT id FROM messages WHERE created_at < ? ORDER BY id LIMIT ?)'),
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
      auditAbout: p(`SELECT ${AUDIT_COLUMNS} FROM audit_log WHERE actor = ? OR target = ? OR target IN (SELECT value FROM json_each(?)) ORDER BY id`),
      liveSessions: p('UPDATE sessions SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL RETURNING token_hash'),
      endPairsOf: p('UPDATE pairs SET active = 0, ended_at = ? WHERE active = 1 AND (mentor_id = ? OR mentee_id = ?) RETURNING id'),
      eraseMessages: p("UPDATE messages SET content = '' WHERE sender_id = ? AND kind = 'message'"),
      eraseHeld: p("UPDATE held_messages SET content = '', matched = '' WHERE sender_id = ?"),
      eraseReports: p("UPDATE reports SET reason = '' WHERE reporter_id = ?"),
      // The bodies saved for retries copy content (theirs and their partners'); an event still
      // owed is built again from the erased rows.
      eraseEventBodies: p('UPDATE webhook_events SET data = NULL WHERE pair_id IN (SELECT id FROM pairs WHERE mentor_id = ? OR mentee_id = ?)'),
      eraseUser: p("UPDATE users SET email = 'deleted-' || id || '@deleted.invalid', first_name = 'Deleted', last_name = 'user', password_hash = '', platform_issuer = NULL, platform_subject = NULL WHERE id = ?"),
      auditPage: p(`SELECT ${AUDIT_COLUMNS} FROM audit_log WHERE id < ? ORDER BY id DESC LIMIT ?`),
    };
  }

  async holdMessage(input: NewHeldMessage): Promise<HoldResult> {
    const clientId = input.clientId ?? null;
    return this.db.transaction((): HoldResult => {
      const pair = this.sql.senderInActivePair.get(input.pairId, input.senderId, input.senderId) as { paused: number } | undefined;
      if (!pair) throw new AppError('not_matched');
      if (clientId !== null) {
        const delivered = this.sql.deliveredByClientId.get(input.pairId, input.senderId, clientId) as MessageRow | undefined;
        if (delivered) return { message: toMessage(delivered), created: false };
        const held = this.sql.heldByClientId.get(input.pairId, input.senderId, clientId) as HeldRow | undefined;
        if (held) return { held: toHeld(held), created: false };
      }
      // A paused pair stores nothing new, held messages included.
      if (pair.paused === 1) throw new AppError('match_paused');
      const row = this.sql.insertHeld.get(input.pairId, input.senderId, input.content, clientId, Date.now(), input.rule, input.matched) as HeldRow;
      this.events.held(row.pair_id, row.id);
      return { held: toHeld(row), created: true };
    }).immediate();
  }

  async heldById(id: number): Promise<HeldMessage | null> {
    const row = this.sql.heldById.get(id) as HeldRow | undefined;
    return row ? toHeld(row) : null;
  }

  async pendingHeld(limit: number, afterId = 0): Promise<Paged<HeldMessage>> {
    return paged(this.sql.pending.all(afterId, limit + 1) as HeldRow[], limit, toHeld);
  }

  async approveHeld(id: number, actor: string): Promise<{ held: HeldMessage; message: Message }> {
    return this.db.transaction(() => {
      const held = this.sql.heldById.get(id) as HeldRow | undefined;
      if (!held || held.status !== 'held') throw new AppError('not_found');
      const next = this.sql.nextSeq.get(held.pair_id, held.sender_id, held.sender_id) as { last_seq: number } | undefined;
      if (!next) throw new AppError('not_matched');
      const now = Date.now();
      const message = this.sql.insertMessage.get(held.pair_id, next.last_seq, held.sender_id, held.content, now, held.client_id, 'message') as MessageRow;
      const decided = this.sql.decide.get('approved', null, actor, now, message.id, id) as HeldRow;
      this.events.approved(message);
      return { held: toHeld(decided), message: toMessage(message) };
    }).immediate();
  }

  async rejectHeld(id: number, actor: string, reason: string): Promise<HeldMessage> {
    const row = this.sql.decide.get('rejected', reason, actor, Date.now(), null, id) as HeldRow | undefined;
    if (!row) throw new AppError('not_found');
    return toHeld(row);
  }

  async ownUndelivered(pairId: number, senderId: number, from: Date | null, to: Date | null): Promise<HeldMessage[]> {
    const rows = this.sql.ownUndelivered.all(pairId, senderId, from?.getTime() ?? 0, to?.getTime() ?? Number.MAX_SAFE_INTEGER) as HeldRow[];
    return rows.map(toHeld);
  }

  async addViewedNotice(pairId: number, actorId: number, actorName: string): Promise<{ notice: Message; created: boolean }> {
    return this.db.transaction(() => {
      const newest = this.sql.newest.get(pairId) as MessageRow | undefined;
      if (newest && newest.kind === 'admin_viewed' && newest.sender_id === actorId) return { notice: toMessage(newest), created: false };
      const next = this.sql.nextSeqAny.get(pairId) as { last_seq: number } | undefined;
      if (!next) throw new AppError('not_found');
      const row = this.sql.insertMessage.get(pairId, next.last_seq, actorId, actorName, Date.now(), null, 'admin_viewed') as MessageRow;
      return { notice: toMessage(row), created: true };
    }).immediate();
  }

  async messageById(id: number): Promise<Message | null> {
    const row = this.sql.messageById.get(id) as MessageRow | undefined;
    return row ? toMessage(row) : null;
  }

  async messagesUpTo(pairId: number, upto: { id: number } | { at: Date }, limit: number): Promise<Message[]> {
    const rows = ('id' in upto ? this.sql.uptoId.all(pairId, upto.id, limit) : this.sql.uptoAt.all(pairId, upto.at.getTime(), limit)) as MessageRow[];
    return rows.map(toMessage).reverse();
  }

  async pairSummaries(): Promise<PairSummary[]> {
    return (this.sql.summaries.all() as SummaryRow[]).map(toSummary);
  }

  async createReport(messageId: number, reporterId: number, reason: string): Promise<Report> {
    return this.db.transaction(() => {
      const { id } = this.sql.insertReport.get(messageId, reporterId, reason, Date.now()) as { id: number };
      const report = toReport(this.sql.reportById.get(id) as ReportRow);
      this.events.reported(report.pairId, report.id);
      return report;
    }).immediate();
  }

  async reportById(id: number): Promise<Report | null> {
    const row = this.sql.reportById.get(id) as ReportRow | undefined;
    return row ? toReport(row) : null;
  }

  async reports({ all, limit, afterId = 0 }: { all: boolean; limit: number; afterId?: number }): Promise<Paged<Report>> {
    return paged((all ? this.sql.allReports : this.sql.openReports).all(afterId, limit + 1) as ReportRow[], limit, toReport);
  }

  async isReported(messageId: number): Promise<boolean> {
    return this.sql.isReported.get(messageId) !== undefined;
  }

  async resolveReport(id: number, actor: string, note: string): Promise<Report> {
    if (!this.sql.resolve.get(actor, Date.now(), note, id)) throw new AppError('not_found');
    return toReport(this.sql.reportById.get(id) as ReportRow);
  }

  async deleteMessagesBefore(cutoff: Date, limit: number): Promise<number> {
    return this.db.transaction(() => {
      const held = this.sql.deleteOldHeld.run(cutoff.getTime(), limit).changes;
      return held + this.sql.deleteOld.run(cutoff.getTime(), limit).changes;
    }).immediate();
  }

  async messagesOfUser(userId: number, afterId: number, limit: number): Promise<Message[]> {
    return (this.sql.messagesOfUser.all(afterId, userId, userId, limit) as MessageRow[]).map(toMessage);
  }

  async pairSummariesOf(userId: number): Promise<PairSummary[]> {
    return (this.sql.summariesOf.all(userId, userId) as SummaryRow[]).map(toSummary);
  }

  async heldOfUser(userId: number): Promise<HeldMessage[]> {
    return (this.sql.heldOfUser.all(userId) as HeldRow[]).map(toHeld);
  }

  async reportsByUser(userId: number): Promise<Report[]> {
    return (this.sql.reportsByUser.all(userId) as ReportRow[]).map(toReport);
  }

  async auditAbout(email: string, pairIds: readonly number[]): Promise<AuditEntry[]> {
    const targets = JSON.stringify(pairIds.map((id) => `pair:${id}`));
    return (this.sql.auditAbout.all(email, `user:${email}`, targets) as AuditRow[]).map(toAudit);
  }

  async eraseUser(userId: number): Promise<Erasure> {
    return this.db.transaction((): Erasure => {
      const now = Date.now();
      const revokedSessions = (this.sql.liveSessions.all(now, userId) as { token_hash: string }[]).map((row) => row.token_hash);
      const endedPairs = (this.sql.endPairsOf.all(now, userId, userId) as { id: number }[]).map((row) => row.id);
      this.events.pairsEnded(endedPairs);
      this.sql.eraseMessages.run(userId);
      this.sql.eraseHeld.run(userId);
      this.sql.eraseReports.run(userId);
      this.sql.eraseEventBodies.run(userId, userId);
      this.sql.eraseUser.run(userId);
      return { revokedSessions, endedPairs };
    }).immediate();
  }

  async audit(entry: NewAuditEntry): Promise<AuditEntry> {
    const detail = entry.detail === null ? null : JSON.stringify(entry.detail);
    return toAudit(this.sql.audit.get(Date.now(), entry.actor, entry.action, entry.target, detail) as AuditRow);
  }

  async auditPage(limit: number, beforeId = Number.MAX_SAFE_INTEGER): Promise<Paged<AuditEntry>> {
    return paged(this.sql.auditPage.all(beforeId, limit + 1) as AuditRow[], limit, toAudit);
  }
}
