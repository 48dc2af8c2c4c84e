/**
 * How PostgresStore stores one group-commit batch of appends: in the caller's transaction,
 * with a fixed number of statements whatever the batch's size.
 */
import { AppError } from '../errors.js';
import { rowsOf, type Queryable } from './postgres-pool.js';
import { MESSAGE_COLUMNS, PAIR_COLUMNS, toMessage, type MessageRow, type PairRow } from './rows.js';
import type { AppendResult, NewMessage, OutboxOptions } from './types.js';

const LOCK_PAIRS = `SELECT ${PAIR_COLUMNS} FROM pairs WHERE id = ANY($1::bigint[]) ORDER BY id FOR UPDATE`;
const EARLIER = `
  SELECT ${MESSAGE_COLUMNS} FROM messages
  WHERE (pair_id, sender_id, client_id) IN (SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::text[]))`;
/**
 * The messages, their pairs' new `last_seq` and (with the outbox on, `$8`) their webhook
 * events in one statement (one round trip: node-postgres runs a transaction's statements one
 * after the other): a `message.created` per message and a `message.unread` reminder of each
 * receiver due `$9` ms later, unless one is pending (the partial unique index). Rows are
 * inserted in arrival order, so message ids grow with seq.
 */
const INSERT = `
  WITH bumped AS (
    UPDATE pairs SET last_seq = b.last_seq FROM unnest($6::bigint[], $7::bigint[]) AS b(id, last_seq) WHERE pairs.id = b.id),
  inserted AS (
    INSERT INTO messages (pair_id, seq, sender_id, content, created_at, client_id)
    SELECT pair_id, seq, sender_id, content, now(), client_id
    FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::text[], $5::text[])
      WITH ORDINALITY AS t(pair_id, seq, sender_id, content, client_id, n)
    ORDER BY n
    RETURNING ${MESSAGE_COLUMNS}),
  created AS (
    INSERT INTO webhook_events (type, pair_id, message_id, created_at, window_start, due_at)
    SELECT 'message.created', pair_id, id, now(), now(), now() FROM inserted WHERE $8::boolean ORDER BY id),
  reminded AS (
    INSERT INTO webhook_events (type, pair_id, recipient_id, created_at, window_start, due_at)
    SELECT DISTINCT 'message.unread', i.pair_id, CASE WHEN p.mentor_id = i.sender_id THEN p.mentee_id ELSE p.mentor_id END,
           now(), now(), now() + $9::bigint * interval '1 millisecond'
    FROM inserted i JOIN pairs p ON p.id = i.pair_id WHERE $8::boolean
    ON CONFLICT DO NOTHING)
  SELECT * FROM inserted`;

/**
 * Stores a batch with a fixed number of statements, whatever its size. The batch's pair
 * rows are locked first, in id order, so that instances flushing over the same pairs queue
 * instead of deadlocking; only then are earlier clientIds read, so that what another
 * instance committed meanwhile is seen. Seqs are then allocated in arrival order. With
 * `outbox`, the messages' webhook events are written in the same statement.
 */
export async function appendBatch(tx: Queryable, inputs: readonly NewMessage[], outbox: OutboxOptions | null): Promise<Array<AppendResult | AppError>> {
  const ids = [...new Set(inputs.map((input) => input.pairId).filter(Number.isSafeInteger))];
  const locked = ids.length === 0 ? [] : await rowsOf<PairRow>(tx, LOCK_PAIRS, [ids]);
  const pairs = new Map(locked.map((row) => [row.id, row]));
  const accepts = (input: NewMessage): boolean => {
    const pair = pairs.get(input.pairId);
    return pair?.active === true && (pair.mentor_id === input.senderId || pair.mentee_id === input.senderId);
  };
  const keyed = inputs.filter((input) => input.clientId != null && accepts(input));
  const earlier = keyed.length === 0 ? [] : await rowsOf<MessageRow>(tx, EARLIER, [
    keyed.map((m) => m.pairId), keyed.map((m) => m.senderId), keyed.map((m) => m.clientId!)]);

  const at = (pairId: number, seq: number) => `${pairId}:${seq}`;
  const clientKey = (pairId: number, senderId: number, clientId: string) => JSON.stringify([pairId, senderId, clientId]);
  const stored = new Map(earlier.map((row) => [at(row.pair_id, row.seq), toMessage(row)]));
  const seqOfClientId = new Map(earlier.map((row) => [clientKey(row.pair_id, row.sender_id, row.client_id!), at(row.pair_id, row.seq)]));
  const fresh: NewMessage[] = [];
  const seqs: number[] = [];
  const plan = inputs.map((input) => {
    if (!accepts(input)) return new AppError('not_matched');
    const key = input.clientId == null ? null : clientKey(input.pairId, input.senderId, input.clientId);
    const original = key === null ? undefined : seqOfClientId.get(key);
    if (original !== undefined) return { at: original, created: false };
    if (pairs.get(input.pairId)!.paused) return new AppError('match_paused');
    const seq = ++pairs.get(input.pairId)!.last_seq;
    fresh.push(input);
    seqs.push(seq);
    if (key !== null) seqOfClientId.set(key, at(input.pairId, seq));
    return { at: at(input.pairId, seq), created: true };
  });

  if (fresh.length > 0) {
    const bumpedIds = new Set(fresh.map((input) => input.pairId));
    const bumped = locked.filter((pair) => bumpedIds.has(pair.id));
    const inserted = await rowsOf<MessageRow>(tx, INSERT, [
      fresh.map((m) => m.pairId), seqs, fresh.map((m) => m.senderId), fresh.map((m) => m.content), fresh.map((m) => m.clientId ?? null),
      bumped.map((pair) => pair.id), bumped.map((pair) => pair.last_seq), outbox !== null, outbox?.unreadAfterMs ?? 0]);
    for (const row of inserted) stored.set(at(row.pair_id, row.seq), toMessage(row));
  }
  return plan.map((step) => (step instanceof AppError ? step : { message: stored.get(step.at)!, created: step.created }));
}
