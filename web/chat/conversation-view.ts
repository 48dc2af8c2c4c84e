/**
 * The conversation pane: header with presence, the message log (history pages load as the
 * user scrolls up, without moving what they are reading), pending messages, "typing…",
 * connection status, the banner of an ended, archived or paused match (which never hides
 * the newest message), and the composer (Enter sends, Shift+Enter starts a new line), whose
 * draft survives a reload and which counts characters near the limit. Under `oversight` and
 * `moderated` a line at the start says what coordinators can see.
 */
import type { ChatMessage, ConnectionState, Conversation, Off } from '../../src/client/index.js';
import { byId, setText } from '../shared/dom.js';
import { fullName, initials, roleName } from '../shared/people.js';
import { renderCount } from './composer-count.js';
import { Drafts } from './drafts.js';
import { connectionText, renderBanner } from './format.js';
import { markReported, pendingItem } from './message-item.js';
import { MessageLog } from './message-log.js';
import { ReportSheet } from './report-sheet.js';
import { policyNotice } from './safety-text.js';
import { UnreadTracker } from './unread-tracker.js';

/** Scrolling this close to the top loads the previous page. */
const NEAR_TOP_PX = 150;

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
  private readonly policyLine = byId('policy-notice');
  private conversation: Conversation | null = null;
  private offs: Off[] = [];
  private readonly messageLog: MessageLog;
  private readonly unread: UnreadTracker;
  readonly reportSheet = new ReportSheet();
  private readonly drafts: Drafts;

  /**
   * `owner` names the signed-in user, whose drafts are kept per partner; `storage` keeps them
   * across reloads; `onSeenChange` hears when the newest message comes into view or leaves it.
   */
  constructor(owner: () => string, storage: Storage | null, onSeenChange: () => void) {
    this.drafts = new Drafts(owner, storage);
    this.messageLog = new MessageLog(this.list, {
      onReport: (message, what) => this.report(message, what),
      partnerFirstName: () => this.conversation?.partner.first_name ?? '',
    });
    this.unread = new UnreadTracker(this.log, this.messageLog, onSeenChange);
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
      renderCount(this.counter, this.input.value);
    });
    this.input.addEventListener('blur', () => this.conversation?.typing(false));
    this.log.addEventListener(
      'scroll',
      () => {
        if (this.log.scrollTop < NEAR_TOP_PX) void this.loadOlder();
        this.unread.scrolled();
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
    renderCount(this.counter, this.input.value);
    setText(this.composerError, '');
    this.unread.opened(conversation);
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
      conversation.on('prepended', () => this.prepended()),
      conversation.on('reset', () => this.renderMessages()),
      conversation.on('read', () => this.messageLog.renderTicks(conversation.messages)),
      conversation.on('pending', () => this.renderPending(true)),
      conversation.on('typing', () => this.renderTyping()),
      conversation.on('state', () => this.renderState()),
      conversation.on('summary', () => {
        this.renderHeader();
        this.renderState();
      }),
      conversation.on('undelivered', () => {
        const follow = this.nearBottom();
        this.renderMessages();
        if (follow) this.scrollToBottom();
      }),
    );
    this.renderHeader();
    this.renderMessages();
    this.renderPending();
    this.renderTyping();
    this.renderState();
    this.unread.scrollToFirstUnread();
  }

  /** What coordinators can see (`GET /api/me`), said at the start of every conversation. */
  setPolicy(policy: Parameters<typeof policyNotice>[0]): void {
    const notice = policyNotice(policy);
    this.policyLine.hidden = notice === null;
    setText(this.policyLine, notice ?? '');
  }

  /** Whether the newest message is in view (only then are the partner's messages read). */
  seesNewest(): boolean {
    return this.unread.seesNewest();
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
    renderCount(this.counter, this.input.value);
    this.input.focus();
  }

  private saveDraft(): void {
    if (this.conversation) this.drafts.save(this.conversation.partner.email, this.input.value);
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

  /** `placing`: the conversation's first messages just came; the view opens at the unread divider. */
  private renderMessages(placing = this.unread.needsPlacing()): void {
    this.log.setAttribute('aria-busy', 'true');
    this.messageLog.render(this.conversation?.messages ?? [], this.conversation?.undelivered ?? []);
    this.renderHistoryStatus();
    this.log.setAttribute('aria-busy', 'false');
    if (placing) this.unread.scrollToFirstUnread();
  }

  private appended(messages: ChatMessage[]): void {
    if (this.unread.needsPlacing()) return this.renderMessages(true);
    const follow = this.nearBottom() || messages.some((message) => message.mine);
    this.messageLog.append(messages);
    this.renderHistoryStatus();
    if (follow) this.scrollToBottom();
    else this.unread.arrivedOutOfView(messages);
  }

  /** Inserts an older page above, keeping the message the user is reading where it is. */
  private prepended(): void {
    const fromBottom = this.log.scrollHeight - this.log.scrollTop;
    this.renderMessages();
    this.log.scrollTop = this.log.scrollHeight - fromBottom;
  }

  private renderPending(follow = false): void {
    const conversation = this.conversation;
    const connected = conversation?.connection.isOpen ?? false;
    const discard = (clientId: string) => conversation?.discard(clientId);
    const pending = conversation?.pending ?? [];
    this.pendingList.replaceChildren(...pending.map((item) => pendingItem(item, connected, discard)));
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
    renderBanner(this.banner, conversation);
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

  /** Opens the report sheet for the partner's message; once sent, the message keeps a "Reported" mark. */
  private report(message: ChatMessage, what: string): void {
    const conversation = this.conversation;
    if (!conversation) return;
    this.reportSheet.open(
      what,
      conversation.partner.first_name,
      (reason) => conversation.report(message.message_id, reason),
      () => {
        message.reported = true;
        const item = this.messageLog.item(message.message_id);
        if (item) markReported(item);
      },
    );
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
    return this.unread.seesNewest();
  }

  private scrollToBottom(): void {
    this.log.scrollTop = this.log.scrollHeight;
    this.unread.scrolled();
  }
}
