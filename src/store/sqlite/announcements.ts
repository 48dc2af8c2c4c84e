/** SqliteStore's announcements (see AnnouncementStore in announcements.ts). */
import type Database from 'better-sqlite3';
import type { AnnouncementAudience } from '../../protocol/programme.js';
import type { Announcement, AnnouncementStore } from '../announcements.js';

interface AnnouncementRow {
  id: number;
  content: string;
  audience: AnnouncementAudience;
  created_at: number;
}

const toAnnouncement = (row: AnnouncementRow): Announcement => ({
  id: row.id,
  content: row.content,
  audience: row.audience,
  createdAt: new Date(row.created_at),
});

export class SqliteAnnouncements implements AnnouncementStore {
  private readonly sql;

  constructor(db: Database.Database) {
    this.sql = {
      create: db.prepare('INSERT INTO announcements (content, audience, created_at) VALUES (?, ?, ?) RETURNING *'),
      list: db.prepare('SELECT * FROM announcements WHERE audience IN (SELECT value FROM json_each(?)) AND id > ? ORDER BY id LIMIT ?'),
    };
  }

  async create(content: string, audience: AnnouncementAudience): Promise<Announcement> {
    return toAnnouncement(this.sql.create.get(content, audience, Date.now()) as AnnouncementRow);
  }

  async list(audiences: readonly AnnouncementAudience[], afterId: number, limit: number): Promise<Announcement[]> {
    return (this.sql.list.all(JSON.stringify(audiences), afterId, limit) as AnnouncementRow[]).map(toAnnouncement);
  }
}
