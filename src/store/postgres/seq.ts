/**
 * The one place PostgresStore takes a pair's next `seq`, always holding the pair row's lock
 * (the lock every group-commit batch takes, so no two takers race on any instance): one
 * message at a time in one statement, or a batch's seqs counted from the locked `last_seq`s
 * and written back with the batch.
 */
import { MESSAGE_COLUMNS } from '../rows.js';

/** The pair row's lock (`$1`), held to the end of the transaction; taken before a seq is. */
export const LOCK_PAIR = 'SELECT id, mentor_id, mentee_id, active, paused FROM pairs WHERE id = $1 FOR UPDATE';
export type LockedPair = { id: number; mentor_id: number; mentee_id: number; active: boolean; paused: boolean };

/** `$1` pair, `$2` sender, `$3` content, `$4` client_id, `$5` kind: stored with the pair's next `seq`. */
export const INSERT_WITH_NEXT_SEQ = `
  WITH bumped AS (UPDATE pairs SET last_seq = last_seq + 1 WHERE id = $1 RETURNING last_seq)
  INSERT INTO messages (pair_id, seq, sender_id, content, created_at, client_id, kind)
  SELECT $1, last_seq, $2, $3, now(), $4, $5 FROM bumped
  RETURNING ${MESSAGE_COLUMNS}`;

/** A statement that writes a batch's `lastSeqs` back: `ids` and `seqs` name its two array parameters. */
export const writeLastSeqs = (ids: string, seqs: string): string =>
  `UPDATE pairs SET last_seq = b.last_seq FROM unnest(${ids}::bigint[], ${seqs}::bigint[]) AS b(id, last_seq) WHERE pairs.id = b.id`;

/** A batch's seqs: each pair's next after its locked `last_seq`, and after the batch's earlier ones. */
export class SeqPlan {
  private readonly taken = new Map<number, number>();

  constructor(private readonly lockedLastSeq: (pairId: number) => number) {}

  next(pairId: number): number {
    const seq = (this.taken.get(pairId) ?? Number(this.lockedLastSeq(pairId))) + 1;
    this.taken.set(pairId, seq);
    return seq;
  }

  /** Each pair that took a seq, with its new `last_seq`. */
  get lastSeqs(): ReadonlyMap<number, number> {
    return this.taken;
  }
}
