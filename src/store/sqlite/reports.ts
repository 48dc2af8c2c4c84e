/** SqliteStore's reports (see ReportStore in reports.ts). */
import { AppError } from '../../errors.js';
import { REPORT_COLUMNS, paged, toReport, type ReportRow } from '../safeguarding-rows.js';
import type { Paged, Report, ReportStore } from '../types.js';
import type { SqliteErasure } from './erasure.js';
import type { SqliteContext } from './context.js';
import { transaction } from './tx.js';

const REPORT_FROM = 'FROM reports r JOIN messages m ON m.id = r.message_id';

export class SqliteReports implements ReportStore {
  private readonly sql;

  constructor(
    private readonly context: SqliteContext,
    private readonly erasure: SqliteErasure,
  ) {
    const p = (source: string) => context.db.prepare(source);
    this.sql = {
      insertReport: p('INSERT INTO reports (message_id, reporter_id, reason, created_at) VALUES (?, ?, ?, ?) RETURNING id'),
      reportById: p(`SELECT ${REPORT_COLUMNS} ${REPORT_FROM} WHERE r.id = ?`),
      openReports: p(`SELECT ${REPORT_COLUMNS} ${REPORT_FROM} WHERE r.resolved_at IS NULL AND r.id > ? ORDER BY r.id LIMIT ?`),
      allReports: p(`SELECT ${REPORT_COLUMNS} ${REPORT_FROM} WHERE r.id > ? ORDER BY r.id LIMIT ?`),
      isReported: p('SELECT 1 FROM reports WHERE message_id = ? LIMIT 1'),
      reportedBy: p('SELECT DISTINCT message_id FROM reports WHERE reporter_id = ? AND message_id IN (SELECT value FROM json_each(?))'),
      resolve: p('UPDATE reports SET resolved_by = ?, resolved_at = ?, resolution = ? WHERE id = ? AND resolved_at IS NULL RETURNING id'),
    };
  }

  async create(messageId: number, reporterId: number, reason: string): Promise<Report> {
    return transaction(this.context.db, (tx) => {
      const { id } = this.sql.insertReport.get(messageId, reporterId, reason, Date.now()) as { id: number };
      const report = toReport(this.sql.reportById.get(id) as ReportRow);
      this.context.events.write(tx, 'message.reported', report.pairId, { report: report.id });
      return report;
    });
  }

  async byId(id: number): Promise<Report | null> {
    const row = this.sql.reportById.get(id) as ReportRow | undefined;
    return row ? toReport(row) : null;
  }

  async list({ all, limit, afterId = 0 }: { all: boolean; limit: number; afterId?: number }): Promise<Paged<Report>> {
    return paged((all ? this.sql.allReports : this.sql.openReports).all(afterId, limit + 1) as ReportRow[], limit, toReport);
  }

  async isReported(messageId: number): Promise<boolean> {
    return this.sql.isReported.get(messageId) !== undefined;
  }

  async reportedBy(reporterId: number, messageIds: readonly number[]): Promise<number[]> {
    if (messageIds.length === 0) return [];
    const rows = this.sql.reportedBy.all(reporterId, JSON.stringify(messageIds)) as { message_id: number }[];
    return rows.map((row) => row.message_id);
  }

  async resolve(id: number, actor: string, note: string): Promise<Report> {
    const { report, released } = transaction(this.context.db, (tx) => {
      if (!this.sql.resolve.get(actor, Date.now(), note, id)) throw new AppError('not_found');
      const resolved = toReport(this.sql.reportById.get(id) as ReportRow);
      return { report: resolved, released: this.erasure.releaseEvidence(tx, resolved.messageId) };
    });
    if (released) this.erasure.purge();
    return report;
  }
}
