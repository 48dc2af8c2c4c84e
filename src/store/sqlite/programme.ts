/** SqliteStore's view of the programme (see ProgrammeStore in programme.ts). */
import { toPairCounts, type PairCountsRow } from '../programme-rows.js';
import type { AlertChange, PairAlert, PairCounts, PairDay, PairReply, ProgrammeStore, ProgrammeWeek } from '../programme.js';
import type { SqliteContext } from './context.js';
import { transaction } from './tx.js';

const DAY_MS = 86_400_000;

/** A JSON array of ids as one parameter: no statement per list length, no limit on its size. */
const IN_IDS = '(SELECT value FROM json_each(?))';

export class SqliteProgramme implements ProgrammeStore {
  private readonly sql;

  constructor(private readonly context: SqliteContext) {
    const p = (source: string) => context.db.prepare(source);
    this.sql = {
      counts:
        p(`SELECT p.id AS pair_id, p.mentor_id, p.mentee_id, um.email AS um_email, um.first_name AS um_first_name, um.last_name AS um_last_name, um.role AS um_role, um.created_at AS um_created_at, ue.email AS ue_email, ue.first_name AS ue_first_name, ue.last_name AS ue_last_name, ue.role AS ue_role, ue.created_at AS ue_created_at, p.matched_at, p.paused, h.last_message_at, h.last_side, h.run_started_at,
                        h.recent_count, h.recent_mentor, coalesce(r.open_reports, 0) AS open_reports, coalesce(w.held_waiting, 0) AS held_waiting
                 FROM pairs p
                 JOIN users um ON um.id = p.mentor_id
                 JOIN users ue ON ue.id = p.mentee_id
                 LEFT JOIN pair_health h ON h.pair_id = p.id
                 LEFT JOIN (SELECT m.pair_id, count(*) AS open_reports FROM reports r JOIN messages m ON m.id = r.message_id
                            WHERE r.resolved_at IS NULL GROUP BY m.pair_id) r ON r.pair_id = p.id
                 LEFT JOIN (SELECT pair_id, count(*) AS held_waiting FROM held_messages WHERE status = 'held' GROUP BY pair_id) w ON w.pair_id = p.id
                 WHERE p.active = 1 ORDER BY p.id`),
      days: p(`SELECT pair_id AS pairId, day, mentor, mentee FROM pair_days WHERE pair_id IN ${IN_IDS} AND day >= ? ORDER BY pair_id, day`),
      replies: p(`SELECT pair_id AS pairId, side, minutes FROM pair_replies WHERE pair_id IN ${IN_IDS} AND replied_at >= ? ORDER BY pair_id, id`),
      activity: p(`SELECT (day + 3) / 7 * 7 - 3 AS monday, sum(mentor + mentee) AS messages, count(DISTINCT pair_id) AS active_pairs
                   FROM pair_days WHERE day >= ? GROUP BY monday`),
      matched: p(`SELECT (matched_at / ${DAY_MS} + 3) / 7 * 7 - 3 AS monday, count(*) AS n FROM pairs WHERE matched_at >= ? GROUP BY monday`),
      ended: p(`SELECT (ended_at / ${DAY_MS} + 3) / 7 * 7 - 3 AS monday, count(*) AS n FROM pairs WHERE ended_at >= ? GROUP BY monday`),
      alerts: p('SELECT pair_id AS pairId, reasons, since FROM pair_alerts ORDER BY pair_id'),
      raise: p('INSERT INTO pair_alerts (pair_id, reasons, since) VALUES (?, ?, ?) ON CONFLICT DO NOTHING'),
      change: p('UPDATE pair_alerts SET reasons = ? WHERE pair_id = ? AND reasons = ?'),
      clear: p('DELETE FROM pair_alerts WHERE pair_id = ? AND reasons = ?'),
    };
  }

  async pairCounts(): Promise<PairCounts[]> {
    return (this.sql.counts.all() as PairCountsRow<number>[]).map((row) => toPairCounts(row, (ms) => new Date(ms)));
  }

  async days(pairIds: readonly number[], fromDay: number): Promise<PairDay[]> {
    return this.sql.days.all(JSON.stringify(pairIds), fromDay) as PairDay[];
  }

  async replies(pairIds: readonly number[], since: Date): Promise<PairReply[]> {
    return this.sql.replies.all(JSON.stringify(pairIds), since.getTime()) as PairReply[];
  }

  async weeks(fromMonday: number): Promise<ProgrammeWeek[]> {
    const weeks = new Map<number, ProgrammeWeek>();
    const week = (monday: number) => {
      let entry = weeks.get(monday);
      if (!entry) weeks.set(monday, (entry = { monday, messages: 0, activePairs: 0, newMatches: 0, endedMatches: 0 }));
      return entry;
    };
    for (const row of this.sql.activity.all(fromMonday) as { monday: number; messages: number; active_pairs: number }[]) {
      Object.assign(week(row.monday), { messages: row.messages, activePairs: row.active_pairs });
    }
    for (const row of this.sql.matched.all(fromMonday * DAY_MS) as { monday: number; n: number }[]) week(row.monday).newMatches = row.n;
    for (const row of this.sql.ended.all(fromMonday * DAY_MS) as { monday: number; n: number }[]) week(row.monday).endedMatches = row.n;
    return [...weeks.values()].sort((a, b) => a.monday - b.monday);
  }

  async alerts(): Promise<PairAlert[]> {
    return (this.sql.alerts.all() as { pairId: number; reasons: string; since: number }[]).map((row) => ({ ...row, since: new Date(row.since) }));
  }

  async recordAlerts(changes: readonly AlertChange[], now: Date): Promise<AlertChange[]> {
    return transaction(this.context.db, (tx) => {
      const applied: AlertChange[] = [];
      for (const change of changes) {
        const { pairId, from, to } = change;
        let done: boolean;
        if (from === null) done = to !== null && this.sql.raise.run(pairId, to, now.getTime()).changes === 1;
        else if (to === null) done = this.sql.clear.run(pairId, from).changes === 1;
        else done = this.sql.change.run(to, pairId, from).changes === 1;
        if (!done) continue;
        applied.push(change);
        const type = to === null ? 'pair.recovered' : 'pair.at_risk';
        this.context.events.write(tx, type, pairId, { detail: { reasons: to === null ? [] : to.split(',') } });
      }
      return applied;
    });
  }
}
