/**
 * The pair table as CSV (RFC 4180) for a spreadsheet. A cell that begins with `=`, `+`, `-`,
 * `@`, a tab or a carriage return is a formula to Excel, LibreOffice and Sheets: a name like
 * `=HYPERLINK(…)` would run when a coordinator opens the file. Such a cell gets a leading `'`,
 * which the spreadsheet shows as text (OWASP's advice on CSV injection).
 */
import type { PairHealthEntry } from '../protocol/programme.js';

const FORMULA_START = new Set(['=', '+', '-', '@', '\t', '\r']);

/** One cell, inert and quoted when it holds a separator, a quote or a line break. */
export function csvCell(value: string | number | boolean | null): string {
  let text = value === null ? '' : String(value);
  if (typeof value === 'string' && FORMULA_START.has(text.charAt(0))) text = `'${text}`;
  return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export const CSV_COLUMNS = [
  'pair_id',
  'mentor_email',
  'mentor_name',
  'mentee_email',
  'mentee_name',
  'matched_at',
  'paused',
  'last_message_at',
  'mentor_messages_7d',
  'mentee_messages_7d',
  'mentor_messages_28d',
  'mentee_messages_28d',
  'mentor_median_reply_minutes_28d',
  'mentee_median_reply_minutes_28d',
  'waiting_reply_from',
  'waiting_reply_since',
  'open_reports',
  'held_waiting',
  'at_risk',
] as const;

function rowOf(pair: PairHealthEntry): Array<string | number | boolean | null> {
  return [
    pair.pair_id,
    pair.mentor.email,
    `${pair.mentor.first_name} ${pair.mentor.last_name}`,
    pair.mentee.email,
    `${pair.mentee.first_name} ${pair.mentee.last_name}`,
    pair.matched_at,
    pair.paused,
    pair.last_message_at,
    pair.messages_7d.mentor,
    pair.messages_7d.mentee,
    pair.messages_28d.mentor,
    pair.messages_28d.mentee,
    pair.median_reply_minutes_28d.mentor,
    pair.median_reply_minutes_28d.mentee,
    pair.waiting_reply?.from ?? null,
    pair.waiting_reply?.since ?? null,
    pair.open_reports,
    pair.held_waiting,
    pair.at_risk.join(' '),
  ];
}

/** The whole table, a header line first, CRLF line ends. */
export function pairsCsv(pairs: readonly PairHealthEntry[]): string {
  return [CSV_COLUMNS.join(','), ...pairs.map((pair) => rowOf(pair).map(csvCell).join(','))].map((line) => `${line}\r\n`).join('');
}
