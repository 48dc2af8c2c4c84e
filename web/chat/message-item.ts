/** One message as a list item: stored (with time and, for one's own, a read tick) or pending. */
import type { ChatMessage, PendingMessage, UndeliveredMessage, WireAttachment } from '../../src/client/index.js';
import { h } from '../shared/dom.js';
import { formatTime } from './format.js';

/**
 * A stored message. `data-message-id` lets tests and updates find it. The partner's messages
 * have a Report action when `onReport` is given; a notice that an admin viewed the
 * conversation is a line of its own.
 */
export function messageItem(message: ChatMessage, onReport?: (message: ChatMessage) => void): HTMLLIElement {
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
  const report =
    !message.mine && onReport ? h('button', { type: 'button', class: 'quiet report', title: 'Report this message to the admins' }, 'Report') : null;
  report?.addEventListener('click', () => onReport?.(message));
  const item = h(
    'li',
    { class: message.mine ? 'message mine' : 'message', 'data-message-id': message.message_id },
    h('span', { class: 'visually-hidden' }, message.mine ? 'You: ' : `${message.sender_name}: `),
    message.content === '' ? null : h('p', { class: 'body', dir: 'auto' }, message.content),
    message.attachments?.length ? attachmentList(message.attachments) : null,
    h('p', { class: 'meta' }, h('time', { datetime: message.timestamp }, formatTime(message.timestamp)), message.mine ? tick(message.is_read) : null, report),
  );
  return item;
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

/** One of the user's own messages that was held for review, or rejected (with the reason). */
export function undeliveredItem(message: UndeliveredMessage): HTMLLIElement {
  const rejected = message.status === 'rejected';
  const status = rejected ? `Not delivered: ${message.reason ?? 'rejected by a moderator'}` : 'Waiting for review';
  return h(
    'li',
    { class: rejected ? 'message mine rejected' : 'message mine held', 'data-held-id': message.message_id, 'data-state': message.status },
    h('span', { class: 'visually-hidden' }, rejected ? 'You (not delivered): ' : 'You (waiting for review): '),
    h('p', { class: 'body', dir: 'auto' }, message.content),
    h('p', { class: 'meta' }, h('span', { class: 'pending-status' }, status)),
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
