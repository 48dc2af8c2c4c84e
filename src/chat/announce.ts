/**
 * What Tandem tells the people concerned once a change is stored: the pair's room (its chat
 * sockets) and each user's own channel (their event streams), on every instance. The change
 * is already durable when these run, so a failed publish loses only a live notice: it is
 * reported to `onError` and never thrown. Clients re-read the state after a reconnect.
 */
import type { Match, ReadResult, User } from '../store/index.js';
import type { Hub } from './hub.js';
import { roomName } from './room.js';
import type { UserChannels } from './user-channels.js';
import { readReceiptEvent } from './wire-message.js';

export interface Announcer {
  hub: Pick<Hub, 'publish'>;
  channels: Pick<UserChannels, 'announce' | 'unreadChanged'>;
  onError: (error: unknown) => void;
}

const publicPartner = (user: User) => ({ email: user.email, first_name: user.firstName, last_name: user.lastName, role: user.role });

/** A match started (or a former pair was matched again): both people's streams hear of it. */
export async function announceMatchCreated({ channels, onError }: Announcer, match: Match): Promise<void> {
  await Promise.all([
    channels.announce(match.mentor.id, { type: 'match_created', partner: publicPartner(match.mentee) }, onError),
    channels.announce(match.mentee.id, { type: 'match_created', partner: publicPartner(match.mentor) }, onError),
  ]);
}

/** A match ended: the pair's sockets get `force_disconnect`, both streams `match_ended`. */
export async function announceMatchEnded({ hub, channels, onError }: Announcer, match: Match, reason: string): Promise<void> {
  await Promise.all([
    hub.publish(roomName(match.pairId), { kind: 'force_disconnect', reason }).catch(onError),
    channels.announce(match.mentor.id, { type: 'match_ended', partner_email: match.mentee.email, reason }, onError),
    channels.announce(match.mentee.id, { type: 'match_ended', partner_email: match.mentor.email, reason }, onError),
  ]);
}

/** A match was paused or resumed: the pair's sockets and both streams get `match_state`. */
export async function announceMatchState({ hub, channels, onError }: Announcer, match: Match): Promise<void> {
  const state = match.paused ? 'paused' : 'active';
  await Promise.all([
    hub.publish(roomName(match.pairId), { kind: 'match_state', state }).catch(onError),
    channels.announce(match.mentor.id, { type: 'match_state', partner_email: match.mentee.email, state }, onError),
    channels.announce(match.mentee.id, { type: 'match_state', partner_email: match.mentor.email, state }, onError),
  ]);
}

/**
 * `reader` marked `partner`'s messages read (`result.count` > 0): the partner's sockets get
 * `read_receipt`; the reader's other sockets to the pair (not `origin`, the one that read)
 * and the reader's streams get `read_state`.
 */
export async function announceRead(
  { hub, channels, onError }: Announcer,
  pairId: number,
  reader: User,
  partner: User,
  result: ReadResult,
  origin: string | null,
): Promise<void> {
  const room = roomName(pairId);
  const lastReadId = result.lastReadId === null ? null : String(result.lastReadId);
  await Promise.all([
    hub.publish(room, readReceiptEvent(reader, result)).catch(onError),
    hub.publish(room, { kind: 'read_state', reader_id: reader.id, partner_email: partner.email, last_read_id: lastReadId, origin }).catch(onError),
    channels.announce(reader.id, { type: 'read_state', partner_email: partner.email, last_read_id: lastReadId, unread_count: 0 }, onError),
  ]);
}

/** A message to `recipient` was stored: their streams read the new unread count (one notice per turn, see `UserChannels.unreadChanged`). */
export function announceUnread({ channels, onError }: Announcer, recipient: User, sender: User, pairId: number): void {
  channels.unreadChanged(recipient.id, pairId, sender.email, onError);
}
