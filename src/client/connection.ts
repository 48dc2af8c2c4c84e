/**
 * One live chat with one partner over `/ws/chat/<partner>/`: reconnects with backoff (see
 * reconnect-loop.ts), resumes with `?after=<last message id>`, sends every message with a
 * `client_id` and sends it again until its echo arrives, and reports typing, read receipts
 * and presence. Terminal closes (unmatched, logged out, 4001, 4003, 1008, 1009) end it;
 * everything else reconnects.
 */
import { ErrorText, type HeldEchoOut, type InboundFrame, type OutboundFrame } from '../protocol/frames.js';
import { DEFAULT_BACKOFF, type BackoffOptions } from './backoff.js';
import { ClientClose } from './close-policy.js';
import type { ChatConnectionEvents, ConnectionState } from './connection-state.js';
import { Emitter } from './emitter.js';
import { maxMessageId } from './message-ids.js';
import { Outbox, validateContent, type PendingMessage, type SendOptions } from './outbox.js';
import { OutboxSender } from './sender.js';
import { ReconnectLoop } from './reconnect-loop.js';
import { chatSocketUrl, SOCKET_OPEN, type TokenSource, type WebSocketFactory } from './socket.js';

export type { ChatConnectionEvents, ConnectionState, ReadReceipt } from './connection-state.js';

/** What `edit`, `deleteMessage` and `react` did: sent, or refused at once (and why). */
export type ChangeSent = { ok: true } | { ok: false; error: string };

const NOT_CONNECTED = 'Not connected: try again once the conversation is connected';

/** How to reach the partner's chat, and the knobs of reconnecting and resending. */
export interface ChatConnectionOptions {
  /** `ws://host:port` */
  wsBase: string;
  partnerEmail: string;
  createSocket: WebSocketFactory;
  /** Defaults to an in-memory outbox. */
  outbox?: Outbox;
  backoff?: BackoffOptions;
  /** A sent message not echoed within this long means the socket is dead: reconnect and resend. */
  ackTimeoutMs?: number;
  random?: () => number;
  /**
   * The platform's token (`AUTH=jwt`), asked for before every connect and reconnect. A socket
   * closed because its token expired (`force_disconnect` `token_expired`) reconnects at once
   * with a fresh one; the outbox is kept and resent.
   */
  getToken?: TokenSource;
}

/**
 * The connection to one partner. `start` connects once; afterwards it reconnects by itself
 * until the conversation ends (`state` kind `ended`) or `close` is called. Messages given to
 * `send` are delivered at most once each (by `client_id`) and in order, as long as the
 * outbox survives (it may be persisted).
 */
export class ChatConnection extends Emitter<ChatConnectionEvents> {
  readonly partnerEmail: string;
  readonly outbox: Outbox;
  private current: ConnectionState = { kind: 'idle' };
  private lastMessageId: string | null = null;
  /** The highest `seq` received (messages, notices, changes): a change at or below it was applied already. */
  private lastSeq = 0;
  private readonly sender: OutboxSender;
  private readonly loop: ReconnectLoop;

  constructor(options: ChatConnectionOptions) {
    super();
    this.partnerEmail = options.partnerEmail;
    this.outbox = options.outbox ?? new Outbox();
    this.sender = new OutboxSender({
      outbox: this.outbox,
      transmit: (frame) => this.transmit(frame),
      changed: () => this.emit('outbox', this.outbox.all),
      dead: () => {
        if (this.isOpen) this.loop.retryLater();
      },
      backoff: options.backoff ?? DEFAULT_BACKOFF,
      ackTimeoutMs: options.ackTimeoutMs ?? 10_000,
      random: options.random,
    });
    this.loop = new ReconnectLoop(options, {
      url: (token) => chatSocketUrl(options.wsBase, this.partnerEmail, this.lastMessageId, token),
      receive: (text) => this.receive(text),
      ended: (reason, code) => this.end(reason, code),
      connecting: (attempt) => this.setState({ kind: 'connecting', attempt }),
      waiting: (attempt, delayMs) => this.setState({ kind: 'waiting', attempt, delayMs }),
      detached: () => this.sender.stopped(),
    });
  }

  get state(): ConnectionState {
    return this.current;
  }

  get isOpen(): boolean {
    return this.current.kind === 'open';
  }

  /** The id after which the next (re)connect resumes; null resumes nothing. */
  get resumePoint(): string | null {
    return this.lastMessageId;
  }

  /**
   * Sets where the next connect resumes: after the newest message the caller already has
   * (e.g. from HTTP history); "0" asks for the whole history. Only ever moves forward.
   */
  resumeAfter(messageId: string): void {
    this.lastMessageId = maxMessageId(this.lastMessageId, messageId);
  }

  /** Connects (once); later drops reconnect by themselves. */
  start(): void {
    if (this.current.kind === 'idle') this.loop.connectNow();
  }

  /**
   * Queues `content` (maybe a reply, `replyTo`, and with `attachments`, the ids of files uploaded for it) and sends it as soon as the connection is open. Resolves nothing: the
   * `outbox` event reports progress and the `message` event brings the stored message.
   * Refuses, with the server's error text, what the server would refuse.
   */
  send(content: string, options: SendOptions = {}): { ok: true; pending: PendingMessage } | { ok: false; error: string } {
    if (this.current.kind === 'ended') return { ok: false, error: ErrorText.notMatched };
    const valid = validateContent(content, options.attachments);
    if (!valid.ok) return valid;
    const pending = this.outbox.add(valid.content, options);
    this.emit('outbox', this.outbox.all);
    this.sender.flush();
    return { ok: true, pending };
  }

  /**
   * Edits one of this user's messages (PROTOCOL.md Part 8); the `change` event brings the
   * edit once stored, an `error` event a refusal. Refuses at once what the server would, and
   * when not connected (nothing is queued: an edit is not worth replaying later).
   */
  edit(messageId: string, content: string): ChangeSent {
    const valid = validateContent(content);
    if (!valid.ok) return valid;
    return this.sent({ type: 'edit_message', message_id: messageId, content: valid.content });
  }

  /** Deletes one of this user's messages for everyone (see `edit`). */
  deleteMessage(messageId: string): ChangeSent {
    return this.sent({ type: 'delete_message', message_id: messageId });
  }

  /** Sets (`on`) or withdraws a reaction, one of `GET /api/chat/reactions` (see `edit`). */
  react(messageId: string, emoji: string, on = true): ChangeSent {
    return this.sent({ type: 'react', message_id: messageId, emoji, on });
  }

  /** Tells the partner whether this user is typing; false when not connected (nothing to tell). */
  sendTyping(isTyping: boolean): boolean {
    return this.transmit({ type: 'typing', is_typing: isTyping });
  }

  /** Marks the partner's messages read; false when not connected. */
  markRead(): boolean {
    return this.transmit({ type: 'mark_read' });
  }

  /** Forgets a refused message. */
  discard(clientId: string): void {
    this.outbox.discard(clientId);
    this.emit('outbox', this.outbox.all);
  }

  /** Goes quiet (the device is offline): closes the socket and stops reconnecting until `resume`. */
  pause(): void {
    if (this.current.kind === 'ended' || this.current.kind === 'paused') return;
    this.loop.stop(ClientClose.done);
    this.setState({ kind: 'paused' });
  }

  /** Reconnects now (back online, or the user asked), with the backoff reset. */
  resume(): void {
    if (this.current.kind === 'ended' || this.current.kind === 'open' || this.current.kind === 'connecting') return;
    this.loop.connectNow();
  }

  /** Ends the connection for good from this side. */
  close(): void {
    if (this.current.kind === 'ended') return;
    this.loop.stop(ClientClose.done);
    this.end('client_closed', ClientClose.done.code);
  }

  private receive(text: string): void {
    let frame: OutboundFrame;
    try {
      frame = JSON.parse(text) as OutboundFrame;
    } catch {
      return;
    }
    switch (frame.type) {
      case 'connection_established':
        this.loop.established();
        this.setState({ kind: 'open' });
        this.emit('established', { partnerOnline: frame.partner_online ?? null, paused: frame.match_state === 'paused' });
        this.sender.opened();
        return;
      case 'chat_message': {
        if ((frame as { status?: unknown }).status === 'held') {
          // Held: acknowledged (stored) but not in the pair's order, so never a resume position.
          const held = frame as unknown as HeldEchoOut;
          if (held.client_id !== undefined) this.sender.echoed(held.client_id);
          this.emit('held', held);
          return;
        }
        const { type: _type, ...message } = frame;
        this.lastMessageId = maxMessageId(this.lastMessageId, message.message_id);
        this.lastSeq = Math.max(this.lastSeq, message.seq);
        if (message.client_id !== undefined && message.sender_email !== this.partnerEmail) this.sender.echoed(message.client_id);
        this.emit('message', message);
        return;
      }
      case 'typing':
        this.emit('typing', frame.is_typing === true);
        return;
      case 'read_receipt':
        this.emit('read', { count: frame.count ?? null, lastReadId: frame.last_read_id ?? null });
        return;
      case 'presence':
        if (frame.email === this.partnerEmail) this.emit('presence', frame.online);
        return;
      case 'force_disconnect':
        this.loop.forced(frame.reason);
        return;
      case 'message_edited':
      case 'message_deleted':
      case 'reaction':
        // A resume replays the changes since the newest message it names: those seen already are dropped by `seq`.
        if (frame.seq <= this.lastSeq) return;
        this.lastSeq = frame.seq;
        this.emit('change', frame);
        return;
      case 'notice':
        this.lastMessageId = maxMessageId(this.lastMessageId, frame.message_id);
        this.lastSeq = Math.max(this.lastSeq, frame.seq);
        this.emit('notice', frame);
        return;
      case 'message_status':
        this.emit('status', frame);
        return;
      case 'match_state':
        this.emit('paused', frame.state === 'paused');
        return;
      case 'read_state':
        this.emit('readElsewhere', frame.last_read_id);
        return;
      case 'error':
        if (frame.client_id !== undefined && this.outbox.has(frame.client_id)) this.sender.refused(frame.client_id, frame);
        else {
          if (frame.code === 'rate_limited') this.sender.slowDown();
          this.emit('error', frame);
        }
        return;
    }
  }

  private sent(frame: InboundFrame): ChangeSent {
    return this.transmit(frame) ? { ok: true } : { ok: false, error: NOT_CONNECTED };
  }

  private transmit(frame: InboundFrame): boolean {
    const socket = this.loop.current;
    if (!this.isOpen || !socket || socket.readyState !== SOCKET_OPEN) return false;
    try {
      socket.send(JSON.stringify(frame));
      return true;
    } catch {
      return false;
    }
  }

  private end(reason: string, code: number): void {
    if (reason === 'unmatched' || reason === 'forbidden') {
      for (const item of this.outbox.unsent) this.outbox.mark(item.client_id, 'failed', ErrorText.notMatched);
      this.emit('outbox', this.outbox.all);
    }
    this.setState({ kind: 'ended', reason, code });
  }

  private setState(state: ConnectionState): void {
    this.current = state;
    this.emit('state', state);
  }
}
