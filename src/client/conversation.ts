/**
 * One partner's conversation as a page shows it: history (pages over HTTP), live messages and
 * their changes, what is pending, typing, read ticks, presence, the unread count, whether the
 * match ended. `start` loads the newest page and connects (a `ChatConnection`); events then
 * report every change, and the public fields always describe the current state.
 */
import type { WireMessage } from '../protocol/frames.js';
import { ApiError, type HistoryMessage, type PublicUser, type UndeliveredMessage } from './api.js';
import { ChatConnection } from './connection.js';
import { Emitter } from './emitter.js';
import { MessageList, noticeMessage } from './message-list.js';
import { compareMessageIds } from './message-ids.js';
import { Outbox, type PendingMessage, type SendOptions } from './outbox.js';
import { PartnerActivity } from './partner-activity.js';
import { TypingReporter } from './typing.js';
import { UndeliveredList } from './undelivered.js';
import { UnreadCount } from './unread-count.js';
import type { ChatMessage, ConversationEvents, ConversationOptions, ConversationSummary } from './conversation-types.js';

/** History messages per page, unless the options say otherwise. */
const PAGE_SIZE = 30;

export type { ChatMessage, ConversationEvents, ConversationOptions, ConversationSummary } from './conversation-types.js';

export class Conversation extends Emitter<ConversationEvents> {
  readonly partner: PublicUser;
  readonly connection: ChatConnection;
  /** Stored messages, in `seq` order. */
  readonly messages: ChatMessage[];
  /** Whether older history exists beyond `messages[0]`. */
  hasOlder = false;
  /** False when the server has no history endpoint (history then comes only through resume). */
  historyAvailable = true;
  lastMessage: WireMessage | null;
  /** The user's own messages held for review or rejected, oldest first (see UndeliveredList). */
  readonly undelivered: UndeliveredMessage[];
  /** An admin paused the match (PROTOCOL.md Part 7): sending is refused until resumed. */
  matchPaused: boolean;
  /** The match had ended when this conversation was loaded: history only, no connection. */
  readonly archived: boolean;
  /** Set by the page while the user is looking at this conversation: partner messages are then read at once. */
  private active = false;
  private readonly unreadCount: UnreadCount;
  private readonly list: MessageList;
  private readonly undeliveredList = new UndeliveredList(() => this.emit('undelivered', this.undelivered));
  private loadingOlder: Promise<number> | null = null;
  private readWanted = false;
  private readonly typingReporter: TypingReporter;
  private readonly activity: PartnerActivity;

  constructor(private readonly options: ConversationOptions) {
    super();
    this.partner = options.partner;
    this.list = new MessageList(options.partner.email);
    this.messages = this.list.items;
    this.undelivered = this.undeliveredList.items;
    this.activity = new PartnerActivity(options.row?.partner_online ?? null, (what) => {
      if (what === 'typing') this.emit('typing', this.activity.typing);
      this.emitSummary();
    });
    this.unreadCount = new UnreadCount(options.row?.unread_count ?? 0);
    this.lastMessage = options.row?.last_message ?? null;
    this.matchPaused = options.row?.paused ?? false;
    this.archived = options.row?.archived ?? false;
    const outbox = new Outbox(options.storage ?? null, `tandem.outbox:${options.me.email}:${options.partner.email}`);
    this.connection = new ChatConnection({
      ...options.connection,
      wsBase: options.wsBase,
      partnerEmail: options.partner.email,
      createSocket: options.createSocket,
      outbox,
    });
    this.typingReporter = new TypingReporter((isTyping) => this.connection.sendTyping(isTyping));
    this.connection.on('message', (message) => this.received(message));
    this.connection.on('held', ({ type: _type, ...held }) => this.undeliveredList.set(held));
    this.connection.on('status', (status) => this.undeliveredList.reject(status.message_id, status.reason));
    this.connection.on('notice', (notice) => this.add([noticeMessage(notice)], 'end'));
    this.connection.on('change', (change) => {
      const message = this.list.applyChange(change);
      if (message) this.emit('changed', message);
    });
    this.connection.on('outbox', (pending) => this.emit('pending', pending));
    this.connection.on('typing', (typing) => this.activity.setTyping(typing));
    this.connection.on('read', (receipt) => {
      if (receipt.count !== 0 && this.list.markRead(true, receipt.lastReadId)) this.emit('read', undefined);
    });
    this.connection.on('presence', (online) => this.activity.setOnline(online));
    this.connection.on('established', ({ partnerOnline, paused }) => {
      if (partnerOnline !== null) this.activity.setOnline(partnerOnline);
      this.setMatchPaused(paused);
      if (this.readWanted) this.markRead();
    });
    this.connection.on('paused', (paused) => this.setMatchPaused(paused));
    this.connection.on('readElsewhere', (lastReadId) => this.readElsewhere(lastReadId));
    this.connection.on('state', (state) => {
      if (state.kind === 'ended' || state.kind === 'paused' || state.kind === 'waiting') {
        this.activity.forget();
        this.emitSummary();
      }
      this.emit('state', state);
    });
  }

  /** Whether the partner is online; null when unknown (not connected, or a server without presence). */
  get partnerOnline(): boolean | null {
    return this.activity.online;
  }

  get partnerTyping(): boolean {
    return this.activity.typing;
  }

  /** Messages written but not yet stored (failed ones included), oldest first. */
  get pending(): readonly PendingMessage[] {
    return this.connection.outbox.all;
  }

  get ended(): string | null {
    if (this.archived) return 'unmatched';
    const state = this.connection.state;
    return state.kind === 'ended' ? state.reason : null;
  }

  get summary(): ConversationSummary {
    return {
      partner: this.partner,
      lastMessage: this.lastMessage,
      unread: this.unread,
      online: this.partnerOnline,
      typing: this.partnerTyping,
      ended: this.ended,
      paused: this.matchPaused,
      archived: this.archived,
    };
  }

  /**
   * Loads the newest page of history, then connects, resuming after its newest message, so nothing written in between is
   * missed. Without a history endpoint it resumes from "0" (the socket brings the history). Rejects only when signed out (401).
   */
  async start(): Promise<void> {
    try {
      const page = await this.options.api.messages(this.partner.email, { limit: this.options.pageSize ?? PAGE_SIZE });
      this.hasOlder = page.has_more;
      this.add(page.messages, 'end');
      for (const held of page.undelivered ?? []) this.undeliveredList.set(held);
      if (!this.options.row) this.unreadCount.count = this.list.unreadCount();
      this.emitSummary();
      // The archive is read over HTTP only: its socket would be refused (4003).
      if (this.archived) return;
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      if (error.status === 401) throw error;
      if (error.routeMissing) this.historyAvailable = false;
      else {
        // History is unavailable for now: chat live anyway; reloading brings it back.
        this.connection.start();
        return;
      }
    }
    this.connection.resumeAfter(this.messages.at(-1)?.message_id ?? '0');
    this.connection.start();
  }

  /** Loads the page before the oldest message shown; resolves with how many were added (0 at the beginning). */
  loadOlder(): Promise<number> {
    const oldest = this.messages[0];
    if (!this.hasOlder || !oldest) return Promise.resolve(0);
    this.loadingOlder ??= this.options.api
      .messages(this.partner.email, { before: oldest.message_id, limit: this.options.pageSize ?? PAGE_SIZE })
      .then((page) => {
        this.hasOlder = page.has_more;
        return this.add(page.messages, 'start');
      })
      .finally(() => {
        this.loadingOlder = null;
      });
    return this.loadingOlder;
  }

  /** Queues a message, maybe a reply, with the ids of files uploaded for it (see `ChatConnection.send`); stops the typing indicator. Edit, delete and react: on `connection`. */
  send(content: string, options?: SendOptions): { ok: true; pending: PendingMessage } | { ok: false; error: string } {
    const result = this.connection.send(content, options);
    if (result.ok) this.typing(false);
    return result;
  }

  /** Reports one of the partner's messages to the admins. */
  async report(messageId: string, reason: string): Promise<void> {
    await this.options.api.report(this.partner.email, messageId, reason);
  }

  /** Forgets a message the server refused for good. */
  discard(clientId: string): void {
    this.connection.discard(clientId);
  }

  /** Reports the user's typing: call with true on every input, false when they clear or leave the composer. */
  typing(active: boolean): void {
    this.typingReporter.report(active);
  }

  /** The user is (or stops) looking at this conversation; while they are, partner messages are marked read as they come. */
  setActive(active: boolean): void {
    this.active = active;
    if (active && (this.unread > 0 || this.list.unreadCount() > 0)) this.markRead();
  }

  /** Marks the partner's messages read now, or as soon as the connection is open. */
  markRead(): void {
    if (!this.connection.markRead()) {
      this.readWanted = true;
      return;
    }
    this.readWanted = false;
    if (this.list.markRead(false, null)) this.emit('read', undefined);
    if (this.unreadCount.set(0)) this.emitSummary();
  }

  get unread(): number {
    return this.unreadCount.count;
  }

  /** A mark of the live unread changes so far; pass it back to `applyRow` with a list read after it. */
  get unreadVersion(): number {
    return this.unreadCount.version;
  }

  /**
   * The server's view of this conversation, re-read after the event stream (re)connected:
   * the unread count and the pause follow it (messages come through the connection) — the
   * count only if nothing changed it live since `version` (the list was asked for then).
   */
  applyRow(row: { unread_count: number; paused?: boolean }, version = this.unreadCount.version): void {
    if (!this.active) this.unreadCount.listed(row.unread_count, version);
    this.matchPaused = row.paused ?? this.matchPaused;
    this.emitSummary();
  }

  /** The unread count from the event stream (a message arrived); ignored while the user is reading here. */
  setUnread(count: number): void {
    if (!this.active && this.unreadCount.set(count)) this.emitSummary();
  }

  /** This user read the partner's messages up to `lastReadId` on another tab or device. */
  readElsewhere(lastReadId: string | null): void {
    if (this.list.markRead(false, lastReadId)) this.emit('read', undefined);
    this.unreadCount.overwrite(this.list.unreadCount());
    this.emitSummary();
  }

  /** An admin paused (or resumed) the match. */
  setMatchPaused(paused: boolean): void {
    if (this.matchPaused === paused) return;
    this.matchPaused = paused;
    this.emitSummary();
  }

  pause(): void {
    this.connection.pause();
  }
  resume(): void {
    this.connection.resume();
  }
  close(): void {
    this.typingReporter.dispose();
    this.activity.dispose();
    this.connection.close();
  }

  private received(wire: WireMessage): void {
    // An approved held message arrives with its original client_id: it is no longer undelivered.
    this.undeliveredList.delivered(wire.client_id);
    const isNew = !this.list.has(wire.message_id);
    this.add([{ ...wire, is_read: false }], 'end');
    if (!isNew) return;
    if (wire.sender_email === this.partner.email) {
      this.activity.setTyping(false);
      if (this.active) this.markRead();
      else this.unreadCount.set(this.unreadCount.count + 1);
    }
    this.emitSummary();
  }

  /** Adds messages not seen before; returns how many. */
  private add(incoming: HistoryMessage[], where: 'start' | 'end'): number {
    const added = this.list.add(incoming, where);
    if (!added) return 0;
    if (added.placement === 'reset') this.emit('reset', undefined);
    else this.emit(added.placement, added.fresh);
    const newest = this.list.newest();
    if (newest && (!this.lastMessage || compareMessageIds(newest.message_id, this.lastMessage.message_id) >= 0)) this.lastMessage = newest;
    return added.fresh.length;
  }

  private emitSummary(): void {
    this.emit('summary', this.summary);
  }
}
