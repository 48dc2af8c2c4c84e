/**
 * How PostgresStore stores one group-commit batch of appends: in the caller's transaction,
 * with a fixed number of statements whatever the batch's size — two in the usual case (lock
 * the pairs, store); three when a message with a client_id is for a paused pair (lock, read
 * the earlier messages, store); four when a retry is for a pair that is not paused (the first
 * store finds the client_id taken and changes nothing; the earlier messages are read and the
 * batch stored again).
 */
import { AppError } from '../../errors.js';
import { linkFiles } from './attachment-links.js';
import { rowsOf } from './pool.js';
import { MESSAGE_COLUMNS, PAIR_COLUMNS, toMessage, type MessageRow, type PairRow } from '../rows.js';
import { REPLY_PREVIEW_LENGTH, type AppendResult, type Message, type NewMessage, type OutboxOptions } from '../types.js';
import { SeqPlan, writeLastSeqs } from './seq.js';
import type { PostgresTx } from './tx.js';

const LOCK_PAIRS = `SELECT ${PAIR_COLUMNS} FROM pairs WHERE id = ANY($1::bigint[]) ORDER BY id FOR UPDATE`;
/** Which of the replies' targets are messages of the reply's own pair (read under the pairs' lock). */
const REPLY_TARGETS = "SELECT id, pair_id FROM messages WHERE id = ANY($1::bigint[]) AND kind = 'message'";
const EARLIER = `
  SELECT ${MESSAGE_COLUMNS} FROM messages
  WHERE (pair_id, sender_id, client_id) IN (SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::text[]))`;
/**
 * The messages, their pairs' new `last_seq` and (with the outbox on, `$8`) their webhook
 * events in one statement (one round trip: node-postgres runs a transaction's statements one
 * after the other): a `message.created` per message and a `message.unread` reminder of each
 * receiver due `$9` ms later, unless one is pending (the partial unique index). Rows are
 * inserted in arrival order, so message ids grow with seq. When one of the client_ids is
 * stored already (`taken`), the statement changes nothing and returns no row. It runs after
 * LOCK_PAIRS, so its snapshot holds every message committed to these pairs.
 */
const INSERT = `
  WITH taken AS (
    SELECT 1 FROM unnest($1::bigint[], $3::bigint[], $5::text[]) AS k(pair_id, sender_id, client_id)
    JOIN messages m USING (pair_id, sender_id, client_id) LIMIT 1),
  bumped AS (${writeLastSeqs('$6', '$7')} AND NOT EXISTS (SELECT 1 FROM taken)),
  inserted AS (
    INSERT INTO messages (pair_id, seq, sender_id, content, created_at, client_id, reply_to, reply_sender_id, reply_preview)
    SELECT t.pair_id, t.seq, t.sender_id, t.content, now(), t.client_id, r.id, r.sender_id, left(r.content, ${REPLY_PREVIEW_LENGTH})
    FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::text[], $5::text[], $10::bigint[])
      WITH ORDINALITY AS t(pair_id, seq, sender_id, content, client_id, reply_to, n)
    LEFT JOIN messages r ON r.id = t.reply_to AND r.pair_id = t.pair_id
    WHERE NOT EXISTS (SELECT 1 FROM taken)
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

/** Where each input of a batch stands: refused, or the `pair:seq` of its message (new or the original). */
type Step = AppError | { at: string; created: boolean };

interface Plan {
  steps: Step[];
  fresh: NewMessage[];
  seqs: number[];
  /** Each pair that gets messages, with its new `last_seq`. */
  taken: SeqPlan;
}

const at = (pairId: number, seq: number) => `${pairId}:${seq}`;
const clientKey = (pairId: number, senderId: number, clientId: string) => JSON.stringify([pairId, senderId, clientId]);

/**
 * Stores a batch with a fixed number of statements, whatever its size. The batch's pair
 * rows are locked first, in id order, so that instances flushing over the same pairs queue
 * instead of deadlocking; what is read after that sees what another instance committed
 * meanwhile. The batch is planned as if every client_id were new, as it is for all but
 * retries: seqs allocated in arrival order, the messages stored in one statement. If a
 * client_id turns out to be stored already, that statement changes nothing; the earlier
 * messages are read and the batch planned and stored again. A retry into a paused pair gets
 * its original, not `match_paused`, so a batch with a client_id for a paused pair reads the
 * earlier messages first. With `outbox`, the messages' webhook events are written in the
 * storing statement.
 */
export async function appendBatch(tx: PostgresTx, inputs: readonly NewMessage[], outbox: OutboxOptions | null): Promise<Array<AppendResult | AppError>> {
  const results = await storeBatch(tx, inputs, outbox);
  // Files, in the same transaction: one statement pair per new message that has any, none otherwise.
  for (const [index, input] of inputs.entries()) {
    const result = results[index]!;
    if (result instanceof AppError || !result.created || !input.attachmentIds?.length) continue;
    const { message } = result;
    const files = await linkFiles(tx, { id: message.id, pairId: message.pairId, senderId: message.senderId }, input.attachmentIds);
    if (files.length > 0) result.message = { ...message, attachments: files };
  }
  return results;
}

async function storeBatch(tx: PostgresTx, inputs: readonly NewMessage[], outbox: OutboxOptions | null): Promise<Array<AppendResult | AppError>> {
  const ids = [...new Set(inputs.map((input) => input.pairId).filter(Number.isSafeInteger))];
  const locked = ids.length === 0 ? [] : await rowsOf<PairRow>(tx, LOCK_PAIRS, [ids]);
  const pairs = new Map(locked.map((row) => [row.id, row]));
  const accepts = (input: NewMessage): boolean => {
    const pair = pairs.get(input.pairId);
    return pair?.active === true && (pair.mentor_id === input.senderId || pair.mentee_id === input.senderId);
  };
  const replies = inputs.flatMap((input) => (input.replyTo != null && accepts(input) ? [input.replyTo] : []));
  const targets = replies.length === 0 ? [] : await rowsOf<{ id: number; pair_id: number }>(tx, REPLY_TARGETS, [replies]);
  const targetPair = new Map(targets.map((row) => [Number(row.id), Number(row.pair_id)]));
  // Refused before a `seq` is planned for it: a reply to what is not a message of its pair.
  const repliesRightly = (input: NewMessage): boolean => input.replyTo == null || targetPair.get(input.replyTo) === input.pairId;
  const keyed = inputs.filter((input) => input.clientId != null && accepts(input));
  if (!keyed.some((input) => pairs.get(input.pairId)!.paused)) {
    const plan = planBatch(inputs, pairs, accepts, [], repliesRightly);
    const stored = await storePlan(tx, plan, outbox);
    if (stored) return answers(plan, stored);
  }
  const earlier =
    keyed.length === 0 ? [] : await rowsOf<MessageRow>(tx, EARLIER, [keyed.map((m) => m.pairId), keyed.map((m) => m.senderId), keyed.map((m) => m.clientId!)]);
  const plan = planBatch(inputs, pairs, accepts, earlier, repliesRightly);
  const stored = await storePlan(tx, plan, outbox);
  // The pairs are locked and the earlier messages were read after the lock: nothing can be taken now.
  if (!stored) throw new Error('a client_id was stored while its pair was locked');
  for (const row of earlier) stored.set(at(row.pair_id, row.seq), toMessage(row));
  return answers(plan, stored);
}

/** Each input's step in arrival order, given the messages already stored under the batch's client_ids. */
function planBatch(
  inputs: readonly NewMessage[],
  pairs: ReadonlyMap<number, PairRow>,
  accepts: (input: NewMessage) => boolean,
  earlier: readonly MessageRow[],
  repliesRightly: (input: NewMessage) => boolean,
): Plan {
  const seqOfClientId = new Map(earlier.map((row) => [clientKey(row.pair_id, row.sender_id, row.client_id!), at(row.pair_id, row.seq)]));
  const plan: Plan = { steps: [], fresh: [], seqs: [], taken: new SeqPlan((pairId) => pairs.get(pairId)!.last_seq) };
  for (const input of inputs) {
    if (!accepts(input)) {
      plan.steps.push(new AppError('not_matched'));
      continue;
    }
    const key = input.clientId == null ? null : clientKey(input.pairId, input.senderId, input.clientId);
    const original = key === null ? undefined : seqOfClientId.get(key);
    if (original !== undefined) {
      plan.steps.push({ at: original, created: false });
      continue;
    }
    const pair = pairs.get(input.pairId)!;
    if (pair.paused) {
      plan.steps.push(new AppError('match_paused'));
      continue;
    }
    if (!repliesRightly(input)) {
      plan.steps.push(new AppError('message_not_found'));
      continue;
    }
    const seq = plan.taken.next(pair.id);
    plan.fresh.push(input);
    plan.seqs.push(seq);
    if (key !== null) seqOfClientId.set(key, at(input.pairId, seq));
    plan.steps.push({ at: at(input.pairId, seq), created: true });
  }
  return plan;
}

/** The plan's new messages by `pair:seq`, stored in one statement; null when one of their client_ids was stored already. */
async function storePlan(tx: PostgresTx, plan: Plan, outbox: OutboxOptions | null): Promise<Map<string, Message> | null> {
  const stored = new Map<string, Message>();
  if (plan.fresh.length === 0) return stored;
  const { fresh, seqs } = plan;
  const lastSeqs = plan.taken.lastSeqs;
  const inserted = await rowsOf<MessageRow>(tx, INSERT, [
    fresh.map((m) => m.pairId),
    seqs,
    fresh.map((m) => m.senderId),
    fresh.map((m) => m.content),
    fresh.map((m) => m.clientId ?? null),
    [...lastSeqs.keys()],
    [...lastSeqs.values()],
    outbox !== null,
    outbox?.unreadAfterMs ?? 0,
    fresh.map((m) => m.replyTo ?? null),
  ]);
  if (inserted.length === 0) return null;
  for (const row of inserted) stored.set(at(row.pair_id, row.seq), toMessage(row));
  return stored;
}

function answers(plan: Plan, stored: ReadonlyMap<string, Message>): Array<AppendResult | AppError> {
  return plan.steps.map((step) => (step instanceof AppError ? step : { message: stored.get(step.at)!, created: step.created }));
}
