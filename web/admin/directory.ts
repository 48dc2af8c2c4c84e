/**
 * The admin's directory: everyone, a page at a time, searchable by name or email, filtered by
 * role and by who is waiting for a match; each row shows the current partners and a mentor's
 * load against capacity, and "Match" puts the person into the match form.
 */
import type { DirectoryEntry, DirectoryPage, TandemApi } from '../../src/client/index.js';
import { byId, h, setText } from '../shared/dom.js';
import { friendlyError, fullName, roleName } from '../shared/people.js';

/** Typing in the search box asks the server once the user pauses this long. */
const SEARCH_DELAY_MS = 250;

export class Directory {
  private readonly body = byId<HTMLTableSectionElement>('directory-body');
  private readonly search = byId<HTMLInputElement>('directory-q');
  private readonly status = byId<HTMLSelectElement>('directory-status');
  private readonly role = byId<HTMLSelectElement>('directory-role');
  private readonly more = byId<HTMLButtonElement>('directory-more');
  private readonly error = byId('directory-error');
  private readonly empty = byId('directory-empty');
  private cursor: string | null = null;
  /** Each load supersedes the one before: a late answer to an older query is dropped. */
  private generation = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;

  /** `onMatch` receives the person to put into the match form. */
  constructor(
    private readonly api: TandemApi,
    private readonly onMatch: (entry: DirectoryEntry) => void,
  ) {
    this.search.addEventListener('input', () => {
      clearTimeout(this.timer);
      this.timer = setTimeout(() => void this.load(), SEARCH_DELAY_MS);
    });
    for (const select of [this.status, this.role]) select.addEventListener('change', () => void this.load());
    byId('directory-filter').addEventListener('submit', (event) => {
      event.preventDefault();
      void this.load();
    });
    this.more.addEventListener('click', () => void this.load(true));
  }

  /** Loads the first page for the current filters (or, with `append`, the next page). */
  async load(append = false): Promise<void> {
    const generation = ++this.generation;
    let page: DirectoryPage;
    try {
      page = await this.api.directory({
        q: this.search.value.trim(),
        status: (this.status.value || undefined) as 'matched' | 'unmatched' | undefined,
        role: this.role.value || undefined,
        ...(append && this.cursor !== null ? { cursor: this.cursor } : {}),
      });
    } catch (error) {
      if (generation === this.generation) setText(this.error, friendlyError(error));
      return;
    }
    if (generation !== this.generation) return;
    setText(this.error, '');
    const rows = page.users.map((entry) => this.row(entry));
    if (append) this.body.append(...rows);
    else this.body.replaceChildren(...rows);
    this.cursor = page.next_cursor;
    this.more.hidden = page.next_cursor === null;
    this.empty.hidden = this.body.childElementCount > 0;
  }

  private row(entry: DirectoryEntry): HTMLTableRowElement {
    const partners = entry.partners.length === 0 ? h('span', { class: 'note' }, waitingText(entry)) : entry.partners.map(fullName).join(', ');
    const canMatch = entry.role === 'MENTEE' ? entry.load === 0 : entry.role === 'MENTOR' && (entry.capacity === null || entry.load < entry.capacity);
    const action = canMatch
      ? h('button', { type: 'button', class: 'quiet', 'aria-label': `Match ${fullName(entry)}`, 'data-email': entry.email }, 'Match')
      : null;
    action?.addEventListener('click', () => this.onMatch(entry));
    return h(
      'tr',
      { 'data-email': entry.email },
      h('td', { 'data-label': 'Name' }, fullName(entry), h('span', { class: 'email' }, entry.email)),
      h('td', { 'data-label': 'Role' }, roleName(entry.role)),
      h('td', { 'data-label': 'Partners' }, partners),
      h('td', { 'data-label': 'Load' }, loadText(entry)),
      h('td', {}, action),
    );
  }
}

function waitingText(entry: DirectoryEntry): string {
  if (entry.role === 'ADMIN') return '—';
  const since = new Date(entry.waiting_since).toLocaleDateString(undefined, { day: 'numeric', month: 'short', year: 'numeric' });
  return `Waiting since ${since}`;
}

/** A mentor's "2 / 3" (or "2 / no limit"); a mentee's "1 / 1". */
function loadText(entry: DirectoryEntry): string {
  if (entry.role === 'ADMIN') return '—';
  return `${entry.load} / ${entry.capacity === null ? 'no limit' : entry.capacity}`;
}
