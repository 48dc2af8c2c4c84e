/**
 * The admin page's safeguarding cards: the moderation queue (each held message with its
 * context, approved, or rejected with a reason), open reports (resolved with a note), and the
 * newest entries of the audit log.
 */
import type { AuditEntryView, HeldView, HistoryMessage, ReportView, TandemApi } from '../../src/client/index.js';
import { byId, h, setText } from '../shared/dom.js';
import { friendlyError, fullName } from '../shared/people.js';
import { auditFacts, auditSentence } from './audit-sentence.js';
import { showWordList } from './word-list.js';

const RULES: Record<string, string> = {
  email: 'an email address',
  phone: 'a phone number',
  link: 'a link',
  handle: 'a handle on another app',
  off_platform: 'an invitation to move to another app',
  address: 'a home address',
  word: 'a listed word',
};
const when = (iso: string) => new Date(iso).toLocaleString(undefined, { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' });

function contextList(messages: readonly HistoryMessage[], highlight?: string): HTMLElement {
  return h(
    'ol',
    { class: 'context', 'aria-label': 'The messages before it' },
    ...messages.map((message) =>
      h(
        'li',
        { class: message.message_id === highlight ? 'highlight' : null },
        h('span', { class: 'who' }, message.kind === 'admin_viewed' ? 'Notice' : message.sender_name),
        ' ',
        message.kind === 'admin_viewed' ? `${message.actor_name ?? 'An admin'} viewed the conversation` : message.content,
      ),
    ),
  );
}

/** A text field and a button: `act` gets the trimmed text; the item's status line says what happened. */
function withReason(label: string, button: string, status: HTMLElement, act: (text: string) => Promise<void>): HTMLElement {
  const input = h('input', { type: 'text', maxlength: 1000, 'aria-label': label, placeholder: label });
  const go = h('button', { type: 'button', class: 'quiet' }, button);
  go.addEventListener('click', () => {
    const text = input.value.trim();
    if (text === '') return setText(status, `${label} first.`);
    go.disabled = true;
    act(text).catch((error: unknown) => {
      setText(status, friendlyError(error));
      go.disabled = false;
    });
  });
  return h('span', { class: 'reason-row' }, input, go);
}

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

function reportItem(api: TandemApi, report: ReportView, reload: () => Promise<void>): HTMLElement {
  const status = h('p', { class: 'form-error', role: 'status' });
  return h(
    'li',
    { class: 'report-item', 'data-report-id': report.report_id },
    h(
      'p',
      { class: 'who' },
      `${fullName(report.reporter)} reported a message of ${fullName(report.pair.mentor)} and ${fullName(report.pair.mentee)} · ${when(report.created_at)}`,
    ),
    h('p', { class: 'reason' }, `Reason: ${report.reason}`),
    contextList(report.context, report.message.message_id),
    h(
      'div',
      { class: 'actions' },
      withReason('Note on what was done', 'Resolve', status, async (note) => {
        await api.resolveReport(report.report_id, note);
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

/** Loads the three cards, and again after every decision. */
export async function loadSafeguarding(api: TandemApi): Promise<void> {
  const reload = () => loadSafeguarding(api);
  const error = byId('safeguarding-error');
  try {
    const [held, reports, audit, words] = await Promise.all([api.moderation(), api.reports(), api.audit(30), api.words()]);
    setText(error, '');
    showWordList(api, words);
    byId('held-list').replaceChildren(...held.map((item) => heldItem(api, item, reload)));
    byId('no-held').hidden = held.length > 0;
    setText(byId('held-count'), `(${held.length})`);
    byId('report-list').replaceChildren(...reports.map((item) => reportItem(api, item, reload)));
    byId('no-reports').hidden = reports.length > 0;
    setText(byId('report-count'), `(${reports.length})`);
    byId('audit-body').replaceChildren(...audit.map(auditRow));
  } catch (failure) {
    setText(error, friendlyError(failure));
  }
}
