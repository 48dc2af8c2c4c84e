/**
 * The programme's part of the HTTP API (PROTOCOL.md Part 9), typed: the pair table, the
 * weeks, announcements. Functions over a `TandemApi`, which carries the session.
 */
import type { ActivityWeek, AnnouncementAudience, AnnouncementEntry, PairHealthEntry, PairHealthPage, PairSort } from '../protocol/programme.js';
import type { TandemApi } from './api.js';

export type { ActivityWeek, AnnouncementAudience, AnnouncementEntry, PairHealthEntry, PairHealthPage, PairSort };

export interface PairQuery {
  atRiskOnly?: boolean;
  sort?: PairSort;
  search?: string;
  cursor?: string;
  limit?: number;
}

function queryString(query: PairQuery): string {
  const params = new URLSearchParams();
  if (query.atRiskOnly) params.set('at_risk', 'true');
  if (query.sort) params.set('sort', query.sort);
  if (query.search && query.search.trim() !== '') params.set('q', query.search.trim());
  if (query.cursor) params.set('cursor', query.cursor);
  if (query.limit !== undefined) params.set('limit', String(query.limit));
  const text = params.toString();
  return text === '' ? '' : `?${text}`;
}

/** Admins: a page of the pair table. */
export function programmePairs(api: TandemApi, query: PairQuery = {}): Promise<PairHealthPage> {
  return api.request('GET', `/api/programme/pairs${queryString(query)}`);
}

/** Admins: where the CSV of the pair table is (a link for the browser to download). */
export function programmeCsvUrl(api: TandemApi, query: Omit<PairQuery, 'cursor' | 'limit'> = {}): string {
  return `${api.base}/api/programme/pairs.csv${queryString(query)}`;
}

/** Admins: the programme's last `weeks` ISO weeks, newest last. */
export async function programmeActivity(api: TandemApi, weeks = 12): Promise<ActivityWeek[]> {
  return (await api.request<{ weeks: ActivityWeek[] }>('GET', `/api/programme/activity?weeks=${weeks}`)).weeks;
}

/** Admins: announces to every mentor and mentee, or one side. */
export function announce(api: TandemApi, content: string, audience: AnnouncementAudience): Promise<AnnouncementEntry> {
  return api.request('POST', '/api/programme/announcements', { content, audience });
}

/** The announcements addressed to the signed-in user, oldest first, after `afterId`. */
export async function announcements(api: TandemApi, afterId?: string): Promise<AnnouncementEntry[]> {
  const query = afterId === undefined ? '' : `?after=${encodeURIComponent(afterId)}`;
  return (await api.request<{ announcements: AnnouncementEntry[] }>('GET', `/api/announcements${query}`)).announcements;
}
