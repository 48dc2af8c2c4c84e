/**
 * PostgresStore's erasure (see `DataRightsStore.erase`), and the evidence a resolved
 * report lets go. An UPDATE leaves the old row version in the table file (a dead tuple) until
 * VACUUM removes it, so the erasure ends with a `VACUUM` of the tables it changed, outside its
 * transaction: it takes no lock that blocks reads or writes, and skips the pages that hold no
 * dead row. What it cannot reach (the WAL segments not yet recycled, replicas' and backups'
 * copies) is said in docs/safeguarding.md ("Data rights").
 */
import type pg from 'pg';
import { ERASED_EMAIL_LIKE, erasedEmailOf } from '../../protocol/erased-email.js';
import type { EventWriter } from './events.js';
import { forgetMessage } from './attachment-links.js';
import { inTransaction, rowsOf } from './pool.js';
import { lockEvents } from './outbox.js';
import type { PostgresTx } from './tx.js';
import type { Erasure } from '../types.js';

const PAIRS_OF = '(SELECT id FROM pairs WHERE mentor_id = $1 OR mentee_id = $1)';
/** A message a report still open points at: its content is the evidence. */
const UNDER_OPEN_REPORT = 'EXISTS (SELECT 1 FROM reports r WHERE r.message_id = messages.id AND r.resolved_at IS NULL)';
/** Every table an erasure changes. */
const ERASED_TABLES = 'messages, message_versions, message_changes, held_messages, attachments, reports, audit_log, webhook_events, login_attempts, users';

type Names = { id: number; email: string; erased: string };

/** The statements after the outbox's, each with its parameters. */
const STATEMENTS: Array<(names: Names) => [string, unknown[]]> = [
  ({ id }) => [`UPDATE messages SET content = '' WHERE sender_id = $1 AND kind = 'message' AND NOT ${UNDER_OPEN_REPORT}`, [id]],
  // What copies their messages' text (PROTOCOL.md Part 8): the texts edits replaced and
  // deletions kept (except a reported message's, the evidence), their edits in the pair's
  // timeline, and the previews of replies to them.
  ({ id }) => [`DELETE FROM message_versions WHERE message_id IN (SELECT id FROM messages WHERE sender_id = $1 AND NOT ${UNDER_OPEN_REPORT})`, [id]],
  ({ id }) => ["UPDATE message_changes SET content = '' WHERE actor_id = $1 AND kind = 'edit'", [id]],
  ({ id }) => ["UPDATE messages SET reply_preview = '' WHERE reply_sender_id = $1", [id]],
  // Their files go, but those of a message a report still holds as evidence.
  ({ id }) => [
    'DELETE FROM attachments WHERE uploader_id = $1 AND (message_id IS NULL OR message_id NOT IN (SELECT message_id FROM reports WHERE resolved_at IS NULL))',
    [id],
  ],
  ({ id }) => [`UPDATE messages SET attachments = NULL WHERE sender_id = $1 AND attachments IS NOT NULL AND NOT ${UNDER_OPEN_REPORT}`, [id]],
  ({ id }) => ['UPDATE held_messages SET attachments = NULL WHERE sender_id = $1 AND attachments IS NOT NULL', [id]],
  // An erased admin's "viewed" notices name them.
  ({ id }) => ["UPDATE messages SET content = 'Deleted user' WHERE sender_id = $1 AND kind = 'admin_viewed'", [id]],
  ({ id }) => ["UPDATE held_messages SET content = '', matched = '', reason = CASE WHEN reason IS NULL THEN NULL ELSE '' END WHERE sender_id = $1", [id]],
  ({ email, erased }) => ['UPDATE held_messages SET decided_by = $2 WHERE decided_by = $1', [email, erased]],
  ({ id }) => ["UPDATE reports SET reason = '' WHERE reporter_id = $1", [id]],
  ({ id }) => [
    `UPDATE reports SET resolution = '' WHERE resolution IS NOT NULL
                AND (reporter_id = $1 OR message_id IN (SELECT id FROM messages WHERE sender_id = $1))`,
    [id],
  ],
  ({ email, erased }) => ['UPDATE reports SET resolved_by = $2 WHERE resolved_by = $1', [email, erased]],
  ({ id, erased }) => [
    `UPDATE audit_log SET detail = NULL,
     actor = CASE WHEN actor_id = $1 THEN $2 ELSE actor END,
     target = CASE WHEN user_id = $1 AND left(target, 5) = 'user:' THEN 'user:' || $2::text ELSE target END
   WHERE actor_id = $1 OR user_id = $1 OR pair_id IN ${PAIRS_OF}`,
    [id, erased],
  ],
  ({ email }) => ["DELETE FROM login_attempts WHERE key = 'account:' || $1::text OR left(key, length($1::text) + 6) = 'pair:' || $1::text || '|'", [email]],
  ({ id, erased }) => [
    "UPDATE users SET email = $2, first_name = 'Deleted', last_name = 'user', password_hash = '', platform_issuer = NULL, platform_subject = NULL WHERE id = $1",
    [id, erased],
  ],
];

/** The erasure in one transaction (`events` writes its webhook events there), then the VACUUM. */
export async function eraseUser(pool: pg.Pool, events: EventWriter, userId: number): Promise<Erasure> {
  const erasure = await inTransaction(pool, async (tx) => {
    const [user] = await rowsOf<{ email: string }>(tx, 'SELECT email FROM users WHERE id = $1 FOR UPDATE', [userId]);
    const names: Names = { id: userId, email: user?.email ?? '', erased: erasedEmailOf(userId) };
    const revoked = await rowsOf<{ token_hash: string }>(
      tx,
      'UPDATE sessions SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL RETURNING token_hash',
      [userId],
    );
    const ended = await rowsOf<{ id: number }>(
      tx,
      'UPDATE pairs SET active = FALSE, ended_at = now() WHERE active AND (mentor_id = $1 OR mentee_id = $1) RETURNING id',
      [userId],
    );
    for (const row of ended) await events.write(tx, 'match.ended', row.id, { actor: null, reason: 'account_deleted' });
    // The bodies saved for retries copy content (theirs and their partners'); an event still
    // owed is built again from the erased rows. A `match.ended` names who unmatched.
    const bodies = await rowsOf<{ id: number }>(tx, `SELECT id FROM webhook_events WHERE pair_id IN ${PAIRS_OF}`, [userId]);
    await lockEvents(
      tx,
      bodies.map((row) => row.id),
    );
    await rowsOf(
      tx,
      `
      UPDATE webhook_events SET data = NULL,
        detail = CASE WHEN detail::jsonb ->> 'actor' = $2 THEN (detail::jsonb || '{"actor": null}')::text ELSE detail END
      WHERE id = ANY($1::bigint[])`,
      [bodies.map((row) => row.id), names.email],
    );
    for (const statement of STATEMENTS) await rowsOf(tx, ...statement(names));
    return { revokedSessions: revoked.map((row) => row.token_hash), endedPairs: ended.map((row) => row.id) };
  });
  return { ...erasure, purgeProblem: await vacuum(pool) };
}

/**
 * In the caller's transaction, once the report of `messageId` is resolved: empties the
 * message if its sender was erased and no other report of it is open. Whether it did.
 */
export async function releaseEvidence(tx: PostgresTx, messageId: number): Promise<boolean> {
  const released = await rowsOf(
    tx,
    `
    UPDATE messages SET content = '' WHERE id = $1 AND kind = 'message' AND NOT ${UNDER_OPEN_REPORT}
      AND EXISTS (SELECT 1 FROM users u WHERE u.id = messages.sender_id AND u.email LIKE '${ERASED_EMAIL_LIKE}') RETURNING id`,
    [messageId],
  );
  if (released.length === 0) return false;
  await rowsOf(tx, 'DELETE FROM message_versions WHERE message_id = $1', [messageId]);
  await rowsOf(tx, "UPDATE message_changes SET content = '' WHERE message_id = $1 AND kind = 'edit'", [messageId]);
  await forgetMessage(tx, messageId);
  await rowsOf(tx, 'UPDATE webhook_events SET data = NULL WHERE message_id = $1 OR report_id IN (SELECT id FROM reports WHERE message_id = $1)', [messageId]);
  return true;
}

/** VACUUM of what an erasure changed (never in a transaction); why it failed, or null. */
export async function vacuum(pool: pg.Pool): Promise<string | null> {
  try {
    await pool.query(`VACUUM ${ERASED_TABLES}`);
    return null;
  } catch (error) {
    return `VACUUM after the erasure failed, the old row versions stay until autovacuum: ${error instanceof Error ? error.message : String(error)}`;
  }
}
