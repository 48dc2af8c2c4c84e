/**
 * The admin page's Programme view (PROTOCOL.md Part 9): pairs at risk first with their
 * reasons, searchable and sortable, a sparkline of each pair's weeks, the programme's weekly
 * activity as a chart with its table, the CSV, and announcements. Counts only, no content.
 */
import {
  announce,
  announcements,
  programmeActivity,
  programmeCsvUrl,
  programmePairs,
  type ActivityWeek,
  type AnnouncementAudience,
  type PairHealthEntry,
  type PairQuery,
  type PairSort,
  type TandemApi,
} from '../../src/client/index.js';
import { byId, h, setText } from '../shared/dom.js';
import { friendlyError, fullName } from '../shared/people.js';
import { barChart, sparkline } from './charts.js';

const PAGE = 50;
const SEARCH_DELAY_MS = 250;

const REASONS: Record<string, string> = {
  silent: 'Silent',
  unanswered: 'Waiting for the mentor',
  one_sided: 'One-sided',
  reported: 'Reported',
};

const AUDIENCES: Record<AnnouncementAudience, string> = { all: 'everyone', mentors: 'mentors', mentees: 'mentees' };

/** "today", "yesterday", "5 days ago", or "never". */
export function daysAgo(iso: string | null, now = Date.now()): string {
  if (iso === null) return 'never';
  const days = Math.floor((now - Date.parse(iso)) / 86_400_000);
  return days <= 0 ? 'today' : days === 1 ? 'yesterday' : `${days} days ago`;
}

const minutes = (value: number | null) => (value === null ? '–' : value < 90 ? `${Math.round(value)} min` : `${Math.round(value / 60)} h`);

function pairRow(pair: PairHealthEntry): HTMLTableRowElement {
  const names = `${fullName(pair.mentor)} and ${fullName(pair.mentee)}`;
  const reasons =
    pair.at_risk.length === 0
      ? h('span', { class: 'hint' }, 'On track')
      : h('span', {}, ...pair.at_risk.map((reason) => h('span', { class: 'badge', 'data-kind': 'risk' }, REASONS[reason] ?? reason)));
  const weeks = pair.weekly_messages;
  const trend = `messages per week over the last ${weeks.length} weeks, oldest first: ${weeks.join(', ')}`;
  return h(
    'tr',
    { 'data-pair': pair.pair_id, 'data-at-risk': pair.at_risk.length > 0 },
    h(
      'th',
      { scope: 'row' },
      h('span', {}, fullName(pair.mentor)),
      h('span', { class: 'hint' }, ' with '),
      h('span', {}, fullName(pair.mentee)),
      pair.paused ? h('span', { class: 'badge', 'data-kind': 'paused' }, 'Paused') : null,
    ),
    h('td', {}, reasons),
    h('td', {}, daysAgo(pair.last_message_at)),
    h('td', {}, `${pair.messages_7d.mentor} · ${pair.messages_7d.mentee}`),
    h('td', {}, `${minutes(pair.median_reply_minutes_28d.mentor)} · ${minutes(pair.median_reply_minutes_28d.mentee)}`),
    h('td', {}, `${pair.open_reports} · ${pair.held_waiting}`),
    h('td', {}, sparkline(weeks, `${names}: ${trend}`)),
  );
}

function renderActivity(weeks: readonly ActivityWeek[]): void {
  const labels = weeks.map((week) => week.week.slice(5));
  byId('activity-chart').replaceChildren(
    barChart(
      weeks.map((week) => week.messages),
      labels,
    ),
  );
  byId('activity-table-body').replaceChildren(
    ...weeks.map((week) =>
      h(
        'tr',
        {},
        h('th', { scope: 'row' }, week.week),
        h('td', {}, String(week.messages)),
        h('td', {}, String(week.active_pairs)),
        h('td', {}, String(week.new_matches)),
        h('td', {}, String(week.ended_matches)),
      ),
    ),
  );
  const latest = weeks.at(-1);
  setText(byId('activity-summary'), latest ? `This week: ${latest.messages} messages from ${latest.active_pairs} pairs.` : '');
}

export class ProgrammeView {
  private cursor: string | null = null;
  private searchTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly api: TandemApi) {
    const reload = () => void this.loadPairs();
    byId<HTMLSelectElement>('programme-sort').addEventListener('change', reload);
    byId<HTMLInputElement>('programme-at-risk').addEventListener('change', reload);
    byId<HTMLInputElement>('programme-q').addEventListener('input', () => {
      clearTimeout(this.searchTimer);
      this.searchTimer = setTimeout(reload, SEARCH_DELAY_MS);
    });
    byId('programme-filter').addEventListener('submit', (event) => {
      event.preventDefault();
      reload();
    });
    byId('programme-more').addEventListener('click', () => void this.loadPairs(true));
    byId('announce-form').addEventListener('submit', (event) => {
      event.preventDefault();
      void this.announce();
    });
  }

  async load(): Promise<void> {
    await Promise.all([this.loadPairs(), this.loadActivity(), this.loadAnnouncements()]);
  }

  private query(): PairQuery {
    return {
      sort: byId<HTMLSelectElement>('programme-sort').value as PairSort,
      atRiskOnly: byId<HTMLInputElement>('programme-at-risk').checked,
      search: byId<HTMLInputElement>('programme-q').value,
    };
  }

  private async loadPairs(more = false): Promise<void> {
    const query = this.query();
    byId<HTMLAnchorElement>('programme-csv').href = programmeCsvUrl(this.api, query);
    try {
      const page = await programmePairs(this.api, { ...query, limit: PAGE, ...(more && this.cursor ? { cursor: this.cursor } : {}) });
      const body = byId<HTMLTableSectionElement>('programme-body');
      const rows = page.pairs.map(pairRow);
      if (more) body.append(...rows);
      else body.replaceChildren(...rows);
      this.cursor = page.next_cursor;
      byId('programme-more').hidden = page.next_cursor === null;
      byId('programme-empty').hidden = body.children.length > 0;
      const atRisk = body.querySelectorAll('tr[data-at-risk]').length;
      setText(byId('programme-count'), `(${atRisk} at risk of ${body.children.length}${page.next_cursor ? '+' : ''})`);
      setText(byId('programme-error'), '');
    } catch (error) {
      setText(byId('programme-error'), friendlyError(error));
    }
  }

  private async loadActivity(): Promise<void> {
    try {
      renderActivity(await programmeActivity(this.api, 12));
    } catch (error) {
      setText(byId('programme-error'), friendlyError(error));
    }
  }

  private async loadAnnouncements(): Promise<void> {
    const list = (await announcements(this.api).catch(() => [])).slice(-5).reverse();
    byId('announce-list').replaceChildren(
      ...list.map((entry) => h('li', {}, h('span', { class: 'hint' }, `To ${AUDIENCES[entry.audience]}, ${daysAgo(entry.timestamp)}: `), entry.content)),
    );
  }

  private async announce(): Promise<void> {
    const content = byId<HTMLTextAreaElement>('announce-content');
    const audience = byId<HTMLSelectElement>('announce-audience').value as AnnouncementAudience;
    setText(byId('announce-status'), '');
    setText(byId('announce-error'), '');
    try {
      await announce(this.api, content.value, audience);
      content.value = '';
      setText(byId('announce-status'), `Sent to ${AUDIENCES[audience]}.`);
      await this.loadAnnouncements();
    } catch (error) {
      setText(byId('announce-error'), friendlyError(error));
    }
  }
}
