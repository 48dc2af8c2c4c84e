/**
 * Local fan-out: one layer subscription per room per process, taken on the room's first local
 * connection and dropped after its last (`SharedSubscriptions`).
 * Each layer event is encoded into its outbound frame once and handed to every local member
 * of the room; members decide whether it is for them (typing is never echoed to its sender).
 */
import type { ChannelLayer, Unsubscribe } from '../layer/index.js';
import { observeFanout } from '../metrics.js';
import { encodeFrame } from '../protocol/encode.js';
import type { BroadcastEvent, ChannelEvent, RoomEvent } from '../protocol/events.js';
import type { OutboundFrame } from '../protocol/frames.js';
import { isAddressed, type AnnouncementOut } from '../protocol/programme.js';
import type { Role } from '../store/index.js';
import { SharedSubscriptions, type Group } from '../subscriptions/shared-subscriptions.js';
import type { CheckedRoom } from './delivery-check.js';

/** A local connection as the hub sees it. */
export interface RoomMember {
  /** Hash of the session the connection authenticated with (revocation finds it by this). */
  readonly sessionHash: string;
  /** The pair whose room this is (every member of a room has the same). */
  readonly pairId: number;
  /** The role of the connection's user: who an announcement is for. */
  readonly role: Role;
  deliver(event: RoomEvent, frame: string): void;
  forceDisconnect(reason: string): void;
  /** A coordinator's announcement for this connection's user. */
  announce(frame: AnnouncementOut): void;
  /** Events may have been lost: fetch from the store whatever was missed. */
  catchUp(): void;
  /** The store has messages up to `seq`: fetch whichever this member has not had. */
  catchUpTo(seq: number): void;
}

class Room implements CheckedRoom, Group<RoomMember> {
  readonly members = new Set<RoomMember>();
  seenSeq = 0;

  constructor(readonly pairId: number) {}

  /** A live message: its `seq` was handed to every member (each fills any gap before it itself). */
  saw(seq: number): void {
    if (seq > this.seenSeq) this.seenSeq = seq;
  }

  catchUpTo(seq: number): void {
    if (seq <= this.seenSeq) return;
    this.seenSeq = seq;
    for (const member of [...this.members]) member.catchUpTo(seq);
  }
}

export class Hub {
  private readonly rooms: SharedSubscriptions<string, RoomMember, Unsubscribe, Room>;
  private readonly bySession = new Map<string, Set<RoomMember>>();
  private readonly stopBroadcasts: () => void;
  private readonly stopReconnects: () => void;
  private readonly retries = new Set<NodeJS.Timeout>();
  private closed = false;

  constructor(private readonly layer: ChannelLayer) {
    this.rooms = new SharedSubscriptions({
      create: (_name, first) => new Room(first.pairId),
      subscribe: (name, room) => layer.subscribe(name, (event) => this.dispatch(room, event)),
      unsubscribe: async (_name, subscribed) => (await subscribed)(),
    });
    this.stopBroadcasts = layer.onBroadcast((event) => this.onBroadcast(event));
    this.stopReconnects = layer.onReconnect(() => {
      for (const member of [...this.members()]) member.catchUp();
    });
  }

  /** False while the layer cannot carry events; see `ChannelLayer.isUp`. */
  get layerUp(): boolean {
    return this.layer.isUp();
  }

  /** Adds a member; resolves once the room's layer subscription is live. */
  async join(name: string, member: RoomMember): Promise<void> {
    this.track(member);
    try {
      await this.rooms.join(name, member);
    } catch (error) {
      this.untrack(member);
      throw error;
    }
  }

  /** Removes a member; the last one out drops the room's layer subscription. */
  async leave(name: string, member: RoomMember): Promise<void> {
    this.untrack(member);
    await this.rooms.leave(name, member);
  }

  publish(name: string, event: RoomEvent): Promise<void> {
    return this.layer.publish(name, event);
  }

  /**
   * Publishes an event that must not be lost (a stored message whose first publish failed),
   * retrying until the layer takes it or `giveUpMs` passes. Receivers drop repeats by `seq`,
   * so a late or repeated publish is harmless.
   */
  publishEventually(name: string, event: RoomEvent, onGiveUp: (error: unknown) => void, giveUpMs = 60_000): void {
    const deadline = Date.now() + giveUpMs;
    const attempt = (delayMs: number) => {
      const timer = setTimeout(() => {
        this.retries.delete(timer);
        this.layer.publish(name, event).catch((error: unknown) => {
          if (Date.now() >= deadline || this.closed) onGiveUp(error);
          else attempt(Math.min(delayMs * 2, 2000));
        });
      }, delayMs);
      this.retries.add(timer);
    };
    attempt(100);
  }

  /** Closes every local connection of a session, on this instance (see `revokeSession`). */
  async revokeSession(sessionHash: string, reason: string): Promise<void> {
    await this.layer.broadcast({ kind: 'session_revoked', token_hash: sessionHash, reason });
  }

  /** Number of local connections, for metrics and tests. */
  get connectionCount(): number {
    let count = 0;
    for (const members of this.bySession.values()) count += members.size;
    return count;
  }

  /** The rooms with local members, for the delivery check. */
  checkedRooms(): Iterable<CheckedRoom> {
    return this.rooms.groups();
  }

  /** Every local member, e.g. to close them all at shutdown. */
  *members(): Iterable<RoomMember> {
    for (const members of this.bySession.values()) yield* members;
  }

  close(): void {
    this.closed = true;
    this.stopBroadcasts();
    this.stopReconnects();
    for (const timer of this.retries) clearTimeout(timer);
    this.retries.clear();
  }

  private dispatch(room: Room, event: ChannelEvent): void {
    // A pair's room carries room events only; a user's channel is the UserChannels' own.
    if (event.kind === 'user_frame' || event.kind === 'unread_changed') return;
    if (event.kind === 'chat_message') room.saw(event.message.seq);
    if (event.kind === 'notice') room.saw(event.notice.seq);
    if (event.kind === 'change') room.saw(event.change.seq);
    if (room.members.size === 0) return;
    if (event.kind === 'chat_message') observeFanout(event.message.timestamp);
    const frame = encodeFrame(toFrame(event));
    for (const member of [...room.members]) member.deliver(event, frame);
  }

  private onBroadcast(event: BroadcastEvent): void {
    if (event.kind === 'announcement') {
      for (const members of this.bySession.values()) for (const member of members) if (isAddressed(member.role, event.audience)) member.announce(event.frame);
      return;
    }
    if (event.kind !== 'session_revoked') return;
    const members = this.bySession.get(event.token_hash);
    if (!members) return;
    for (const member of [...members]) member.forceDisconnect(event.reason);
  }

  private track(member: RoomMember): void {
    let members = this.bySession.get(member.sessionHash);
    if (!members) this.bySession.set(member.sessionHash, (members = new Set()));
    members.add(member);
  }

  private untrack(member: RoomMember): void {
    const members = this.bySession.get(member.sessionHash);
    if (members?.delete(member) && members.size === 0) this.bySession.delete(member.sessionHash);
  }
}

function toFrame(event: RoomEvent): OutboundFrame {
  switch (event.kind) {
    case 'chat_message':
      return { type: 'chat_message', ...event.message };
    case 'typing':
      return { type: 'typing', sender_email: event.sender_email, is_typing: event.is_typing };
    case 'read_receipt':
      return { type: 'read_receipt', reader_email: event.reader_email, count: event.count, last_read_id: event.last_read_id };
    case 'read_state':
      return { type: 'read_state', partner_email: event.partner_email, last_read_id: event.last_read_id, unread_count: 0 };
    case 'presence':
      return { type: 'presence', email: event.email, online: event.online };
    case 'match_state':
      return { type: 'match_state', state: event.state };
    case 'force_disconnect':
      return { type: 'force_disconnect', reason: event.reason };
    case 'notice':
      return event.notice;
    case 'change':
      return event.change;
    case 'message_status':
      return event.status;
  }
}
