/** The Store's announcements (PROTOCOL.md Part 9): what coordinators told the programme. */
import type { AnnouncementAudience } from '../protocol/programme.js';

export interface Announcement {
  id: number;
  content: string;
  audience: AnnouncementAudience;
  createdAt: Date;
}

export interface AnnouncementStore {
  create(content: string, audience: AnnouncementAudience): Promise<Announcement>;
  /** The announcements for any of `audiences` with an id above `afterId`, oldest first, at most `limit`. */
  list(audiences: readonly AnnouncementAudience[], afterId: number, limit: number): Promise<Announcement[]>;
}
