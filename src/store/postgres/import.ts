/**
 * How PostgresStore imports a batch of a platform's history: in the caller's transaction,
 * with a fixed number of statements whatever the batch's size. The pairs are made and
 * locked first, so that a concurrent import or live send of the same pair waits, and only
 * then are the already-imported ids read: what another import committed meanwhile is seen.
 */
import { AppError } from '../../errors.js';
import { rowsOf } from './pool.js';
import { SeqPlan, writeLastSeqs } from './seq.js';
import type { PostgresTx } from './tx.js';
import { OUT_OF_ORDER, type ImportedMessage, type ImportOutcome, type Role } from '../types.js';

const USERS = 'SELECT id, email, role FROM users WHERE email = ANY($1::text[])';
/** Pairs never matched here are made ended: they hold history, nobody chats in them. */
const MAKE_PAIRS = `
  INSERT INTO pairs (mentor_id, mentee_id, active, matched_at, ended_at)
  SELECT mentor_id, mentee_id, FALSE, at, at FROM unnest($1::bigint[], $2::bigint[], $3::timestamptz[]) AS t(mentor_id, mentee_id, at)
  ON CONFLICT (mentor_id, mentee_id) DO NOTHING`;
const LOCK_PAIRS = `
  SELECT p.id, p.mentor_id, p.mentee_id, p.last_seq, m.created_at AS newest
  FROM pairs p LEFT JOIN messages m ON m.pair_id = p.id AND m.seq = p.last_seq
  WHERE (p.mentor_id, p.mentee_id) IN (SELECT * FROM unnest($1::bigint[], $2::bigint[]))
  ORDER BY p.id FOR UPDATE OF p`;
const IMPORTED = 'SELECT external_id FROM messages WHERE external_id = ANY($1::text[])';
const INSERT = `
  WITH bumped AS (${writeLastSeqs('$8', '$9')})
  INSERT INTO messages (pair_id, seq, sender_id, content, created_at, is_read, external_id)
  SELECT pair_id, seq, sender_id, content, created_at, is_read, external_id
  FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::text[], $5::timestamptz[], $6::boolean[], $7::text[])
    WITH ORDINALITY AS t(pair_id, seq, sender_id, content, created_at, is_read, external_id, n)
  ORDER BY n`;

interface UserRef {
  id: number;
  email: string;
  role: Role;
}
interface LockedPair {
  id: number;
  mentor_id: number;
  mentee_id: number;
  last_seq: number;
  newest: Date | null;
}

/** Imports `messages` (see MessageStore.importHistory) in the transaction `tx`. */
export async function importBatch(tx: PostgresTx, messages: readonly ImportedMessage[]): Promise<ImportOutcome[]> {
  const outcomes: Array<ImportOutcome | undefined> = messages.map(() => undefined);
  const emails = [...new Set(messages.flatMap((m) => [m.senderEmail, m.receiverEmail]))];
  const users = new Map((await rowsOf<UserRef>(tx, USERS, [emails])).map((u) => [u.email, u]));
  const placed: Array<{ index: number; mentor: UserRef; mentee: UserRef; sender: UserRef }> = [];
  messages.forEach((message, index) => {
    const sender = users.get(message.senderEmail);
    const receiver = users.get(message.receiverEmail);
    if (!sender || !receiver) return void (outcomes[index] = new AppError('user_not_found'));
    const mentor = [sender, receiver].find((u) => u.role === 'MENTOR');
    const mentee = [sender, receiver].find((u) => u.role === 'MENTEE');
    if (!mentor || !mentee) return void (outcomes[index] = new AppError('wrong_role'));
    placed.push({ index, mentor, mentee, sender });
  });
  if (placed.length > 0) {
    await rowsOf(tx, MAKE_PAIRS, [placed.map((p) => p.mentor.id), placed.map((p) => p.mentee.id), placed.map((p) => messages[p.index]!.createdAt)]);
    const pairs = await rowsOf<LockedPair>(tx, LOCK_PAIRS, [placed.map((p) => p.mentor.id), placed.map((p) => p.mentee.id)]);
    const byUsers = new Map(pairs.map((pair) => [`${pair.mentor_id}:${pair.mentee_id}`, pair]));
    const seqs = new SeqPlan((pairId) => pairs.find((pair) => pair.id === pairId)!.last_seq);
    const imported = new Set(
      (await rowsOf<{ external_id: string }>(tx, IMPORTED, [placed.map((p) => messages[p.index]!.externalId)])).map((r) => r.external_id),
    );
    const rows = {
      pair: [] as number[],
      seq: [] as number[],
      sender: [] as number[],
      content: [] as string[],
      at: [] as Date[],
      read: [] as boolean[],
      id: [] as string[],
    };
    for (const { index, mentor, mentee, sender } of placed) {
      const message = messages[index]!;
      if (imported.has(message.externalId)) {
        outcomes[index] = 'unchanged';
        continue;
      }
      const pair = byUsers.get(`${mentor.id}:${mentee.id}`)!;
      if (pair.newest !== null && pair.newest.getTime() > message.createdAt.getTime()) {
        outcomes[index] = new AppError('invalid_request', OUT_OF_ORDER);
        continue;
      }
      imported.add(message.externalId);
      pair.newest = message.createdAt;
      rows.pair.push(pair.id);
      rows.seq.push(seqs.next(pair.id));
      rows.sender.push(sender.id);
      rows.content.push(message.content);
      rows.at.push(message.createdAt);
      rows.read.push(message.isRead);
      rows.id.push(message.externalId);
      outcomes[index] = 'created';
    }
    if (rows.pair.length > 0) {
      await rowsOf(tx, INSERT, [
        rows.pair,
        rows.seq,
        rows.sender,
        rows.content,
        rows.at,
        rows.read,
        rows.id,
        [...seqs.lastSeqs.keys()],
        [...seqs.lastSeqs.values()],
      ]);
    }
  }
  return outcomes as ImportOutcome[];
}
