/**
 * What the safeguarding side of an engine tells its store inside its own transactions, so
 * that the store writes the webhook events of each in the same transaction as its cause.
 * `R` is what each returns: void on SQLite (synchronous), a Promise on PostgreSQL (whose
 * store is handed the transaction with `events(tx)`).
 */
import type { MessageRow } from './rows.js';

export interface SafeguardingEvents<R> {
  /** A held message was approved and stored as `message`. */
  approved(message: MessageRow): R;
  /** An erasure ended these pairs. */
  pairsEnded(pairIds: readonly number[]): R;
  /** The filter held a message (a new one, not a retry of one held before). */
  held(pairId: number, heldId: number): R;
  /** A participant reported a message of the pair. */
  reported(pairId: number, reportId: number): R;
}
