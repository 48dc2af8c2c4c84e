/**
 * At start, before Tandem accepts a connection: every erasure of the erasure log that the
 * store does not show — the account, with the same id and creation time, still has its own
 * address — is applied again, exactly as `DELETE /api/users/{email}` applies it, and audited
 * as done by `tandem:erasure-log`. After a restore from a backup older than an erasure, the
 * erased person stays erased.
 */
import { isErasedEmail } from '../protocol/erased-email.js';
import type { Store } from '../store/index.js';
import type { ErasureLog } from './erasure-log.js';

/** The audit log's actor for an erasure applied again from the log. */
export const REPLAY_ACTOR = 'tandem:erasure-log';
const BATCH = 500;

export interface ReplayReport {
  /** Erasures in the log. */
  logged: number;
  /** Erasures applied again now. */
  applied: number;
  /** Line numbers of the log that are not erasures (see parseErasureLog). */
  refusedLines: number[];
}

export async function replayErasures(store: Store, log: ErasureLog): Promise<ReplayReport> {
  const { erasures, refused } = log.read();
  let applied = 0;
  for (let start = 0; start < erasures.length; start += BATCH) {
    const batch = erasures.slice(start, start + BATCH);
    const users = new Map((await store.accounts.byIds(batch.map((erasure) => erasure.userId))).map((user) => [user.id, user]));
    for (const erasure of batch) {
      const user = users.get(erasure.userId);
      // Absent: the store predates the account. Another creation time: the id is someone else's now.
      if (!user || user.createdAt.getTime() !== erasure.createdAtMs || isErasedEmail(user.email)) continue;
      const result = await store.dataRights.erase(user.id);
      await store.audit.record({
        actor: REPLAY_ACTOR,
        action: 'erase',
        target: `user:${user.email}`,
        detail: { replayed: true, ended_matches: result.endedPairs.length, revoked_sessions: result.revokedSessions.length },
        userId: user.id,
      });
      applied++;
    }
  }
  return { logged: erasures.length, applied, refusedLines: refused };
}
