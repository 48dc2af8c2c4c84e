/**
 * The admin page's safeguarding cards: the moderation queue (each held message with its
 * context, approved, or rejected with a reason), open reports (resolved with a note), and the
 * newest entries of the audit log.
 */
import type { AuditEntryView, HeldView, HistoryMessage, TandemApi } from '../../src/client/index.js';
import { byId, h, setText } from '../shared/dom.js';
import { friendlyError, fullName } from '../shared/people.js';
import { auditFacts, auditSentence } from './audit-sentence.js';
import { showWordList } from './word-list.js';
import { reportItem } from './report-card.js';
import { contextList, when, withReason } from './review-parts.js';

/** Replaces a list's items, keeping those still listed as they are: a live re-read never wipes a reason being typed. */
function replaceKeeping<T>(list: HTMLElement, key: string, items: readonly T[], idOf: (item: T) => string, make: (item: T) => HTMLElement): void {
  const kept = new Map([...list.children].map((child) => [(child as HTMLElement).dataset[key], child]));
  list.replaceChildren(...items.map((item) => kept.get(idOf(item)) ?? make(item)));
}

const RULES: Record<string, string> = {
  email: 'an email address',
  phone: 'a phone number',
  link: 'a link',
  handle: 'a handle on another app',
  off_platform: 'an invitation to move to another app',
  address: 'a home address',
  word: 'a listed word',
};
function heldItem(api: TandemApi, held: HeldView, reload: () => Promise<void>): HTMLElement {
  const status = h('p', { class: 'form-error', role: 'status' });
  const approve = h('button', { type: 'button', class: 'primary' }, 'Approve');
  approve.addEventListener('click', () => {
    approve.disabled = true;
    api.approve(held.message_id).then(reload, (error: unknown) => {
      setText(status, friendlyError(error));
      approve.disabled = false;
    });
  });
  return h(
    'li',
    { class: 'held-item', 'data-held-id': held.message_id },
    h(
      'p',
      { class: 'who' },
      `${fullName(held.sender)} to ${fullName(held.receiver)} · ${when(held.timestamp)} · held for ${RULES[held.rule] ?? held.rule}: “${held.matched}”`,
    ),
    contextList(held.context),
    h('p', { class: 'held-content', dir: 'auto' }, held.content),
    ...(held.content_marked === undefined ? [] : [h('p', { class: 'held-marked' }, `With its hidden characters shown: ${held.content_marked}`)]),
    h(
      'div',
      { class: 'actions' },
      approve,
      withReason('Reason for rejecting', 'Reject', status, async (reason) => {
        await api.reject(held.message_id, reason);
        await reload();
      }),
    ),
    status,
  );
}

/** One entry: when, and a sentence with names; the raw ids under "Details", a click away. */
function auditRow(entry: AuditEntryView): HTMLTableRowElement {
  const facts = h('dl', { class: 'audit-facts' }, ...auditFacts(entry).flatMap(([name, value]) => [h('dt', {}, name), h('dd', {}, value)]));
  return h(
    'tr',
    {},
    h('td', { 'data-label': 'When' }, h('time', { datetime: entry.at }, when(entry.at))),
    h('td', { 'data-label': 'What happened' }, h('p', { class: 'audit-sentence' }, auditSentence(entry)), h('details', {}, h('summary', {}, 'Details'), facts)),
  );
}

/** Whether the policy lets admins read conversations (`oversight`, `moderated`): read once, it changes only with a restart. */
let readable: Promise<boolean> | null = null;
const conversationsReadable = (api: TandemApi) =>
  (readable ??= api.request<{ policy: string }>('GET', '/api/conversations').then(
    ({ policy }) => policy === 'oversight' || policy === 'moderated',
    () => false,
  ));

/** Loads the three cards, and again after every decision. */
export async function loadSafeguarding(api: TandemApi): Promise<void> {
  const reload = () => loadSafeguarding(api);
  const error = byId('safeguarding-error');
  try {
    const [held, reports, audit, words, canOpen] = await Promise.all([api.moderation(), api.reports(), api.audit(30), api.words(), conversationsReadable(api)]);
    setText(error, '');
    showWordList(api, words);
    replaceKeeping(
      byId('held-list'),
      'heldId',
      held,
      (item) => item.message_id,
      (item) => heldItem(api, item, reload),
    );
    byId('no-held').hidden = held.length > 0;
    setText(byId('held-count'), `(${held.length})`);
    replaceKeeping(
      byId('report-list'),
      'reportId',
      reports,
      (item) => item.report_id,
      (item) => reportItem(api, item, reload, canOpen),
    );
    byId('no-reports').hidden = reports.length > 0;
    setText(byId('report-count'), `(${reports.length})`);
    byId('audit-body').replaceChildren(...audit.map(auditRow));
  } catch (failure) {
    setText(error, friendlyError(failure));
  }
}
