/** SqliteStore's matches (see MatchStore in matches.ts); each change writes its webhook event in its own transaction. */
import type Database from 'better-sqlite3';
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
  type User,
} from '../types.js';
import type { SqliteContext } from './context.js';
import { transaction } from './tx.js';

export class SqliteMatches implements MatchStore {
  private readonly sql;

  constructor(private readonly context: SqliteContext) {
    const p = (source: string) => context.db.prepare(source);
    this.sql = {
      userById: p(`SELECT ${USER_COLUMNS} FROM users WHERE id = ?`),
      userByEmail: p(`SELECT ${USER_COLUMNS} FROM users WHERE email = ?`),
      activePairOfMentee: p(`SELECT ${PAIR_COLUMNS} FROM pairs WHERE mentee_id = ? AND active = 1`),
      pairOf: p(`SELECT ${PAIR_COLUMNS} FROM pairs WHERE mentor_id = ? AND mentee_id = ?`),
      pairById: p(`SELECT ${PAIR_COLUMNS} FROM pairs WHERE id = ?`),
      insertPair: p('INSERT INTO pairs (mentor_id, mentee_id, active, matched_at) VALUES (?, ?, 1, ?) RETURNING id'),
      reactivatePair: p('UPDATE pairs SET active = 1, paused = 0, matched_at = ?, ended_at = NULL WHERE id = ?'),
      setPaused: p(`UPDATE pairs SET paused = ? WHERE active = 1 AND mentee_id = (SELECT id FROM users WHERE email = ?) RETURNING ${MATCH_COLUMNS}`),
      endPair: p('UPDATE pairs SET active = 0, ended_at = ? WHERE id = ?'),
      matchById: p(`SELECT ${MATCH_COLUMNS} FROM pairs WHERE id = ?`),
      allMatches: p(`SELECT ${MATCH_COLUMNS} FROM pairs WHERE active = 1 ORDER BY id`),
      matchesOf: p(`SELECT ${MATCH_COLUMNS} FROM pairs WHERE active = 1 AND (mentor_id = ? OR mentee_id = ?) ORDER BY id`),
      activeMenteesOf: p('SELECT count(*) AS n FROM pairs WHERE mentor_id = ? AND active = 1'),
      summaries: p(`
        SELECT p.id, p.mentor_id, p.mentee_id, p.active,
               (SELECT count(*) FROM messages m WHERE m.pair_id = p.id AND m.kind = 'message') AS message_count,
               (SELECT max(created_at) FROM messages m WHERE m.pair_id = p.id AND m.kind = 'message') AS last_activity
        FROM pairs p ORDER BY p.id`),
    };
  }

  async create(mentorEmail: string, menteeEmail: string, options: MatchOptions = {}): Promise<Match> {
    return this.match(menteeEmail, mentorEmail, { ...options, replace: false }, false).match;
  }

  async put(menteeEmail: string, mentorEmail: string, options: PutMatchOptions): Promise<PutMatchResult> {
    return this.match(menteeEmail, mentorEmail, options, true);
  }

  /** `put`, or (not `idempotent`) `create`: an existing match of the two is `already_matched`. */
  private match(menteeEmail: string, mentorEmail: string, options: PutMatchOptions, idempotent: boolean): PutMatchResult {
    const capacity = options.mentorCapacity ?? null;
    const { events } = this.context;
    // An immediate transaction holds the write lock: no other match can slip in between the
    // checks (the mentee's current match, the capacity count) and the write.
    const result = transaction(this.context.db, (tx): { pairId: number; created: boolean; ended: MatchRow | null } => {
      const mentor = this.sql.userByEmail.get(mentorEmail) as UserRow | undefined;
      const mentee = this.sql.userByEmail.get(menteeEmail) as UserRow | undefined;
      if (!mentor || !mentee) throw new AppError('user_not_found');
      if (mentor.role !== 'MENTOR' || mentee.role !== 'MENTEE') throw new AppError('wrong_role');
      const now = Date.now();
      let ended: MatchRow | null = null;
      const current = this.sql.activePairOfMentee.get(mentee.id) as PairRow | undefined;
      if (current) {
        if (idempotent && current.mentor_id === mentor.id) return { pairId: current.id, created: false, ended: null };
        if (!options.replace) throw new AppError('already_matched');
        ended = this.sql.matchById.get(current.id) as MatchRow;
        this.sql.endPair.run(now, current.id);
        events.write(tx, 'match.ended', current.id, { detail: { actor: options.actor ?? null, reason: 'replaced' } });
      }
      if (capacity !== null && (this.sql.activeMenteesOf.get(mentor.id) as { n: number }).n >= capacity) {
        throw new AppError('mentor_at_capacity');
      }
      const existing = this.sql.pairOf.get(mentor.id, mentee.id) as PairRow | undefined;
      let pairId: number;
      if (existing) {
        this.sql.reactivatePair.run(now, existing.id);
        pairId = existing.id;
      } else {
        pairId = (this.sql.insertPair.get(mentor.id, mentee.id, now) as { id: number }).id;
      }
      events.write(tx, 'match.created', pairId, { detail: { actor: options.actor ?? null, reason: options.reason ?? null } });
      return { pairId, created: true, ended };
    });
    return {
      match: this.matchFromRow(this.sql.matchById.get(result.pairId) as MatchRow),
      created: result.created,
      ended: result.ended ? this.matchFromRow(result.ended) : null,
    };
  }

  async end(menteeEmail: string, options: EndMatchOptions = {}): Promise<Match | null> {
    const row = transaction(this.context.db, (tx): MatchRow | null => {
      const mentee = this.sql.userByEmail.get(menteeEmail) as UserRow | undefined;
      const pair = mentee && (this.sql.activePairOfMentee.get(mentee.id) as PairRow | undefined);
      if (!pair) return null;
      const { participantId } = options;
      if (participantId !== undefined && participantId !== pair.mentor_id && participantId !== pair.mentee_id) return null;
      const match = this.sql.matchById.get(pair.id) as MatchRow;
      this.sql.endPair.run(Date.now(), pair.id);
      this.context.events.write(tx, 'match.ended', pair.id, { detail: { actor: options.actor ?? null, reason: options.reason ?? 'unmatched' } });
      return match;
    });
    return row ? this.matchFromRow(row) : null;
  }

  async setPaused(menteeEmail: string, paused: boolean): Promise<Match | null> {
    const row = this.sql.setPaused.get(paused ? 1 : 0, menteeEmail) as MatchRow | undefined;
    return row ? this.matchFromRow(row) : null;
  }

  async list(userId?: number): Promise<Match[]> {
    const rows = (userId === undefined ? this.sql.allMatches.all() : this.sql.matchesOf.all(userId, userId)) as MatchRow[];
    return rows.map((row) => this.matchFromRow(row));
  }

  async activePairWith(user: User, partnerEmail: string): Promise<{ pair: Pair; partner: User } | null> {
    const found = await this.pairWith(user, partnerEmail);
    return found?.pair.active ? found : null;
  }

  async pairWith(user: User, partnerEmail: string): Promise<{ pair: Pair; partner: User } | null> {
    const role = counterpartRole(user.role);
    const partnerRow = this.sql.userByEmail.get(partnerEmail) as UserRow | undefined;
    if (!role || !partnerRow || partnerRow.role !== role) return null;
    const [mentorId, menteeId] = user.role === 'MENTOR' ? [user.id, partnerRow.id] : [partnerRow.id, user.id];
    const pair = this.sql.pairOf.get(mentorId, menteeId) as PairRow | undefined;
    return pair ? { pair: toPair(pair), partner: toUser(partnerRow) } : null;
  }

  async pairById(pairId: number): Promise<Pair | null> {
    const row = this.sql.pairById.get(pairId) as PairRow | undefined;
    return row ? toPair(row) : null;
  }

  async pairSummaries(): Promise<PairSummary[]> {
    return (this.sql.summaries.all() as SummaryRow[]).map(toSummary);
  }

  private matchFromRow(row: MatchRow): Match {
    return toMatch(row, toUser(this.sql.userById.get(row.mentor_id) as UserRow), toUser(this.sql.userById.get(row.mentee_id) as UserRow));
  }
}
