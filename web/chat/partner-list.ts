/**
 * The list of conversations: one button per partner with an online dot, the last message
 * (or "typing…"), and the unread count. Rows update in place; the order is set when the
 * list loads and does not shuffle under the user's finger.
 */
import type { Conversation, ConversationSummary, Off } from '../../src/client/index.js';
import { h, setText } from '../shared/dom.js';
import { fullName, initials } from '../shared/people.js';

interface Row {
  button: HTMLButtonElement;
  badge: HTMLElement;
  avatar: HTMLElement;
  preview: HTMLElement;
  unread: HTMLElement;
  off: Off;
}

/** Renders the conversations as a list of buttons; `onSelect` opens one. */
export class PartnerList {
  private readonly rows = new Map<string, Row>();

  constructor(
    private readonly list: HTMLUListElement,
    private readonly onSelect: (conversation: Conversation) => void,
  ) {}

  /** Shows `conversations`, replacing what was shown. */
  render(conversations: readonly Conversation[], selectedEmail: string | null): void {
    for (const row of this.rows.values()) row.off();
    this.rows.clear();
    this.list.replaceChildren(...conversations.map((conversation) => this.row(conversation)));
    this.select(selectedEmail);
  }

  /** Marks the row of `email` as the open conversation (`aria-current`). */
  select(email: string | null): void {
    for (const [partner, row] of this.rows) row.button.setAttribute('aria-current', String(partner === email));
  }

  /** Moves keyboard focus to the row of `email`. */
  focus(email: string): void {
    this.rows.get(email)?.button.focus();
  }

  private row(conversation: Conversation): HTMLLIElement {
    const { partner } = conversation;
    const avatar = h('span', { class: 'avatar', 'aria-hidden': 'true' }, initials(partner));
    const preview = h('span', { class: 'partner-preview', dir: 'auto' });
    const unread = h('span', { class: 'unread', 'data-count': '0' });
    const badge = h('span', { class: 'badge', hidden: true });
    const button = h(
      'button',
      { type: 'button', class: 'partner', 'data-partner': partner.email },
      avatar,
      h('span', { class: 'partner-text' }, h('span', { class: 'partner-name' }, fullName(partner), badge), preview),
      unread,
    );
    button.addEventListener('click', () => this.onSelect(conversation));
    const row: Row = { button, badge, avatar, preview, unread, off: conversation.on('summary', (summary) => this.update(row, summary)) };
    this.rows.set(partner.email, row);
    this.update(row, conversation.summary);
    return h('li', {}, button);
  }

  private update(row: Row, summary: ConversationSummary): void {
    const name = fullName(summary.partner);
    if (summary.online === null) row.avatar.removeAttribute('data-online');
    else row.avatar.dataset.online = String(summary.online);
    row.preview.classList.toggle('typing', summary.typing && summary.ended === null);
    const badge = summary.archived ? 'Archived' : summary.paused && summary.ended === null ? 'Paused' : '';
    row.badge.hidden = badge === '';
    row.badge.dataset.kind = badge.toLowerCase();
    setText(row.badge, badge);
    row.button.classList.toggle('archived', summary.archived);
    const preview = previewText(summary);
    setText(row.preview, preview);
    row.unread.dataset.count = String(summary.unread);
    setText(row.unread, summary.unread > 99 ? '99+' : String(summary.unread));
    const parts = [name];
    if (badge) parts.push(badge.toLowerCase());
    if (summary.online !== null) parts.push(summary.online ? 'online' : 'offline');
    if (summary.unread > 0) parts.push(`${summary.unread} unread`);
    parts.push(preview);
    row.button.setAttribute('aria-label', parts.join(', '));
  }
}

function previewText(summary: ConversationSummary): string {
  if (summary.ended !== null && !(summary.archived && summary.lastMessage)) return 'Match ended';
  if (summary.typing) return 'typing…';
  const last = summary.lastMessage;
  if (!last) return 'No messages yet';
  const mine = last.sender_email !== summary.partner.email;
  return `${mine ? 'You: ' : ''}${last.content.replace(/\s+/g, ' ')}`;
}
