/**
 * The one place SqliteStore takes a pair's next `seq`: `last_seq` bumped in the caller's
 * transaction, with the conditions of the taker in the same statement (no row: they failed).
 */
import type Database from 'better-sqlite3';
import type { SqliteTx } from './tx.js';

const bump = (condition: string) => `UPDATE pairs SET last_seq = last_seq + 1 WHERE id = ? ${condition} RETURNING last_seq`;

export class PairSeqs {
  private readonly sql;

  constructor(db: Database.Database) {
    this.sql = {
      any: db.prepare(bump('')),
      fromSender: db.prepare(bump('AND active = 1 AND (mentor_id = ? OR mentee_id = ?)')),
      // Every condition of an append at once: the pair is active, the sender one of its two,
      // it is not paused, and the clientId (if any) is new.
      forAppend: db.prepare(
        bump(`AND active = 1 AND paused = 0 AND (mentor_id = ? OR mentee_id = ?)
        AND NOT EXISTS (SELECT 1 FROM messages WHERE pair_id = pairs.id AND sender_id = ? AND client_id = ?)`),
      ),
    };
  }

  /** The pair's next `seq` (an import, a notice); null when there is no such pair. */
  next(_tx: SqliteTx, pairId: number): number | null {
    return seqOf(this.sql.any.get(pairId));
  }

  /** The next `seq` of an active pair that `senderId` is in (an approval); null otherwise. */
  nextFromSender(_tx: SqliteTx, pairId: number, senderId: number): number | null {
    return seqOf(this.sql.fromSender.get(pairId, senderId, senderId));
  }

  /** The next `seq` of an append: the pair active, not paused, the sender in it, `clientId` new; null otherwise. */
  nextForAppend(_tx: SqliteTx, pairId: number, senderId: number, clientId: string | null): number | null {
    return seqOf(this.sql.forAppend.get(pairId, senderId, senderId, senderId, clientId));
  }
}

const seqOf = (row: unknown): number | null => (row === undefined ? null : (row as { last_seq: number }).last_seq);
