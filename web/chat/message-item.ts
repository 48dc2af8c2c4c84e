/** One message as a list item: stored (with time and, for one's own, a read tick), held, or pending. */
import type { ChatMessage, PendingMessage, UndeliveredMessage, WireAttachment } from '../../src/client/index.js';
import { h } from '../shared/dom.js';
import { formatTime } from './format.js';
import { linkedText } from './linkify.js';
import { actionButton } from './message-actions.js';
import { heldExplanation } from './safety-text.js';

/** How a stored message is shown: under the previous one of the same sender (grouped), and what happens on Report. */
export interface ItemOptions {
  grouped: boolean;
  onReport?: (message: ChatMessage, what: string) => void;
}

/** "message from Mia Lee, 11:07" or "your message, 11:07": how actions name their object. */
export function describeMessage(message: ChatMessage): string {
  return `${message.mine ? 'your message' : `message from ${message.sender_name}`}, ${formatTime(message.timestamp)}`;
}

/**
 * A stored message. `data-message-id` lets tests and updates find it. The partner's messages
 * have an action menu (Report) when `onReport` is given, and a lasting "Reported" mark once
 * reported; a notice that an admin viewed the conversation is a line of its own. Links in the
 * text are tappable (see linkify.ts).
 */
export function messageItem(message: ChatMessage, options: ItemOptions): HTMLLIElement {
  if (message.kind === 'admin_viewed') {
    return h(
      'li',
      { class: 'notice', 'data-message-id': message.message_id, 'data-kind': 'admin_viewed' },
      h(
        'p',
        {},
        `${message.actor_name ?? 'An administrator'} (an administrator) viewed this conversation · `,
        h('time', { datetime: message.timestamp }, formatTime(message.timestamp)),
      ),
    );
  }
  const what = describeMessage(message);
  const meta = h(
    'p',
    { class: 'meta' },
    h('time', { datetime: message.timestamp }, formatTime(message.timestamp)),
    message.mine ? tick(message.is_read) : null,
  );
  const item = h(
    'li',
    { class: `message${message.mine ? ' mine' : ''}${options.grouped ? ' grouped' : ''}`, 'data-message-id': message.message_id, tabindex: '-1' },
    h('span', { class: 'visually-hidden' }, message.mine ? 'You: ' : `${message.sender_name}: `),
    message.content === '' ? null : h('p', { class: 'body', dir: 'auto' }, ...linkedText(message.content)),
    message.attachments?.length ? attachmentList(message.attachments) : null,
    meta,
  );
  const onReport = options.onReport;
  if (message.reported) markReported(item);
  else if (!message.mine && onReport) meta.append(actionButton(what, () => [{ label: 'Report', run: () => onReport(message, what) }]));
  // Own messages have no actions yet. Hook: deleting one's own message (PROTOCOL.md Part 8) adds its "Delete" here.
  return item;
}

/** The lasting mark on a message the user reported (also after signing in again: history says so). */
export function markReported(item: HTMLElement): void {
  item.dataset.reported = 'true';
  item.querySelector('.message-actions')?.remove();
  if (!item.querySelector('.reported-mark')) item.querySelector('.meta')?.append(h('span', { class: 'reported-mark' }, 'Reported'));
}

/**
 * The files sent with a message: an image as a preview, anything else as a card with its
 * name and size; each opens the file (served so it never runs: see docs/attachments.md).
 */
function attachmentList(files: readonly WireAttachment[]): HTMLUListElement {
  return h(
    'ul',
    { class: 'attachments' },
    ...files.map((file) => {
      const url = `/api/attachments/${encodeURIComponent(file.attachment_id)}`;
      const image = file.content_type.startsWith('image/');
      return h(
        'li',
        { class: image ? 'attachment image' : 'attachment file', 'data-attachment-id': file.attachment_id },
        h(
          'a',
          { href: url, target: '_blank', rel: 'noopener', title: file.name },
          image ? h('img', { src: url, alt: file.name, loading: 'lazy' }) : null,
          image ? null : h('span', { class: 'file-name', dir: 'auto' }, file.name),
          image ? null : h('span', { class: 'file-size' }, formatSize(file.size)),
        ),
      );
    }),
  );
}

/** A file size people read: bytes, KB or MB. */
function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

/**
 * One of the user's own messages that was held for review (why, who looks at it, that the
 * partner cannot see it yet) or rejected (with the reason), with its time.
 */
export function undeliveredItem(message: UndeliveredMessage, partnerFirstName: string): HTMLLIElement {
  const rejected = message.status === 'rejected';
  const status = rejected ? `Not delivered: ${message.reason ?? 'a coordinator did not approve it'}` : 'Waiting for a coordinator to check it';
  // Hook: once one's own messages can be deleted (PROTOCOL.md Part 8), a held one gets a "Delete" action here.
  return h(
    'li',
    { class: rejected ? 'message mine rejected' : 'message mine held', 'data-held-id': message.message_id, 'data-state': message.status },
    h('span', { class: 'visually-hidden' }, rejected ? 'You (not delivered): ' : 'You (held, not yet delivered): '),
    h('p', { class: 'body', dir: 'auto' }, message.content),
    rejected ? null : h('p', { class: 'held-why' }, heldExplanation(message.rule, partnerFirstName)),
    h('p', { class: 'meta' }, h('span', { class: 'pending-status' }, status), h('time', { datetime: message.timestamp }, formatTime(message.timestamp))),
  );
}

/** Brings a stored item's read tick up to date. */
export function updateTick(item: HTMLElement, message: ChatMessage): void {
  if (!message.mine) return;
  const current = item.querySelector('.tick');
  const read = message.is_read;
  if (current && current.classList.contains('read') === read) return;
  current?.replaceWith(tick(read));
}

function tick(read: boolean): HTMLElement {
  return h(
    'span',
    { class: read ? 'tick read' : 'tick sent', title: read ? 'Read' : 'Sent' },
    h('span', { 'aria-hidden': 'true' }, read ? '✓✓' : '✓'),
    h('span', { class: 'visually-hidden' }, read ? 'Read' : 'Sent'),
  );
}

/** A message not yet stored: sending, waiting for the connection, or refused (with a Discard button). */
export function pendingItem(pending: PendingMessage, connected: boolean, onDiscard: (clientId: string) => void): HTMLLIElement {
  const failed = pending.state === 'failed';
  const status = failed ? `Not sent: ${pending.error ?? 'refused'}` : connected ? 'Sending…' : 'Waiting for connection…';
  const discard = failed ? h('button', { type: 'button', class: 'quiet' }, 'Discard') : null;
  discard?.addEventListener('click', () => onDiscard(pending.client_id));
  return h(
    'li',
    { class: failed ? 'message mine failed' : 'message mine pending', 'data-client-id': pending.client_id, 'data-state': pending.state },
    h('span', { class: 'visually-hidden' }, 'You (not yet sent): '),
    h('p', { class: 'body', dir: 'auto' }, pending.content),
    h('p', { class: 'meta' }, h('span', { class: 'pending-status' }, status), discard),
  );
}
