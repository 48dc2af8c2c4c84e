/** The safeguarding rows both engines read, and their mapping to domain objects (see rows.ts). */
import { parseAttachmentsColumn } from './attachments.js';
import { isSet, toDate, type Flag, type Instant } from './rows.js';
import type { AuditEntry, HeldMessage, HeldStatus, PairSummary, Report } from './types.js';

export interface HeldRow {
  id: number;
  pair_id: number;
  sender_id: number;
  content: string;
  client_id: string | null;
  created_at: Instant;
  status: HeldStatus;
  rule: string;
  matched: string;
  reason: string | null;
  decided_by: string | null;
  decided_at: Instant | null;
  message_id: number | null;
  edit_of: number | null;
  attachments?: string | null;
}
export interface ReportRow {
  id: number;
  message_id: number;
  pair_id: number;
  reporter_id: number;
  reason: string;
  created_at: Instant;
  resolved_by: string | null;
  resolved_at: Instant | null;
  resolution: string | null;
}
export interface AuditRow {
  id: number;
  at: Instant;
  actor: string;
  action: string;
  target: string;
  detail: string | null;
  actor_id: number | null;
  user_id: number | null;
  pair_id: number | null;
}
export interface SummaryRow {
  id: number;
  mentor_id: number;
  mentee_id: number;
  active: Flag;
  message_count: number;
  last_activity: Instant | null;
}

export const HELD_COLUMNS =
  'id, pair_id, sender_id, content, client_id, created_at, status, rule, matched, reason, decided_by, decided_at, message_id, edit_of, attachments';
/** Selected from `reports r JOIN messages m`, so that a report knows its pair. */
export const REPORT_COLUMNS = 'r.id, r.message_id, m.pair_id, r.reporter_id, r.reason, r.created_at, r.resolved_by, r.resolved_at, r.resolution';
export const AUDIT_COLUMNS = 'id, at, actor, action, target, detail, actor_id, user_id, pair_id';

const orNull = (instant: Instant | null): Date | null => (instant === null ? null : toDate(instant));

export const toHeld = (row: HeldRow): HeldMessage => ({
  id: row.id,
  pairId: row.pair_id,
  senderId: row.sender_id,
  content: row.content,
  clientId: row.client_id,
  createdAt: toDate(row.created_at),
  status: row.status,
  rule: row.rule,
  matched: row.matched,
  reason: row.reason,
  decidedBy: row.decided_by,
  decidedAt: orNull(row.decided_at),
  messageId: row.message_id,
  editOf: row.edit_of === null ? null : Number(row.edit_of),
  ...(row.attachments ? { attachments: parseAttachmentsColumn(row.attachments) } : {}),
});

export const toReport = (row: ReportRow): Report => ({
  id: row.id,
  messageId: row.message_id,
  pairId: row.pair_id,
  reporterId: row.reporter_id,
  reason: row.reason,
  createdAt: toDate(row.created_at),
  resolvedBy: row.resolved_by,
  resolvedAt: orNull(row.resolved_at),
  resolution: row.resolution,
});

export const toAudit = (row: AuditRow): AuditEntry => ({
  id: row.id,
  at: toDate(row.at),
  actor: row.actor,
  action: row.action,
  target: row.target,
  detail: row.detail === null ? null : (JSON.parse(row.detail) as Record<string, unknown>),
  actorId: row.actor_id,
  userId: row.user_id,
  pairId: row.pair_id,
});

/** The ids an audit target names (`user:<email>`, `pair:<id>`, `held:<id>`, `message:<id>`, `report:<id>`), for the SQL that finds the entry's user and pair. */
export interface AuditTarget {
  user: string | null;
  pair: number | null;
  held: number | null;
  message: number | null;
  report: number | null;
}

export function auditTargetOf(target: string): AuditTarget {
  const colon = target.indexOf(':');
  const kind = colon < 0 ? '' : target.slice(0, colon);
  const rest = target.slice(colon + 1);
  const id = /^[0-9]{1,15}$/.test(rest) ? Number(rest) : null;
  return {
    user: kind === 'user' ? rest : null,
    pair: kind === 'pair' ? id : null,
    held: kind === 'held' ? id : null,
    message: kind === 'message' ? id : null,
    report: kind === 'report' ? id : null,
  };
}

export const toSummary = (row: SummaryRow): PairSummary => ({
  pairId: row.id,
  mentorId: row.mentor_id,
  menteeId: row.mentee_id,
  active: isSet(row.active),
  messageCount: Number(row.message_count),
  lastActivity: orNull(row.last_activity),
});

/** The first `limit` of `rows` read with one row more than `limit`, and whether there was more. */
export function paged<R, T>(rows: readonly R[], limit: number, map: (row: R) => T): { items: T[]; hasMore: boolean } {
  return { items: rows.slice(0, limit).map(map), hasMore: rows.length > limit };
}
