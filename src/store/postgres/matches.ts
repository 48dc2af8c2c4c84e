/**
 * PostgresStore's matches (see MatchStore in matches.ts). Each change takes the row locks of
 * the users it concerns, so concurrent changes on any instance queue, and writes its webhook
 * event in its own transaction.
 */
import { AppError } from '../../errors.js';
import { MATCH_COLUMNS, PAIR_COLUMNS, USER_COLUMNS, toMatch, toPair, toUser, type MatchRow, type PairRow, type UserRow } from '../rows.js';
import { toSummary, type SummaryRow } from '../safeguarding-rows.js';
import {
  counterpartRole,
  type EndMatchOptions,
  type Match,
  type MatchOptions,
  type MatchStore,
  type Pair,
  type PairSummary,
  type PutMatchOptions,
  type PutMatchResult,
  type Role,
  type User,
} from '../types.js';
import { isUniqueViolation } from './errors.js';
import { inTransaction, rowsOf, type Queryable } from './pool.js';
import type { PostgresContext } from './context.js';
import type { PostgresTx } from './tx.js';

type ParticipantRow = { id: number; email: string; role: Role };

export class PostgresMatches implements MatchStore {
  constructor(private readonly context: PostgresContext) {}

  async create(mentorEmail: string, menteeEmail: string, options: MatchOptions = {}): Promise<Match> {
    const capacity = options.mentorCapacity ?? null;
    try {
      return await inTransaction(this.context.pool(), async (tx) => {
        const { mentor, mentee } = await participants(tx, mentorEmail, menteeEmail);
        if (capacity !== null) {
          await lockUser(tx, mentor.id);
          const [taken] = await rowsOf(tx, 'SELECT 1 FROM pairs WHERE mentee_id = $1 AND active', [mentee.id]);
          if (taken) throw new AppError('already_matched');
          await assertMentorHasRoom(tx, mentor.id, capacity);
        }
        return (await matchesOf(tx, [await this.activatePair(tx, mentor.id, mentee.id, options)]))[0]!;
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw new AppError('already_matched', undefined, { cause: error });
      throw error;
    }
  }

  /**
   * Makes the pair active, reactivating a former pair so its history and seq continue, and
   * writes `match.created` in the same transaction. No row back means a concurrent match won;
   * the partial unique index turns the other races into 23505.
   */
  private async activatePair(
    tx: PostgresTx,
    mentorId: number,
    menteeId: number,
    options: { actor?: string | null; reason?: string | null },
  ): Promise<MatchRow> {
    const [row] = await rowsOf<MatchRow>(
      tx,
      `
      INSERT INTO pairs (mentor_id, mentee_id, active, matched_at) VALUES ($1, $2, TRUE, now())
      ON CONFLICT (mentor_id, mentee_id) DO UPDATE SET active = TRUE, paused = FALSE, matched_at = now(), ended_at = NULL
        WHERE NOT pairs.active
      RETURNING ${MATCH_COLUMNS}`,
      [mentorId, menteeId],
    );
    if (!row) throw new AppError('already_matched');
    await this.context.events.write(tx, 'match.created', row.pair_id, { actor: options.actor ?? null, reason: options.reason ?? null });
    return row;
  }

  async put(menteeEmail: string, mentorEmail: string, options: PutMatchOptions): Promise<PutMatchResult> {
    const capacity = options.mentorCapacity ?? null;
    try {
      return await inTransaction(this.context.pool(), async (tx) => {
        const { mentor, mentee } = await participants(tx, mentorEmail, menteeEmail);
        await lockUser(tx, mentee.id);
        const [current] = await rowsOf<MatchRow>(tx, `SELECT ${MATCH_COLUMNS} FROM pairs WHERE mentee_id = $1 AND active`, [mentee.id]);
        let ended: Match | null = null;
        if (current) {
          if (current.mentor_id === mentor.id) return { match: (await matchesOf(tx, [current]))[0]!, created: false, ended: null };
          if (!options.replace) throw new AppError('already_matched');
          const [row] = await rowsOf<MatchRow>(tx, `UPDATE pairs SET active = FALSE, ended_at = now() WHERE id = $1 RETURNING ${MATCH_COLUMNS}`, [
            current.pair_id,
          ]);
          ended = (await matchesOf(tx, [row!]))[0]!;
          await this.context.events.write(tx, 'match.ended', current.pair_id, { actor: options.actor ?? null, reason: 'replaced' });
        }
        if (capacity !== null) {
          await lockUser(tx, mentor.id);
          await assertMentorHasRoom(tx, mentor.id, capacity);
        }
        const row = await this.activatePair(tx, mentor.id, mentee.id, options);
        return { match: (await matchesOf(tx, [row]))[0]!, created: true, ended };
      });
    } catch (error) {
      // A concurrent create (which does not take the mentee's lock) won the unique index.
      if (isUniqueViolation(error)) throw new AppError('already_matched', undefined, { cause: error });
      throw error;
    }
  }

  async end(menteeEmail: string, options: EndMatchOptions = {}): Promise<Match | null> {
    return inTransaction(this.context.pool(), async (tx) => {
      const rows = await rowsOf<MatchRow>(
        tx,
        `
        UPDATE pairs SET active = FALSE, ended_at = now()
        WHERE active AND mentee_id = (SELECT id FROM users WHERE email = $1)
          AND ($2::bigint IS NULL OR $2::bigint IN (mentor_id, mentee_id))
        RETURNING ${MATCH_COLUMNS}`,
        [menteeEmail, options.participantId ?? null],
      );
      if (rows.length === 0) return null;
      await this.context.events.write(tx, 'match.ended', rows[0]!.pair_id, { actor: options.actor ?? null, reason: options.reason ?? 'unmatched' });
      return (await matchesOf(tx, rows))[0]!;
    });
  }

  async setPaused(menteeEmail: string, paused: boolean): Promise<Match | null> {
    return inTransaction(this.context.pool(), async (tx) => {
      const rows = await rowsOf<MatchRow>(
        tx,
        `
        UPDATE pairs SET paused = $2
        WHERE active AND mentee_id = (SELECT id FROM users WHERE email = $1)
        RETURNING ${MATCH_COLUMNS}`,
        [menteeEmail, paused],
      );
      return rows.length > 0 ? (await matchesOf(tx, rows))[0]! : null;
    });
  }

  async list(userId?: number): Promise<Match[]> {
    const pool = this.context.pool();
    const rows =
      userId === undefined
        ? await rowsOf<MatchRow>(pool, `SELECT ${MATCH_COLUMNS} FROM pairs WHERE active ORDER BY id`)
        : await rowsOf<MatchRow>(pool, `SELECT ${MATCH_COLUMNS} FROM pairs WHERE active AND (mentor_id = $1 OR mentee_id = $1) ORDER BY id`, [userId]);
    return matchesOf(pool, rows);
  }

  async activePairWith(user: User, partnerEmail: string): Promise<{ pair: Pair; partner: User } | null> {
    const found = await this.pairWith(user, partnerEmail);
    return found?.pair.active ? found : null;
  }

  async pairWith(user: User, partnerEmail: string): Promise<{ pair: Pair; partner: User } | null> {
    const role = counterpartRole(user.role);
    const [partnerRow] = await rowsOf<UserRow>(this.context.pool(), `SELECT ${USER_COLUMNS} FROM users WHERE email = $1`, [partnerEmail]);
    const partner = partnerRow ? toUser(partnerRow) : null;
    if (!role || !partner || partner.role !== role) return null;
    const [mentorId, menteeId] = user.role === 'MENTOR' ? [user.id, partner.id] : [partner.id, user.id];
    const [row] = await rowsOf<PairRow>(this.context.pool(), `SELECT ${PAIR_COLUMNS} FROM pairs WHERE mentor_id = $1 AND mentee_id = $2`, [mentorId, menteeId]);
    return row ? { pair: toPair(row), partner } : null;
  }

  async pairById(pairId: number): Promise<Pair | null> {
    if (!Number.isSafeInteger(pairId)) return null;
    const [row] = await rowsOf<PairRow>(this.context.pool(), `SELECT ${PAIR_COLUMNS} FROM pairs WHERE id = $1`, [pairId]);
    return row ? toPair(row) : null;
  }

  async pairSummaries(): Promise<PairSummary[]> {
    const rows = await rowsOf<SummaryRow>(
      this.context.pool(),
      `
      SELECT p.id, p.mentor_id, p.mentee_id, p.active, count(m.id)::int AS message_count, max(m.created_at) AS last_activity
      FROM pairs p LEFT JOIN messages m ON m.pair_id = p.id AND m.kind = 'message'
      GROUP BY p.id ORDER BY p.id`,
    );
    return rows.map(toSummary);
  }
}

/** The matches of `rows`, in their order, with both users read in one query. */
async function matchesOf(db: Queryable, rows: readonly MatchRow[]): Promise<Match[]> {
  if (rows.length === 0) return [];
  const ids = [...new Set(rows.flatMap((row) => [row.mentor_id, row.mentee_id]))];
  const users = await rowsOf<UserRow>(db, `SELECT ${USER_COLUMNS} FROM users WHERE id = ANY($1::bigint[])`, [ids]);
  const byId = new Map(users.map((row) => [row.id, toUser(row)]));
  return rows.map((row) => toMatch(row, byId.get(row.mentor_id)!, byId.get(row.mentee_id)!));
}

/** The two users a match names, by email; `user_not_found` or `wrong_role` otherwise. */
async function participants(tx: PostgresTx, mentorEmail: string, menteeEmail: string): Promise<{ mentor: ParticipantRow; mentee: ParticipantRow }> {
  // Locked: a concurrent role change (upsert) waits for the match, or the match sees the new role.
  const users = await rowsOf<ParticipantRow>(tx, 'SELECT id, email, role FROM users WHERE email IN ($1, $2) ORDER BY id FOR UPDATE', [
    mentorEmail,
    menteeEmail,
  ]);
  const mentor = users.find((u) => u.email === mentorEmail);
  const mentee = users.find((u) => u.email === menteeEmail);
  if (!mentor || !mentee) throw new AppError('user_not_found');
  if (mentor.role !== 'MENTOR' || mentee.role !== 'MENTEE') throw new AppError('wrong_role');
  return { mentor, mentee };
}

/**
 * The user's row lock, held to the end of the transaction: it queues concurrent match
 * changes of that user on any instance, and each statement after it sees what the previous
 * holder committed.
 */
async function lockUser(tx: PostgresTx, userId: number): Promise<void> {
  await rowsOf(tx, 'SELECT 1 FROM users WHERE id = $1 FOR UPDATE', [userId]);
}

/** `mentor_at_capacity` when the mentor already has `capacity` active matches; call it holding the mentor's lock. */
async function assertMentorHasRoom(tx: PostgresTx, mentorId: number, capacity: number): Promise<void> {
  const [row] = await rowsOf<{ n: number }>(tx, 'SELECT count(*) AS n FROM pairs WHERE mentor_id = $1 AND active', [mentorId]);
  if (row!.n >= capacity) throw new AppError('mentor_at_capacity');
}
