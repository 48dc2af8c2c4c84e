/**
 * The frames of a user's event stream, `/ws/me/` (PROTOCOL.md Part 7, "A user's event
 * stream"): what concerns the user across conversations. The stream carries signals, not
 * history: after every (re)connect a client re-reads `GET /api/chat/conversations`, and the
 * stream's subscription is live before `connection_established`, so nothing falls between.
 */
import type { MatchStateOut, ReadStateOut } from './frames.js';
import type { PublicUser } from './http.js';
import type { AnnouncementOut } from './announcements.js';

export type { MatchStateOut, ReadStateOut };

export const STREAM_CONNECTED_TEXT = 'Connected to events' as const;

export interface StreamEstablishedOut {
  type: 'connection_established';
  message: typeof STREAM_CONNECTED_TEXT;
}
/** The user was matched (or re-matched) with `partner`. */
export interface MatchCreatedOut {
  type: 'match_created';
  partner: PublicUser;
}
/** The match with `partner_email` ended; the conversation is archived. */
export interface MatchEndedOut {
  type: 'match_ended';
  partner_email: string;
  reason: string;
}
/** The number of unread messages from `partner_email` changed. */
export interface UnreadOut {
  type: 'unread';
  partner_email: string;
  unread_count: number;
}

/** What an admin's page shows and another instance may change: the held queue, reports, pairs and matches, webhook deliveries, or any audited decision. */
export const ADMIN_TOPICS = ['held', 'reports', 'matches', 'deliveries', 'audit'] as const;
export type AdminTopic = (typeof ADMIN_TOPICS)[number];

/**
 * To admins' streams only: something they see changed, on some instance. A signal, not the
 * data: the page re-reads `GET /api/admin/counts` and the lists of `what`.
 */
export interface AdminChangedOut {
  type: 'admin_changed';
  what: AdminTopic;
}

export type UserStreamFrame = MatchCreatedOut | MatchEndedOut | MatchStateOut | ReadStateOut | UnreadOut | AnnouncementOut | AdminChangedOut;
export type UserStreamOutbound = StreamEstablishedOut | UserStreamFrame;
