/**
 * SqliteStore's erasure (see `DataRightsStore.erase`), and the evidence a resolved
 * report lets go. The database runs with `secure_delete` on (see index.ts), so the old text
 * a statement here replaces is overwritten with zeros in its page; the purge afterwards rebuilds
 * the file (copies left in unused space by earlier page moves go) and truncates the WAL, which
 * held the old pages.
 */
import type Database from 'better-sqlite3';
import { ERASED_EMAIL_LIKE, erasedEmailOf } from '../../protocol/erased-email.js';
import type { Erasure } from '../types.js';
import type { SqliteContext } from './context.js';
import { optimizeSearch } from './search.js';
import { transaction, type SqliteTx } from './tx.js';

const PAIRS_OF = '(SELECT id FROM pairs WHERE mentor_id = @id OR mentee_id = @id)';
/** A message a report still open points at: its content is the evidence. */
const UNDER_OPEN_REPORT = 'EXISTS (SELECT 1 FROM reports r WHERE r.message_id = messages.id AND r.resolved_at IS NULL)';

export class SqliteErasure {
  private readonly sql;

  private readonly db: Database.Database;

  constructor(private readonly context: SqliteContext) {
    this.db = context.db;
    const p = (source: string) => context.db.prepare(source);
    this.sql = {
      email: p('SELECT email FROM users WHERE id = ?'),
      sessions: p('UPDATE sessions SET revoked_at = @now WHERE user_id = @id AND revoked_at IS NULL RETURNING token_hash'),
      endPairs: p('UPDATE pairs SET active = 0, ended_at = @now WHERE active = 1 AND (mentor_id = @id OR mentee_id = @id) RETURNING id'),
      messages: p(`UPDATE messages SET content = '' WHERE sender_id = @id AND kind = 'message' AND NOT ${UNDER_OPEN_REPORT}`),
      // What copies their messages' text (PROTOCOL.md Part 8): the texts edits replaced and
      // deletions kept (except a reported message's, the evidence), their edits in the pair's
      // timeline, and the previews of replies to them.
      versions: p(`DELETE FROM message_versions WHERE message_id IN (SELECT id FROM messages WHERE sender_id = @id AND NOT ${UNDER_OPEN_REPORT})`),
      edits: p("UPDATE message_changes SET content = '' WHERE actor_id = @id AND kind = 'edit'"),
      previews: p("UPDATE messages SET reply_preview = '' WHERE reply_sender_id = @id"),
      // An erased admin's "viewed" notices name them.
      notices: p("UPDATE messages SET content = 'Deleted user' WHERE sender_id = @id AND kind = 'admin_viewed'"),
      // Their files go, but those of a message a report still holds as evidence.
      files: p(
        `DELETE FROM attachments WHERE uploader_id = @id AND (message_id IS NULL OR message_id NOT IN (SELECT message_id FROM reports WHERE resolved_at IS NULL))`,
      ),
      fileSummaries: p(`UPDATE messages SET attachments = NULL WHERE sender_id = @id AND attachments IS NOT NULL AND NOT ${UNDER_OPEN_REPORT}`),
      heldFileSummaries: p('UPDATE held_messages SET attachments = NULL WHERE sender_id = @id AND attachments IS NOT NULL'),
      held: p("UPDATE held_messages SET content = '', matched = '', reason = CASE WHEN reason IS NULL THEN NULL ELSE '' END WHERE sender_id = @id"),
      decidedBy: p('UPDATE held_messages SET decided_by = @erased WHERE decided_by = @email'),
      reports: p("UPDATE reports SET reason = '' WHERE reporter_id = @id"),
      resolutions: p(`UPDATE reports SET resolution = '' WHERE resolution IS NOT NULL
                      AND (reporter_id = @id OR message_id IN (SELECT id FROM messages WHERE sender_id = @id))`),
      resolvedBy: p('UPDATE reports SET resolved_by = @erased WHERE resolved_by = @email'),
      audit: p(`UPDATE audit_log SET detail = NULL,
                  actor = CASE WHEN actor_id = @id THEN @erased ELSE actor END,
                  target = CASE WHEN user_id = @id AND substr(target, 1, 5) = 'user:' THEN 'user:' || @erased ELSE target END
                WHERE actor_id = @id OR user_id = @id OR pair_id IN ${PAIRS_OF}`),
      // The bodies saved for retries copy content (theirs and their partners'); an event still
      // owed is built again from the erased rows. A `match.ended` names who unmatched.
      eventBodies: p(`UPDATE webhook_events SET data = NULL,
                        detail = CASE WHEN json_extract(detail, '$.actor') = @email THEN json_set(detail, '$.actor', NULL) ELSE detail END
                      WHERE pair_id IN ${PAIRS_OF}`),
      attempts: p("DELETE FROM login_attempts WHERE key = 'account:' || @email OR substr(key, 1, length(@email) + 6) = 'pair:' || @email || '|'"),
      user: p(
        "UPDATE users SET email = @erased, first_name = 'Deleted', last_name = 'user', password_hash = '', platform_issuer = NULL, platform_subject = NULL WHERE id = @id",
      ),
      evidence: p(`UPDATE messages SET content = '' WHERE id = ? AND kind = 'message' AND NOT ${UNDER_OPEN_REPORT}
                   AND EXISTS (SELECT 1 FROM users u WHERE u.id = messages.sender_id AND u.email LIKE '${ERASED_EMAIL_LIKE}') RETURNING id`),
      evidenceVersions: p('DELETE FROM message_versions WHERE message_id = ?'),
      evidenceEdits: p("UPDATE message_changes SET content = '' WHERE message_id = ? AND kind = 'edit'"),
      evidenceFiles: p('DELETE FROM attachments WHERE message_id = ?'),
      evidenceSummary: p('UPDATE messages SET attachments = NULL WHERE id = ?'),
      evidenceBodies: p('UPDATE webhook_events SET data = NULL WHERE message_id = ? OR report_id IN (SELECT id FROM reports WHERE message_id = ?)'),
    };
  }

  /** The erasure, in one immediate transaction, then the purge. */
  erase(userId: number): Erasure {
    const erasure = transaction(this.db, (tx) => {
      const row = this.sql.email.get(userId) as { email: string } | undefined;
      const names = { id: userId, now: Date.now(), email: row?.email ?? '', erased: erasedEmailOf(userId) };
      const revokedSessions = (this.sql.sessions.all(names) as { token_hash: string }[]).map((session) => session.token_hash);
      const endedPairs = (this.sql.endPairs.all(names) as { id: number }[]).map((pair) => pair.id);
      for (const pairId of endedPairs) this.context.events.write(tx, 'match.ended', pairId, { detail: { actor: null, reason: 'account_deleted' } });
      for (const statement of [
        this.sql.messages,
        this.sql.versions,
        this.sql.edits,
        this.sql.previews,
        this.sql.notices,
        this.sql.files,
        this.sql.fileSummaries,
        this.sql.heldFileSummaries,
        this.sql.held,
        this.sql.decidedBy,
        this.sql.reports,
        this.sql.resolutions,
        this.sql.resolvedBy,
        this.sql.audit,
        this.sql.eventBodies,
        this.sql.attempts,
        this.sql.user,
      ]) {
        statement.run(names);
      }
      return { revokedSessions, endedPairs };
    });
    return { ...erasure, purgeProblem: this.purge() };
  }

  /**
   * In the caller's transaction, once the report of `messageId` is resolved: empties the
   * message if its sender was erased and no other report of it is open. Whether it did.
   */
  releaseEvidence(_tx: SqliteTx, messageId: number): boolean {
    if (!this.sql.evidence.get(messageId)) return false;
    this.sql.evidenceVersions.run(messageId);
    this.sql.evidenceEdits.run(messageId);
    this.sql.evidenceBodies.run(messageId, messageId);
    this.sql.evidenceFiles.run(messageId);
    this.sql.evidenceSummary.run(messageId);
    return true;
  }

  /**
   * Merges the search index's segments (an erased word would stay in an old one), rebuilds the
   * database file (VACUUM), then writes the WAL back into it and truncates it; why not, when a
   * reader held it. `secure_delete` zeroes freed cells, but a cell that SQLite moved to another
   * page (a split, a rebalance after rows grew) leaves its old copy in the unused space of the
   * page it left, which no row points at: only a rebuild writes every page anew. Without
   * waiting: a busy handler here would stop the event loop behind that reader.
   */
  purge(): string | null {
    // First the search index: its older segments still hold the words just deleted.
    optimizeSearch(this.context);
    const timeout = this.db.pragma('busy_timeout', { simple: true }) as number;
    this.db.pragma('busy_timeout = 0');
    let results: { busy: number }[];
    try {
      this.db.exec('VACUUM');
      results = this.db.pragma('wal_checkpoint(TRUNCATE)') as { busy: number }[];
    } catch (error) {
      return `rebuilding the database file failed: ${error instanceof Error ? error.message : String(error)}`;
    } finally {
      this.db.pragma(`busy_timeout = ${Number(timeout)}`);
    }
    const [result] = results;
    return result && result.busy !== 0 ? 'a reader kept the WAL from being checkpointed: it holds old pages until the next checkpoint' : null;
  }
}
