/**
 * The signed-in page: the account bar, the partner list and the conversation pane. On a
 * phone one pane shows at a time (`data-pane`); the open conversation is kept in the URL's
 * hash so a reload comes back to it. The open conversation is "active" (partner messages
 * are read as they arrive) only while the page is visible, the pane is on screen and its
 * newest message in view. A message in another conversation is announced politely.
 */
import type { Conversation, PublicUser, TandemClient } from '../../src/client/index.js';
import { byId, setText } from '../shared/dom.js';
import { accountLabel, fullName } from '../shared/people.js';
import { ConversationView } from './conversation-view.js';
import { enableMessageKeys } from './message-keys.js';
import { PartnerList } from './partner-list.js';

const PHONE = '(max-width: 720px)';

/** The signed-in page; `show` loads and opens the user's conversations. */
export class ChatView {
  private readonly view = byId('chat-view');
  private readonly account = byId('account');
  private readonly noPartners = byId('no-partners');
  private readonly partners: PartnerList;
  private readonly pane: ConversationView;
  private selected: Conversation | null = null;
  private readonly phone = window.matchMedia(PHONE);
  /** Conversations whose unread count the title already follows. */
  private readonly counted = new WeakSet<Conversation>();
  /** Partners listed before: a conversation listed again is not a new match. */
  private readonly known = new Set<string>();
  private readonly elsewhere = byId('elsewhere');

  constructor(
    private readonly client: TandemClient,
    storage: Storage | null,
  ) {
    this.pane = new ConversationView(
      () => client.user?.email ?? '',
      storage,
      () => this.updateActive(),
    );
    this.partners = new PartnerList(byId<HTMLUListElement>('partner-list'), (conversation) => this.select(conversation, true));
    byId('back').addEventListener('click', () => this.showList());
    enableMessageKeys(byId('messages'));
    document.addEventListener('visibilitychange', () => {
      this.updateActive();
      if (document.visibilityState === 'visible' && this.client.user) void this.refresh();
    });
    this.phone.addEventListener('change', () => this.updateActive());
    // New matches arrive through the client's event stream (conversations event) at once.
    client.on('conversations', (conversations) => {
      const fresh = conversations.filter((conversation) => !this.known.has(conversation.partner.email));
      for (const conversation of conversations) {
        this.known.add(conversation.partner.email);
        if (this.counted.has(conversation)) continue;
        this.counted.add(conversation);
        let unread = conversation.unread;
        conversation.on('summary', (summary) => {
          this.renderTitle();
          if (summary.unread > unread && conversation !== this.selected) this.announce(`New message from ${fullName(conversation.partner)}`);
          unread = summary.unread;
        });
      }
      this.renderTitle();
      if (this.view.hidden) return;
      const selected = this.selected;
      this.partners.render(conversations, selected?.partner.email ?? null);
      this.renderEmpty();
      // A partner matched again replaces the ended conversation that was open.
      const successor = selected && !conversations.includes(selected) ? conversations.find((c) => c.partner.email === selected.partner.email) : undefined;
      if (successor) this.select(successor, false);
      // A first match arriving while the page is open opens by itself (also over an ended one);
      // a conversation listed again (coming back to the page) never does.
      else if (fresh.length > 0 && (!selected || selected.ended !== null)) {
        const live = conversations.filter((conversation) => conversation.ended === null);
        if (live.length === 1) this.select(live[0]!, false);
        else if (!selected && conversations.length === 1) this.select(conversations[0]!, false);
      }
    });
  }

  /** Shows the page for `user` and loads their conversations. */
  async show(user: PublicUser): Promise<void> {
    this.view.hidden = false;
    this.account.hidden = false;
    setText(byId('whoami'), accountLabel(user));
    byId('admin-link').hidden = user.role !== 'ADMIN';
    this.renderEmpty();
    void this.loadProgramme();
    const conversations = await this.client.loadConversations();
    const wanted = decodeURIComponent(location.hash.slice(1));
    const initial =
      conversations.find((conversation) => conversation.partner.email === wanted && conversation.ended === null) ??
      conversations.find((conversation) => conversation.partner.email === wanted) ??
      (conversations.length === 1 || !this.phone.matches ? conversations[0] : undefined);
    // The list shows while the conversations start: a choice made meanwhile (a click, a new
    // match opened by itself) stands.
    if (!this.selected) {
      if (initial) this.select(initial, false);
      else this.showList();
    }
    this.focusHeading();
  }

  /** After sign-in, focus starts at the page's heading (the conversation's on a phone showing it). */
  private focusHeading(): void {
    const onList = !this.phone.matches || this.view.dataset.pane === 'list';
    byId(onList ? 'partners-title' : 'conversation-title').focus();
  }

  /** What coordinators can see and whom to call for help (`GET /api/me`); the chat works without them. */
  private async loadProgramme(): Promise<void> {
    try {
      const me = await this.client.api.me();
      this.pane.setPolicy(me.conversation_policy);
      this.pane.reportSheet.setContact(me.safeguarding_contact ?? null);
    } catch {
      // Shown on the next sign-in.
    }
  }

  /** A polite word for screen readers: a message arrived in a conversation not on screen. */
  private announce(text: string): void {
    this.elsewhere.textContent = '';
    requestAnimationFrame(() => setText(this.elsewhere, text));
  }

  hide(): void {
    this.view.hidden = true;
    this.account.hidden = true;
    this.selected = null;
    this.pane.show(null);
    history.replaceState(null, '', location.pathname);
  }

  private async refresh(): Promise<void> {
    try {
      await this.client.loadConversations();
    } catch {
      // The list stays as it is; the next visit tries again.
    }
  }

  private select(conversation: Conversation, focus: boolean): void {
    if (this.selected !== conversation) {
      this.selected?.setActive(false);
      this.selected = conversation;
      this.pane.show(conversation);
      this.partners.select(conversation.partner.email);
      history.replaceState(null, '', `#${encodeURIComponent(conversation.partner.email)}`);
    }
    this.view.dataset.pane = 'conversation';
    this.updateActive();
    if (focus) this.pane.focusComposer();
  }

  private showList(): void {
    this.view.dataset.pane = 'list';
    this.updateActive();
    if (this.selected) this.partners.focus(this.selected.partner.email);
  }

  private updateActive(): void {
    const onScreen = !this.phone.matches || this.view.dataset.pane === 'conversation';
    // Only what was on screen is read: the newest message must be in view.
    this.selected?.setActive(document.visibilityState === 'visible' && onScreen && !this.view.hidden && this.pane.seesNewest());
  }

  /** "(3) Tandem" while 3 messages are unread, so a background tab shows it. */
  private renderTitle(): void {
    const unread = this.client.conversations.reduce((sum, conversation) => sum + conversation.unread, 0);
    document.title = unread > 0 ? `(${unread}) Tandem` : 'Tandem';
  }

  private renderEmpty(): void {
    const user = this.client.user;
    const none = this.client.conversations.length === 0;
    this.noPartners.hidden = !none;
    // With nobody to talk to there is no conversation pane: one clear message instead.
    this.view.dataset.empty = String(none);
    if (!none || !user) return;
    this.noPartners.replaceChildren();
    if (user.role === 'ADMIN') {
      const link = document.createElement('a');
      link.href = '/admin';
      link.textContent = 'admin page';
      this.noPartners.append('Admins have no conversations. Create users and matches on the ', link, '.');
    } else {
      setText(
        this.noPartners,
        user.role === 'MENTEE' ? 'You have no mentor yet. An admin will match you with one.' : 'You have no mentees yet. An admin will match you with some.',
      );
    }
  }
}
