/**
 * Users' own channels: the layer channel of a user carries what concerns them across
 * conversations (a new match, an ended one, a pause, a read elsewhere, an unread count) to
 * their event streams (`/ws/me/`) on every instance. As the hub does for rooms, one layer
 * subscription per user per process, taken on the user's first local stream and dropped after
 * the last (`SharedSubscriptions`). Logout closes a session's streams. After a layer
 * reconnect events may have been lost, so every stream is closed with a resume code: its
 * client reconnects and re-reads.
 */
import type { ChannelLayer, Unsubscribe } from '../layer/index.js';
import type { UserEvent } from '../protocol/events.js';
import { isAddressed } from '../protocol/programme.js';
import type { AdminTopic, UserStreamFrame } from '../protocol/user-stream.js';
import type { Role } from '../store/index.js';
import { SharedSubscriptions } from '../subscriptions/shared-subscriptions.js';

/** A local event stream as the channels see it. */
export interface StreamMember {
  readonly userId: number;
  /** Who an announcement is for. */
  readonly role: Role;
  readonly sessionHash: string;
  deliver(event: UserEvent): void;
  forceDisconnect(reason: string): void;
  /** Events may have been lost: the stream catches up by ending, so that its client re-reads the state. */
  catchUp(): void;
}

/** The layer channel of one user; room names start with `chat_`, so the two never meet. */
export function userChannel(userId: number): string {
  return `user_${userId}`;
}

export class UserChannels {
  private readonly channels: SharedSubscriptions<number, StreamMember, Unsubscribe>;
  private readonly stopBroadcasts: () => void;
  private readonly stopReconnects: () => void;
  /** `unread_changed` waiting for the end of the turn, one per recipient and pair. */
  private unread = new Map<string, { userId: number; event: UserEvent }>();
  private flushing: NodeJS.Immediate | undefined;

  constructor(private readonly layer: ChannelLayer) {
    this.channels = new SharedSubscriptions({
      create: () => ({ members: new Set<StreamMember>() }),
      subscribe: (userId, channel) =>
        layer.subscribe(userChannel(userId), (event) => {
          if (event.kind !== 'user_frame' && event.kind !== 'unread_changed') return;
          for (const each of [...channel.members]) each.deliver(event);
        }),
      unsubscribe: async (_userId, subscribed) => (await subscribed)(),
    });
    this.stopBroadcasts = layer.onBroadcast((event) => {
      if (event.kind === 'announcement') {
        for (const member of this.members()) if (isAddressed(member.role, event.audience)) member.deliver({ kind: 'user_frame', frame: event.frame });
        return;
      }
      if (event.kind === 'admin_changed') {
        const frame = { type: 'admin_changed', what: event.what } as const;
        for (const member of this.members()) if (member.role === 'ADMIN') member.deliver({ kind: 'user_frame', frame });
        return;
      }
      if (event.kind !== 'session_revoked') return;
      for (const member of this.members()) if (member.sessionHash === event.token_hash) member.forceDisconnect(event.reason);
    });
    this.stopReconnects = layer.onReconnect(() => {
      for (const member of this.members()) member.catchUp();
    });
  }

  /** Adds a stream; resolves once its user's channel is live. */
  async join(member: StreamMember): Promise<void> {
    await this.channels.join(member.userId, member);
  }

  /** Removes a stream; the user's last local one drops the channel's subscription. */
  async leave(member: StreamMember): Promise<void> {
    await this.channels.leave(member.userId, member);
  }

  /** Sends `event` to every stream of the user, on every instance. */
  publish(userId: number, event: UserEvent): Promise<void> {
    return this.layer.publish(userChannel(userId), event);
  }

  /**
   * Tells the recipient's streams that their unread count with `partnerEmail` changed: once
   * per recipient and pair per event-loop turn, however many messages the turn stored (the
   * stream reads the count itself), so a burst costs one publish.
   */
  unreadChanged(recipientId: number, pairId: number, partnerEmail: string, onError: (error: unknown) => void): void {
    this.unread.set(`${recipientId}:${pairId}`, { userId: recipientId, event: { kind: 'unread_changed', pair_id: pairId, partner_email: partnerEmail } });
    this.flushing ??= setImmediate(() => {
      this.flushing = undefined;
      const pending = this.unread;
      this.unread = new Map();
      for (const { userId, event } of pending.values()) this.publish(userId, event).catch(onError);
    });
  }

  /**
   * Sends `frame` to each user's streams. The change it announces is already stored, so a
   * failed publish loses only the live notice: it is reported to `onError`, never thrown.
   */
  announce(userId: number, frame: UserStreamFrame, onError: (error: unknown) => void): Promise<void> {
    return this.publish(userId, { kind: 'user_frame', frame }).catch(onError);
  }

  /**
   * Tells every admin's event stream, on every instance, that `what` changed. The change is
   * already stored: a failed broadcast loses only the live signal (pages re-read on reconnect).
   */
  toAdmins(what: AdminTopic, onError: (error: unknown) => void): Promise<void> {
    return this.layer.broadcast({ kind: 'admin_changed', what }).catch(onError);
  }

  /** Local streams, for tests and metrics. */
  get size(): number {
    let count = 0;
    for (const channel of this.channels.groups()) count += channel.members.size;
    return count;
  }

  close(): void {
    clearImmediate(this.flushing);
    this.stopBroadcasts();
    this.stopReconnects();
  }

  private *members(): Iterable<StreamMember> {
    for (const channel of [...this.channels.groups()]) yield* [...channel.members];
  }
}
