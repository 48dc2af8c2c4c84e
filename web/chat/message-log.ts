/**
 * The message list's items: the pair's messages and the user's own held or rejected ones in
 * time order, a separator at each new day ("Today", "Yesterday", "Tue 1 Dec"), one sender's
 * consecutive messages grouped, and an "N unread messages" divider before the first message
 * that was unread when the conversation opened.
 */
import type { ChatMessage, UndeliveredMessage } from '../../src/client/index.js';
import { h } from '../shared/dom.js';
import { dayLabel } from './format.js';
import { messageItem, undeliveredItem, updateTick, type ItemOptions } from './message-item.js';

/** Messages of one sender this close together are grouped under one another. */
const GROUP_WITHIN_MS = 10 * 60_000;

type Entry = { kind: 'stored'; message: ChatMessage } | { kind: 'undelivered'; message: UndeliveredMessage };

const timeOf = (entry: Entry) => Date.parse(entry.message.timestamp);
const senderOf = (entry: Entry) => (entry.kind === 'stored' && entry.message.kind === 'admin_viewed' ? '' : entry.message.sender_email);

export class MessageLog {
  private readonly items = new Map<string, HTMLLIElement>();
  private last: Entry | null = null;
  /** The first message unread when the conversation opened, and how many were. */
  private unread: { messageId: string; count: number } | null = null;

  constructor(
    private readonly list: HTMLOListElement,
    private readonly options: { onReport: ItemOptions['onReport']; partnerFirstName: () => string },
  ) {}

  /** Where the unread divider goes (null: none), for the conversation just opened. */
  setUnread(unread: { messageId: string; count: number } | null): void {
    this.unread = unread;
  }

  /** The divider, when one shows. */
  get divider(): HTMLElement | null {
    return this.list.querySelector('.unread-divider');
  }

  item(messageId: string): HTMLLIElement | undefined {
    return this.items.get(messageId);
  }

  /** Renders everything again: stored and undelivered messages merged by time. */
  render(messages: readonly ChatMessage[], undelivered: readonly UndeliveredMessage[]): void {
    this.items.clear();
    this.last = null;
    const entries: Entry[] = [...messages.map((message) => ({ kind: 'stored', message }) as Entry)];
    for (const held of undelivered) {
      const entry: Entry = { kind: 'undelivered', message: held };
      // Stored messages stay in `seq` order; a held one goes before the first stored one after it.
      const at = entries.findIndex((other) => other.kind === 'stored' && timeOf(other) > timeOf(entry));
      entries.splice(at < 0 ? entries.length : at, 0, entry);
    }
    this.list.replaceChildren(...entries.flatMap((entry) => this.nodes(entry)));
  }

  /** Adds messages newer than every one shown. */
  append(messages: readonly ChatMessage[]): void {
    this.list.append(...messages.flatMap((message) => this.nodes({ kind: 'stored', message })));
  }

  /** Brings the read ticks of `messages` up to date. */
  renderTicks(messages: readonly ChatMessage[]): void {
    for (const message of messages) {
      const item = this.items.get(message.message_id);
      if (item) updateTick(item, message);
    }
  }

  /** A day separator and the unread divider where due, then the entry's item. */
  private nodes(entry: Entry): HTMLLIElement[] {
    const nodes: HTMLLIElement[] = [];
    const previous = this.last;
    const day = dayLabel(entry.message.timestamp);
    const newDay = !previous || dayLabel(previous.message.timestamp) !== day;
    if (newDay) nodes.push(h('li', { class: 'day-separator' }, h('span', {}, day)));
    const unread = this.unread;
    const divided = entry.kind === 'stored' && unread?.messageId === entry.message.message_id;
    if (divided)
      nodes.push(h('li', { class: 'unread-divider', id: 'unread-divider' }, h('span', {}, `${unread.count} unread message${unread.count === 1 ? '' : 's'}`)));
    const grouped =
      !newDay &&
      !divided &&
      previous !== null &&
      senderOf(previous) !== '' &&
      senderOf(previous) === senderOf(entry) &&
      timeOf(entry) - timeOf(previous) < GROUP_WITHIN_MS;
    if (entry.kind === 'stored') {
      const item = messageItem(entry.message, { grouped, onReport: this.options.onReport });
      this.items.set(entry.message.message_id, item);
      nodes.push(item);
    } else {
      const item = undeliveredItem(entry.message, this.options.partnerFirstName());
      if (grouped) item.classList.add('grouped');
      nodes.push(item);
    }
    this.last = entry;
    return nodes;
  }
}
