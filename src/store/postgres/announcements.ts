/** PostgresStore's announcements (see AnnouncementStore in announcements.ts). */
import type { AnnouncementAudience } from '../../protocol/programme.js';
import type { Announcement, AnnouncementStore } from '../announcements.js';
import type { PostgresContext } from './context.js';
import { rowsOf } from './pool.js';

interface AnnouncementRow {
  id: number;
  content: string;
  audience: AnnouncementAudience;
  created_at: Date;
}

const toAnnouncement = (row: AnnouncementRow): Announcement => ({ id: row.id, content: row.content, audience: row.audience, createdAt: row.created_at });

export class PostgresAnnouncements implements AnnouncementStore {
  constructor(private readonly context: PostgresContext) {}

  async create(content: string, audience: AnnouncementAudience): Promise<Announcement> {
    const [row] = await rowsOf<AnnouncementRow>(
      this.context.pool(),
      'INSERT INTO announcements (content, audience, created_at) VALUES ($1, $2, now()) RETURNING *',
      [content, audience],
    );
    return toAnnouncement(row!);
  }

  async list(audiences: readonly AnnouncementAudience[], afterId: number, limit: number): Promise<Announcement[]> {
    const rows = await rowsOf<AnnouncementRow>(
      this.context.pool(),
      'SELECT * FROM announcements WHERE audience = ANY($1::text[]) AND id > $2 ORDER BY id LIMIT $3',
      [audiences, afterId, limit],
    );
    return rows.map(toAnnouncement);
  }
}
