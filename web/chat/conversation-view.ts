/**
 * The conversation pane: header with presence, the message log (history pages load as the
 * user scrolls up, without moving what they are reading), pending messages, "typing…",
 * connection status, the banner of an ended, archived or paused match (which never hides
 * the newest message), and the composer (Enter sends, Shift+Enter starts a new line), whose
 * draft survives a reload and which counts characters near the limit.
 */
import type { ChatMessage, ConnectionState, Conversation, Off } from '../../src/client/index.js';
import { byId, setText } from '../shared/dom.js';
import { fullName, initials, roleName } from '../shared/people.js';
import { Drafts } from './drafts.js';
import { archivedNotice, connectionText, endedNotice, pausedNotice } from './format.js';
import { messageItem, pendingItem, undeliveredItem, updateTick } from './message-item.js';

/** How close to the bottom (px) counts as "reading the newest messages". */
const NEAR_BOTTOM_PX = 80;
/** Scrolling this close to the top loads the previous page. */
const NEAR_TOP_PX = 150;
/** The server's limit (code points), and from how many on the counter shows. */
const MAX_CHARACTERS = 5000;
const COUNT_FROM = 4500;

/** Renders one conversation at a time into the page's conversation pane. */
export class ConversationView {
  private readonly log = byId('messages');
  private readonly list = byId<HTMLOListElement>('message-list');
  private readonly pendingList = byId<HTMLOListElement>('pending-list');
  private readonly title = byId('conversation-title');
  private readonly avatar = byId('conversation-avatar');
  private readonly presence = byId('conversation-presence');
  private readonly banner = byId('banner');
  private readonly typingLine = byId('typing');
  private readonly connectionLine = byId('connection');
  private readonly loadOlderButton = byId<HTMLButtonElement>('load-older');
  private readonly historyNote = byId('history-note');
  private readonly form = byId<HTMLFormElement>('composer');
  private readonly input = byId<HTMLTextAreaElement>('composer-input');
  private readonly inputLabel = byId('composer-label');
  private readonly sendButton = byId<HTMLButtonElement>('send');
  private readonly composerError = byId('composer-error');
  private readonly counter = byId('composer-count');
  private conversation: Conversation | null = null;
  private offs: Off[] = [];
  private readonly items = new Map<string, HTMLLIElement>();

  private readonly drafts: Drafts;

  /** `owner` names the signed-in user, whose drafts are kept per partner; `storage` keeps them across reloads. */
  constructor(owner: () => string, storage: Storage | null) {
    this.drafts = new Drafts(owner, storage);
    this.form.addEventListener('submit', (event) => {
      event.preventDefault();
      this.submit();
    });
    this.input.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        this.submit();
      }
    });
    this.input.addEventListener('input', () => {
      setText(this.composerError, '');
      this.conversation?.typing(this.input.value.trim() !== '');
      this.saveDraft();
      this.renderCount();
    });
    this.input.addEventListener('blur', () => this.conversation?.typing(false));
    this.log.addEventListener(
      'scroll',
      () => {
        if (this.log.scrollTop < NEAR_TOP_PX) void this.loadOlder();
      },
      { passive: true },
    );
    this.loadOlderButton.addEventListener('click', () => void this.loadOlder());
    this.show(null);
  }

  /** Shows `conversation` (or the empty pane) and follows its events. */
  show(conversation: Conversation | null): void {
    for (const off of this.offs) off();
    this.offs = [];
    this.conversation?.typing(false);
    this.conversation = conversation;
    this.input.value = conversation ? this.drafts.read(conversation.partner.email) : '';
    this.renderCount();
    setText(this.composerError, '');
    if (!conversation) {
      setText(this.title, 'Choose a conversation');
      this.avatar.hidden = true;
      setText(this.presence, '');
      this.renderMessages();
      this.renderPending();
      this.renderTyping();
      this.renderState();
      return;
    }
    this.avatar.hidden = false;
    this.offs.push(
      conversation.on('appended', (messages) => this.appended(messages)),
      conversation.on('prepended', (messages) => this.prepended(messages)),
      conversation.on('reset', () => this.renderMessages()),
      conversation.on('read', () => this.renderTicks()),
      conversation.on('pending', () => this.renderPending(true)),
      conversation.on('typing', () => this.renderTyping()),
      conversation.on('state', () => this.renderState()),
      conversation.on('summary', () => {
        this.renderHeader();
        this.renderState();
      }),
      conversation.on('undelivered', () => this.renderPending(true)),
    );
    this.renderHeader();
    this.renderMessages();
    this.renderPending();
    this.renderTyping();
    this.renderState();
    this.scrollToBottom();
  }

  /** Puts the cursor in the composer (when it is usable). */
  focusComposer(): void {
    if (!this.input.disabled) this.input.focus();
  }

  private submit(): void {
    const conversation = this.conversation;
    if (!conversation || this.input.disabled) return;
    if (this.input.value.trim() === '') return;
    const result = conversation.send(this.input.value);
    if (!result.ok) {
      setText(this.composerError, result.error);
      return;
    }
    this.input.value = '';
    this.saveDraft();
    this.renderCount();
    this.input.focus();
  }

  private saveDraft(): void {
    if (this.conversation) this.drafts.save(this.conversation.partner.email, this.input.value);
  }

  /** "4812 / 5000" once a message nears the limit, in code points as the server counts. */
  private renderCount(): void {
    const length = [...this.input.value.trim()].length;
    this.counter.hidden = length < COUNT_FROM;
    this.counter.classList.toggle('over', length > MAX_CHARACTERS);
    setText(this.counter, this.counter.hidden ? '' : `${length} / ${MAX_CHARACTERS}`);
  }

  private renderHeader(): void {
    const conversation = this.conversation;
    if (!conversation) return;
    const { partner } = conversation;
    setText(this.title, fullName(partner));
    setText(this.avatar, initials(partner));
    if (conversation.partnerOnline === null) this.avatar.removeAttribute('data-online');
    else this.avatar.dataset.online = String(conversation.partnerOnline);
    const online = conversation.partnerOnline === null || conversation.ended !== null ? '' : conversation.partnerOnline ? ' · online' : ' · offline';
    setText(this.presence, `${roleName(partner.role)}${online}`);
  }

  private renderMessages(): void {
    this.log.setAttribute('aria-busy', 'true');
    this.items.clear();
    const messages = this.conversation?.messages ?? [];
    this.list.replaceChildren(...messages.map((message) => this.item(message)));
    this.renderHistoryStatus();
    this.log.setAttribute('aria-busy', 'false');
  }

  private appended(messages: ChatMessage[]): void {
    const follow = this.nearBottom() || messages.some((message) => message.mine);
    this.list.append(...messages.map((message) => this.item(message)));
    this.renderHistoryStatus();
    if (follow) this.scrollToBottom();
  }

  /** Inserts an older page above, keeping the message the user is reading where it is. */
  private prepended(messages: ChatMessage[]): void {
    this.log.setAttribute('aria-busy', 'true');
    const fromBottom = this.log.scrollHeight - this.log.scrollTop;
    this.list.prepend(...messages.map((message) => this.item(message)));
    this.renderHistoryStatus();
    this.log.scrollTop = this.log.scrollHeight - fromBottom;
    this.log.setAttribute('aria-busy', 'false');
  }

  private item(message: ChatMessage): HTMLLIElement {
    const item = messageItem(message, (reported) => void this.report(reported));
    this.items.set(message.message_id, item);
    return item;
  }

  private renderTicks(): void {
    for (const message of this.conversation?.messages ?? []) {
      const item = this.items.get(message.message_id);
      if (item) updateTick(item, message);
    }
  }

  private renderPending(follow = false): void {
    const conversation = this.conversation;
    const connected = conversation?.connection.isOpen ?? false;
    const discard = (clientId: string) => conversation?.discard(clientId);
    const pending = conversation?.pending ?? [];
    const undelivered = conversation?.undelivered ?? [];
    this.pendingList.replaceChildren(...undelivered.map(undeliveredItem), ...pending.map((item) => pendingItem(item, connected, discard)));
    if (follow) this.scrollToBottom();
  }

  private renderHistoryStatus(): void {
    const conversation = this.conversation;
    const hasOlder = conversation?.hasOlder ?? false;
    this.loadOlderButton.hidden = !hasOlder;
    let note = '';
    if (conversation && !hasOlder) {
      if (conversation.messages.length > 0) note = conversation.historyAvailable ? 'Start of your conversation' : '';
      else if (conversation.pending.length === 0) note = `No messages yet. Say hello to ${conversation.partner.first_name}!`;
    }
    setText(this.historyNote, note);
  }

  private renderTyping(): void {
    const conversation = this.conversation;
    setText(this.typingLine, conversation?.partnerTyping ? `${conversation.partner.first_name} is typing…` : '');
  }

  private renderState(): void {
    const conversation = this.conversation;
    const state: ConnectionState = conversation?.connection.state ?? { kind: 'idle' };
    const ended = conversation?.ended ?? null;
    const paused = conversation !== null && ended === null && conversation.matchPaused;
    // The banner takes room from the log: one who was reading the newest message still is.
    const follow = this.nearBottom();
    const kind = !conversation ? null : conversation.archived ? 'archived' : ended !== null ? 'ended' : paused ? 'paused' : null;
    this.banner.hidden = kind === null;
    if (kind !== null && conversation) {
      const name = fullName(conversation.partner);
      this.banner.dataset.kind = kind;
      this.banner.setAttribute('role', kind === 'ended' ? 'alert' : 'status');
      setText(this.banner, kind === 'archived' ? archivedNotice(name) : kind === 'paused' ? pausedNotice(name) : endedNotice(ended!, name));
    }
    if (follow) this.scrollToBottom();
    const usable = conversation !== null && ended === null && !paused;
    this.input.disabled = !usable;
    this.sendButton.disabled = !usable;
    this.input.placeholder = usable ? 'Write a message…' : paused ? 'Sending is paused' : ended !== null ? 'Messaging is closed' : '';
    setText(this.inputLabel, conversation ? `Message to ${fullName(conversation.partner)}` : 'Message');
    const line = connectionText(state);
    setText(this.connectionLine, line);
    // Machine-readable for scripts and tests: 'open' once the server said connection_established.
    this.connectionLine.dataset.state = state.kind;
    this.connectionLine.classList.toggle('offline', state.kind === 'paused' || state.kind === 'waiting');
    this.renderPending();
    this.renderHistoryStatus();
  }

  /** Asks why, then reports the partner's message; the outcome shows under the composer. */
  private async report(message: ChatMessage): Promise<void> {
    const conversation = this.conversation;
    const reason = window.prompt('Why are you reporting this message? An admin will read it with the messages before it.');
    if (!conversation || reason === null || reason.trim() === '') return;
    try {
      await conversation.report(message.message_id, reason.trim());
      setText(this.composerError, 'Thank you. The message was reported to the admins.');
      this.items.get(message.message_id)?.setAttribute('data-reported', 'true');
    } catch {
      setText(this.composerError, 'Could not report the message. Please try again.');
    }
  }

  private async loadOlder(): Promise<void> {
    const conversation = this.conversation;
    if (!conversation?.hasOlder) return;
    setText(this.historyNote, 'Loading earlier messages…');
    try {
      await conversation.loadOlder();
    } catch {
      if (conversation === this.conversation) setText(this.historyNote, 'Could not load earlier messages.');
      return;
    }
    if (conversation === this.conversation) this.renderHistoryStatus();
  }

  private nearBottom(): boolean {
    return this.log.scrollHeight - this.log.scrollTop - this.log.clientHeight < NEAR_BOTTOM_PX;
  }

  private scrollToBottom(): void {
    this.log.scrollTop = this.log.scrollHeight;
  }
}
