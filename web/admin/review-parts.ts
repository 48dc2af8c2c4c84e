/**
 * What the Safeguarding view's cards share: a time as coordinators read it, the messages
 * around a held or reported one, and a text field with the button that acts on it.
 */
import type { HistoryMessage } from '../../src/client/index.js';
import { h, setText } from '../shared/dom.js';
import { friendlyError } from '../shared/people.js';

export const when = (iso: string) => new Date(iso).toLocaleString(undefined, { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' });

export function contextList(messages: readonly HistoryMessage[], highlight?: string): HTMLElement {
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
export function withReason(label: string, button: string, status: HTMLElement, act: (text: string) => Promise<void>): HTMLElement {
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
