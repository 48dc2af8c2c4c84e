/**
 * What a connection receives: frame → rate limit → parse → dispatch. A `chat_message` is
 * stored, then published to the room; `typing` and `mark_read` become room events. It never
 * writes to the socket: every answer goes to the outbound, which puts it in its place.
 */
import type { ChatLimits } from '../config.js';
import { AppError, isAppError } from '../errors.js';
import { frameRejectReason, recordFrameRejected } from '../metrics.js';
import { CloseCode } from '../protocol/close-codes.js';
import { encodeFrame } from '../protocol/encode.js';
import type { RoomEvent } from '../protocol/events.js';
import { ErrorText, type ChatMessageIn, type ErrorOut } from '../protocol/frames.js';
import { clientIdOf, parseFrame } from '../protocol/parse.js';
import type { MessageFilter } from '../moderation/filter.js';
import type { AttachmentStore, Message, MessageStore, ModerationStore, User } from '../store/index.js';
import type { Hub } from './hub.js';
import type { OwnMessage } from './message-feed.js';
import type { Outbound } from './outbound.js';
import { TokenBucket } from './rate-limit.js';
import { announceRead, announceUnread } from './announce.js';
import { takeChange, type ChangeDeps, type ChangeFrame } from './changes.js';
import type { ConversationConfig } from '../config-types.js';
import type { UserChannels } from './user-channels.js';
import { toHeldEcho, toWireMessage } from './wire-message.js';

/** The inbound's collaborators: it writes only through `outbound`, and closes only through `close`. */
export interface InboundDeps {
  store: {
    messages: Pick<MessageStore, 'append' | 'appendUnlessHeld' | 'markRead'>;
    moderation: Pick<ModerationStore, 'hold'>;
    attachments: Pick<AttachmentStore, 'unsent'>;
    changes: ChangeDeps['changes'];
  };
  /** Part 8's settings: the edit window, deleted messages' retention, the reactions. */
  conversation: ConversationConfig;
  /** Policy `moderated`: the filter that holds messages for review; absent otherwise. */
  filter?: MessageFilter | null;
  hub: Pick<Hub, 'layerUp' | 'publish' | 'publishEventually'>;
  limits: ChatLimits;
  onError: (error: unknown, context: string) => void;
  outbound: Pick<Outbound, 'own' | 'refuse' | 'offer'>;
  /** The rate shared by all of this user's connections on the instance; one token per frame. */
  userRate: { take(): boolean };
  /** Persistent flooding: the connection must close with `close` (after what it stored is echoed). */
  close(close: { code: number; reason: string }): void;
  user: User;
  partner: User;
  pairId: number;
  room: string;
  /** This connection's id (a read it makes is not echoed to it as `read_state`). */
  connectionId: string;
  channels: Pick<UserChannels, 'announce' | 'unreadChanged' | 'toAdmins'>;
}

/** One connection's frames, taken in arrival order; each gets its answer's place at once. */
export class Inbound {
  /** Frames that came before `open`; `null` once taking. */
  private early: Array<[Buffer, boolean]> | null = [];
  private stopped = false;
  private readonly bucket: TokenBucket;
  private rateLimitedInARow = 0;
  /** This connection last said it was typing. */
  private typing = false;
  /** Messages taken and not yet stored and published (or refused), and who waits for none. */
  private inFlight = 0;
  private readonly whenSettled: Array<() => void> = [];

  constructor(private readonly deps: InboundDeps) {
    this.bucket = new TokenBucket(deps.limits.ratePerSecond, deps.limits.rateBurst);
  }

  /** A frame from the socket: it waits for `open`, and is dropped after `stop`. */
  receive(data: Buffer, isBinary: boolean): void {
    if (this.stopped) return;
    if (this.early) this.early.push([data, isBinary]);
    else this.take(data, isBinary);
  }

  /** Takes the frames that waited, in order, then every frame as it comes. */
  open(): void {
    const early = this.early ?? [];
    this.early = null;
    for (const [data, isBinary] of early) if (!this.stopped) this.take(data, isBinary);
  }

  /** Takes no more frames; those in flight go on. */
  stop(): void {
    this.stopped = true;
    this.early = null;
  }

  /** Resolves once every message taken so far is stored and published, or refused. */
  settled(): Promise<void> {
    if (this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.whenSettled.push(resolve));
  }

  /** The connection closed: takes no more frames; answers whether it left a "typing…" behind. */
  closed(): boolean {
    this.stop();
    return this.typing;
  }

  /** Withdraws the "typing…" this connection left behind: it was the user's last in the room. */
  withdrawTyping(): void {
    this.publish({ kind: 'typing', sender_id: this.deps.user.id, sender_email: this.deps.user.email, is_typing: false });
  }

  private take(data: Buffer, isBinary: boolean): void {
    if (!this.bucket.take() || !this.deps.userRate.take()) {
      if (++this.rateLimitedInARow >= this.deps.limits.floodCloseAfter) {
        recordFrameRejected('rate_limited');
        this.stop();
        return this.deps.close(CloseCode.policy);
      }
      return this.refuse(ErrorText.rateLimited, 'rate_limited', isBinary ? undefined : clientIdOf(data.toString('utf8')));
    }
    this.rateLimitedInARow = 0;
    if (isBinary) return this.refuse(ErrorText.binaryFrame);
    const parsed = parseFrame(data.toString('utf8'));
    if (!parsed.ok) return this.refuse(parsed.error, undefined, parsed.clientId);
    const frame = parsed.frame;
    switch (frame.type) {
      case 'chat_message':
        return this.storeAndPublish(frame);
      case 'typing':
        this.typing = frame.is_typing === true;
        return this.publish({ kind: 'typing', sender_id: this.deps.user.id, sender_email: this.deps.user.email, is_typing: this.typing });
      case 'mark_read':
        return this.markRead();
      case 'edit_message':
      case 'delete_message':
      case 'react':
        return this.change(frame);
    }
  }

  private storeAndPublish(frame: ChatMessageIn): void {
    const { store, hub, user, pairId } = this.deps;
    if (!hub.layerUp) return this.refuse(ErrorText.unavailable, 'unavailable', frame.client_id);
    const slot = this.deps.outbound.own();
    this.inFlight++;
    const attachmentIds = frame.attachments?.map(Number) ?? [];
    const input = {
      pairId,
      senderId: user.id,
      content: frame.content,
      clientId: frame.client_id ?? null,
      replyTo: frame.reply_to === undefined ? null : Number(frame.reply_to),
      attachmentIds,
    };
    // The filter runs before anything is stored: a held message never enters the pair's
    // messages, so no path that reads or publishes them can carry it to the partner. Under
    // moderation a message with files is held too: an admin looks at them first.
    const filtered = this.deps.filter?.check(frame.content, { pairId, senderId: user.id }) ?? null;
    const match = filtered ?? (this.deps.filter && attachmentIds.length > 0 ? { rule: 'attachment', text: '' } : null);
    // Under moderation a retry whose original is held gets it back, whatever its content now:
    // the store checks that with the append, in the same transaction on SQLite.
    const append = this.deps.filter
      ? () =>
          store.messages
            .appendUnlessHeld(input)
            .then((result) =>
              'held' in result ? slot.answer(encodeFrame(toHeldEcho(result.held, user))) : this.publishStored(result.message, result.created, slot),
            )
      : () => store.messages.append(input).then(({ message, created }) => this.publishStored(message, created, slot));
    const storeIt = () =>
      match === null
        ? append()
        : store.moderation.hold({ ...input, rule: match.rule, matched: match.text }).then((result) => {
            if ('message' in result) return this.publishStored(result.message, false, slot);
            slot.answer(encodeFrame(toHeldEcho(result.held, user)));
            void this.deps.channels.toAdmins('held', (error) => this.deps.onError(error, 'signalling admins'));
          });
    // Files must be the sender's unsent uploads to the pair. A retry (a `client_id`) is let
    // through: its files were sent with its original, which the store gives back.
    const stored =
      attachmentIds.length === 0
        ? storeIt()
        : store.attachments.unsent(pairId, user.id, attachmentIds).then((found) => {
            if (found.length !== attachmentIds.length && input.clientId === null) throw new AppError('attachment_unavailable');
            return storeIt();
          });
    stored
      .catch((error: unknown) => {
        if (isAppError(error) && error.code === 'not_matched') {
          recordFrameRejected('not_matched');
          return slot.answer(encodeFrame(refusal(ErrorText.notMatched, 'not_matched', frame.client_id)));
        }
        if (isAppError(error) && error.code === 'attachment_unavailable') {
          recordFrameRejected('attachment_unavailable');
          return slot.answer(encodeFrame(refusal(ErrorText.attachmentUnavailable, 'attachment_unavailable', frame.client_id)));
        }
        if (isAppError(error) && error.code === 'match_paused') {
          recordFrameRejected('match_paused');
          return slot.answer(encodeFrame(refusal(ErrorText.matchPaused, 'match_paused', frame.client_id)));
        }
        if (isAppError(error) && error.code === 'message_not_found') {
          recordFrameRejected('change_refused');
          return slot.answer(encodeFrame(refusal(ErrorText.badReplyTarget, 'message_not_found', frame.client_id)));
        }
        recordFrameRejected('unavailable');
        this.deps.onError(error, 'storing a message');
        slot.answer(encodeFrame(refusal(ErrorText.unavailable, 'unavailable', frame.client_id)));
      })
      .finally(() => this.settledOne());
  }

  private async publishStored(message: Message, created: boolean, slot: OwnMessage): Promise<void> {
    const { hub, user, room, onError, outbound } = this.deps;
    const wire = toWireMessage(message, user, this.deps.partner);
    // Encoded here only off the usual path: normally the hub encodes once for the room.
    const encoded = () => encodeFrame({ type: 'chat_message', ...wire });
    const event: RoomEvent = { kind: 'chat_message', message: wire };
    // A retry gets the original, to this connection only, once and in `seq` order (see
    // `OwnMessage.original`). It is published again all the same: its first attempt may have
    // been stored by an instance that died before publishing it, and receivers drop a `seq`
    // they already have.
    if (!created) slot.original(wire.seq, encoded());
    try {
      await hub.publish(room, event);
    } catch (error) {
      // Stored, so acknowledged: the echo goes out now, and the room gets the message
      // as soon as the layer takes it again.
      onError(error, 'publishing a stored message');
      outbound.offer(wire.seq, encoded());
      hub.publishEventually(room, event, (lost) => onError(lost, 'republishing a stored message'));
    }
    if (created) {
      slot.stored(wire.seq);
      announceUnread(this.announcer(), this.deps.partner, user, this.deps.pairId);
    }
  }

  /** An edit, deletion or reaction: in flight like a message until stored and published, or answered. */
  private change(frame: ChangeFrame): void {
    const { store, conversation, filter, hub, outbound, onError, user, partner, pairId, room } = this.deps;
    this.inFlight++;
    const deps = {
      changes: store.changes,
      conversation,
      filter: filter ?? null,
      hub,
      outbound,
      announcer: this.announcer(),
      onError,
      user,
      partner,
      pairId,
      room,
    };
    void takeChange(deps, frame).finally(() => this.settledOne());
  }

  private settledOne(): void {
    if (--this.inFlight > 0) return;
    for (const resolve of this.whenSettled.splice(0)) resolve();
  }

  private markRead(): void {
    this.deps.store.messages.markRead(this.deps.pairId, this.deps.user.id).then(
      // Nothing marked, nothing to tell: a repeated mark_read sends the partner no frame.
      (result) => {
        if (result.count > 0) void announceRead(this.announcer(), this.deps.pairId, this.deps.user, this.deps.partner, result, this.deps.connectionId);
      },
      (error: unknown) => {
        this.deps.onError(error, 'marking messages read');
        this.refuse(ErrorText.unavailable, 'unavailable');
      },
    );
  }

  private announcer() {
    const { hub, channels, onError } = this.deps;
    return { hub, channels, onError: (error: unknown) => onError(error, 'announcing a change') };
  }

  private publish(event: RoomEvent): void {
    this.deps.hub.publish(this.deps.room, event).catch((error: unknown) => this.deps.onError(error, `publishing ${event.kind}`));
  }

  private refuse(message: string, code?: string, clientId?: string): void {
    recordFrameRejected(frameRejectReason(message));
    this.deps.outbound.refuse(refusal(message, code, clientId));
  }
}

function refusal(message: string, code?: string, clientId?: string): ErrorOut {
  const frame: ErrorOut = { type: 'error', message };
  if (code !== undefined) frame.code = code;
  if (clientId !== undefined) frame.client_id = clientId;
  return frame;
}
