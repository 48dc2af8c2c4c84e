/** A coordinator's announcements (PROTOCOL.md Part 9): who they are for, and how they reach a connection. */

/** Who an announcement is for: every mentor and mentee, or one side. */
export const ANNOUNCEMENT_AUDIENCES = ['all', 'mentors', 'mentees'] as const;
export type AnnouncementAudience = (typeof ANNOUNCEMENT_AUDIENCES)[number];

/** An announcement as `GET /api/announcements` lists it. */
export interface AnnouncementEntry {
  announcement_id: string;
  content: string;
  audience: AnnouncementAudience;
  timestamp: string;
}

/** The frame every open connection of an addressed user gets, chat sockets and `/ws/me/` alike. */
export interface AnnouncementOut {
  type: 'announcement';
  announcement_id: string;
  content: string;
  timestamp: string;
}

/** Whether a user of `role` is in `audience`: mentors and mentees are; admins read the list instead. */
export function isAddressed(role: 'MENTOR' | 'MENTEE' | 'ADMIN', audience: AnnouncementAudience): boolean {
  return role === 'MENTOR' ? audience !== 'mentees' : role === 'MENTEE' ? audience !== 'mentors' : false;
}
