/**
 * A report as the Safeguarding view shows it: who wrote the message and who reported it,
 * why, the messages around it, and what a coordinator does from there — pause the pair, end
 * the match, open the conversation (where the policy lets admins read it: the pair is told),
 * or resolve the report with a note — without leaving the card.
 */
import type { HistoryMessage, ReportView, TandemApi } from '../../src/client/index.js';
import { h, setText } from '../shared/dom.js';
import { friendlyError, fullName } from '../shared/people.js';
import { contextList, when, withReason } from './review-parts.js';

/** A button that runs `act` once; it says what happened in `status`, and comes back if `act` failed. */
function actionButton(label: string, name: string, status: HTMLElement, act: () => Promise<string>): HTMLButtonElement {
  const button = h('button', { type: 'button', class: 'quiet', 'aria-label': name }, label);
  button.addEventListener('click', () => {
    button.disabled = true;
    act().then(
      (done) => setText(status, done),
      (error: unknown) => {
        setText(status, friendlyError(error));
        button.disabled = false;
      },
    );
  });
  return button;
}

/** The pair's newest messages, read as an admin (`POST /api/conversations/{pair_id}/messages`, audited, the pair told). */
async function openConversation(api: TandemApi, report: ReportView): Promise<HistoryMessage[]> {
  const { conversations } = await api.request<{ conversations: Array<{ pair_id: string; mentor: { email: string }; mentee: { email: string } }> }>(
    'GET',
    '/api/conversations',
  );
  const pair = conversations.find((row) => row.mentor.email === report.pair.mentor.email && row.mentee.email === report.pair.mentee.email);
  if (!pair) throw new Error('This conversation is no longer listed.');
  return (await api.request<{ messages: HistoryMessage[] }>('POST', `/api/conversations/${encodeURIComponent(pair.pair_id)}/messages`, {})).messages;
}

/** `canOpen`: the policy (`oversight`, `moderated`) lets admins read conversations. */
export function reportItem(api: TandemApi, report: ReportView, reload: () => Promise<void>, canOpen: boolean): HTMLElement {
  const status = h('p', { class: 'form-ok', role: 'status' });
  const opened = h('div', { class: 'opened' });
  const { mentor, mentee } = report.pair;
  const pair = `${fullName(mentor)} and ${fullName(mentee)}`;
  const writer = report.message.sender_name || report.message.sender_email;
  return h(
    'li',
    { class: 'report-item', 'data-report-id': report.report_id },
    h('p', { class: 'who' }, `${fullName(report.reporter)} reported a message from ${writer} · ${when(report.created_at)}`),
    h('p', { class: 'hint' }, `In the conversation of ${pair}.`),
    h('p', { class: 'reason' }, `Reason: ${report.reason}`),
    contextList(report.context, report.message.message_id),
    h(
      'div',
      { class: 'actions' },
      actionButton('Pause', `Pause ${pair}`, status, async () => {
        await api.setMatchPaused(mentee.email, true);
        return `${pair} are paused: neither can write until you resume them (Matches).`;
      }),
      actionButton('Unmatch', `Unmatch ${pair}`, status, async () => {
        await api.endMatch(mentee.email);
        return `${pair} are no longer matched.`;
      }),
      canOpen &&
        actionButton('Open the conversation', `Open the conversation of ${pair}`, status, async () => {
          const messages = await openConversation(api, report);
          opened.replaceChildren(h('h3', {}, `The conversation of ${pair}`), contextList(messages, report.message.message_id));
          return `${pair} are told that an admin read their conversation.`;
        }),
      withReason('Note on what was done', 'Resolve', status, async (note) => {
        await api.resolveReport(report.report_id, note);
        await reload();
      }),
    ),
    status,
    opened,
  );
}
