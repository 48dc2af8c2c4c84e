/** PostgresStore's reports (see ReportStore in reports.ts). */
import { AppError } from '../../errors.js';
import { REPORT_COLUMNS, paged, toReport, type ReportRow } from '../safeguarding-rows.js';
import type { Paged, Report, ReportStore } from '../types.js';
import { releaseEvidence } from './erasure.js';
import { inTransaction, rowsOf } from './pool.js';
import type { PostgresContext } from './context.js';

const REPORT_FROM = 'FROM reports r JOIN messages m ON m.id = r.message_id';

export class PostgresReports implements ReportStore {
  constructor(private readonly context: PostgresContext) {}

  async create(messageId: number, reporterId: number, reason: string): Promise<Report> {
    return inTransaction(this.context.pool(), async (tx) => {
      const [row] = await rowsOf<{ id: number }>(
        tx,
        'INSERT INTO reports (message_id, reporter_id, reason, created_at) VALUES ($1, $2, $3, now()) RETURNING id',
        [messageId, reporterId, reason],
      );
      const [report] = await rowsOf<ReportRow>(tx, `SELECT ${REPORT_COLUMNS} ${REPORT_FROM} WHERE r.id = $1`, [row!.id]);
      await this.context.events.write(tx, 'message.reported', report!.pair_id, { report: report!.id });
      return toReport(report!);
    });
  }

  async byId(id: number): Promise<Report | null> {
    const [row] = await rowsOf<ReportRow>(this.context.pool(), `SELECT ${REPORT_COLUMNS} ${REPORT_FROM} WHERE r.id = $1`, [id]);
    return row ? toReport(row) : null;
  }

  async list({ all, limit, afterId = 0 }: { all: boolean; limit: number; afterId?: number }): Promise<Paged<Report>> {
    const rows = await rowsOf<ReportRow>(
      this.context.pool(),
      `
      SELECT ${REPORT_COLUMNS} ${REPORT_FROM} WHERE ($1 OR r.resolved_at IS NULL) AND r.id > $2 ORDER BY r.id LIMIT $3`,
      [all, afterId, limit + 1],
    );
    return paged(rows, limit, toReport);
  }

  async isReported(messageId: number): Promise<boolean> {
    return (await rowsOf(this.context.pool(), 'SELECT 1 FROM reports WHERE message_id = $1 LIMIT 1', [messageId])).length > 0;
  }

  async reportedBy(reporterId: number, messageIds: readonly number[]): Promise<number[]> {
    if (messageIds.length === 0) return [];
    const rows = await rowsOf<{ message_id: string | number }>(
      this.context.pool(),
      'SELECT DISTINCT message_id FROM reports WHERE reporter_id = $1 AND message_id = ANY($2::bigint[])',
      [reporterId, messageIds],
    );
    return rows.map((row) => Number(row.message_id));
  }

  async resolve(id: number, actor: string, note: string): Promise<Report> {
    return inTransaction(this.context.pool(), async (tx) => {
      const rows = await rowsOf<{ message_id: number }>(
        tx,
        'UPDATE reports SET resolved_by = $2, resolved_at = now(), resolution = $3 WHERE id = $1 AND resolved_at IS NULL RETURNING message_id',
        [id, actor, note],
      );
      if (rows.length === 0) throw new AppError('not_found');
      await releaseEvidence(tx, rows[0]!.message_id);
      const [report] = await rowsOf<ReportRow>(tx, `SELECT ${REPORT_COLUMNS} ${REPORT_FROM} WHERE r.id = $1`, [id]);
      return toReport(report!);
    });
  }
}
