/** PostgresStore's view of the programme (see ProgrammeStore in programme.ts). */
import { toPairCounts, type PairCountsRow } from '../programme-rows.js';
import type { AlertChange, PairAlert, PairCounts, PairDay, PairReply, ProgrammeStore, ProgrammeWeek } from '../programme.js';
import type { PostgresContext } from './context.js';
import { inTransaction, rowsOf } from './pool.js';

const DAY_S = 86_400;

const COUNTS = `
  SELECT p.id AS pair_id, p.mentor_id, p.mentee_id, um.email AS um_email, um.first_name AS um_first_name, um.last_name AS um_last_name, um.role AS um_role, um.created_at AS um_created_at, ue.email AS ue_email, ue.first_name AS ue_first_name, ue.last_name AS ue_last_name, ue.role AS ue_role, ue.created_at AS ue_created_at, p.matched_at, p.paused, h.last_message_at, h.last_side, h.run_started_at,
         h.recent_count, h.recent_mentor, coalesce(r.open_reports, 0)::integer AS open_reports, coalesce(w.held_waiting, 0)::integer AS held_waiting
  FROM pairs p
  JOIN users um ON um.id = p.mentor_id
  JOIN users ue ON ue.id = p.mentee_id
  LEFT JOIN pair_health h ON h.pair_id = p.id
  LEFT JOIN (SELECT m.pair_id, count(*) AS open_reports FROM reports r JOIN messages m ON m.id = r.message_id
             WHERE r.resolved_at IS NULL GROUP BY m.pair_id) r ON r.pair_id = p.id
  LEFT JOIN (SELECT pair_id, count(*) AS held_waiting FROM held_messages WHERE status = 'held' GROUP BY pair_id) w ON w.pair_id = p.id
  WHERE p.active ORDER BY p.id`;

/** The Monday (days since 1970-01-01) of the week of a day number. */
const mondayOf = (day: string) => `((${day}) + 3) / 7 * 7 - 3`;
const dayOf = (column: string) => `floor(extract(epoch FROM ${column}) / ${DAY_S})::integer`;

export class PostgresProgramme implements ProgrammeStore {
  constructor(private readonly context: PostgresContext) {}

  async pairCounts(): Promise<PairCounts[]> {
    return (await rowsOf<PairCountsRow<Date>>(this.context.pool(), COUNTS)).map((row) => toPairCounts(row, (date) => date));
  }

  async days(pairIds: readonly number[], fromDay: number): Promise<PairDay[]> {
    return rowsOf<PairDay>(
      this.context.pool(),
      'SELECT pair_id AS "pairId", day, mentor, mentee FROM pair_days WHERE pair_id = ANY($1::bigint[]) AND day >= $2 ORDER BY pair_id, day',
      [pairIds, fromDay],
    );
  }

  async replies(pairIds: readonly number[], since: Date): Promise<PairReply[]> {
    return rowsOf<PairReply>(
      this.context.pool(),
      'SELECT pair_id AS "pairId", side, minutes FROM pair_replies WHERE pair_id = ANY($1::bigint[]) AND replied_at >= $2 ORDER BY pair_id, id',
      [pairIds, since],
    );
  }

  async weeks(fromMonday: number): Promise<ProgrammeWeek[]> {
    return rowsOf<ProgrammeWeek>(
      this.context.pool(),
      `WITH activity AS (SELECT ${mondayOf('day')} AS monday, sum(mentor + mentee)::integer AS messages, count(DISTINCT pair_id)::integer AS active_pairs
                           FROM pair_days WHERE day >= $1 GROUP BY 1),
              matched AS (SELECT ${mondayOf(dayOf('matched_at'))} AS monday, count(*)::integer AS n FROM pairs WHERE ${dayOf('matched_at')} >= $1 GROUP BY 1),
              ended AS (SELECT ${mondayOf(dayOf('ended_at'))} AS monday, count(*)::integer AS n FROM pairs WHERE ${dayOf('ended_at')} >= $1 GROUP BY 1)
         SELECT w.monday, coalesce(a.messages, 0) AS messages, coalesce(a.active_pairs, 0) AS "activePairs",
                coalesce(m.n, 0) AS "newMatches", coalesce(e.n, 0) AS "endedMatches"
         FROM (SELECT monday FROM activity UNION SELECT monday FROM matched UNION SELECT monday FROM ended) w
         LEFT JOIN activity a ON a.monday = w.monday LEFT JOIN matched m ON m.monday = w.monday LEFT JOIN ended e ON e.monday = w.monday
         ORDER BY w.monday`,
      [fromMonday],
    );
  }

  async alerts(): Promise<PairAlert[]> {
    return rowsOf<PairAlert>(this.context.pool(), 'SELECT pair_id AS "pairId", reasons, since FROM pair_alerts ORDER BY pair_id');
  }

  async recordAlerts(changes: readonly AlertChange[], now: Date): Promise<AlertChange[]> {
    return inTransaction(this.context.pool(), async (tx) => {
      const applied: AlertChange[] = [];
      for (const change of changes) {
        const { pairId, from, to } = change;
        // Each statement changes the row only from the state the caller read: of two instances, the second finds it changed.
        const [done] =
          from === null
            ? await rowsOf(tx, 'INSERT INTO pair_alerts (pair_id, reasons, since) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING pair_id', [
                pairId,
                to,
                now,
              ])
            : to === null
              ? await rowsOf(tx, 'DELETE FROM pair_alerts WHERE pair_id = $1 AND reasons = $2 RETURNING pair_id', [pairId, from])
              : await rowsOf(tx, 'UPDATE pair_alerts SET reasons = $1 WHERE pair_id = $2 AND reasons = $3 RETURNING pair_id', [to, pairId, from]);
        if (!done || (from === null && to === null)) continue;
        applied.push(change);
        const type = to === null ? 'pair.recovered' : 'pair.at_risk';
        await this.context.events.write(tx, type, pairId, { reasons: to === null ? [] : to.split(',') });
      }
      return applied;
    });
  }
}
