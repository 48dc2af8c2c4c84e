/** SqliteStore's attachments (see AttachmentStore in attachments.ts): files as BLOBs beside their messages. */
import { AppError } from '../../errors.js';
import { type AttachmentFile, type AttachmentInfo, type AttachmentStore, type NewAttachment } from '../attachments.js';
import { INFO, toInfo, type InfoRow } from './attachment-links.js';
import type { SqliteContext } from './context.js';
import { transaction } from './tx.js';

const DAY_MS = 24 * 3600 * 1000;

interface FileRow extends InfoRow {
  pair_id: number;
  uploader_id: number;
  created_at: number;
  message_id: number | null;
  held_id: number | null;
  bytes: Buffer;
}

export class SqliteAttachments implements AttachmentStore {
  private readonly sql;

  constructor(private readonly context: SqliteContext) {
    const p = (source: string) => context.db.prepare(source);
    this.sql = {
      uploaderInActivePair: p('SELECT 1 FROM pairs WHERE id = ? AND active = 1 AND (mentor_id = ? OR mentee_id = ?)'),
      usedSince: p('SELECT coalesce(sum(size), 0) AS used FROM attachments WHERE uploader_id = ? AND created_at > ?'),
      insert: p(`INSERT INTO attachments (pair_id, uploader_id, name, content_type, size, bytes, created_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING ${INFO}`),
      byId: p(`SELECT ${INFO}, pair_id, uploader_id, created_at, message_id, held_id, bytes FROM attachments WHERE id = ?`),
      unsent: p(
        `SELECT ${INFO} FROM attachments WHERE id IN (SELECT value FROM json_each(?)) AND pair_id = ? AND uploader_id = ? AND message_id IS NULL AND held_id IS NULL`,
      ),
      deleteUnsent: p(
        'DELETE FROM attachments WHERE id IN (SELECT id FROM attachments WHERE message_id IS NULL AND held_id IS NULL AND created_at < ? LIMIT ?)',
      ),
    };
  }

  async create(file: NewAttachment): Promise<AttachmentInfo> {
    return transaction(this.context.db, () => {
      if (!this.sql.uploaderInActivePair.get(file.pairId, file.uploaderId, file.uploaderId)) throw new AppError('not_matched');
      const now = Date.now();
      const { used } = this.sql.usedSince.get(file.uploaderId, now - DAY_MS) as { used: number };
      if (used + file.bytes.length > file.dailyLimitBytes) throw new AppError('attachment_quota');
      const row = this.sql.insert.get(file.pairId, file.uploaderId, file.name, file.contentType, file.bytes.length, Buffer.from(file.bytes), now) as InfoRow;
      return toInfo(row);
    });
  }

  async byId(id: number): Promise<AttachmentFile | null> {
    const row = this.sql.byId.get(id) as FileRow | undefined;
    if (!row) return null;
    return {
      ...toInfo(row),
      pairId: row.pair_id,
      uploaderId: row.uploader_id,
      createdAt: new Date(row.created_at),
      messageId: row.message_id,
      heldId: row.held_id,
      bytes: new Uint8Array(row.bytes),
    };
  }

  async unsent(pairId: number, uploaderId: number, ids: readonly number[]): Promise<AttachmentInfo[]> {
    if (ids.length === 0) return [];
    const rows = (this.sql.unsent.all(JSON.stringify(ids), pairId, uploaderId) as InfoRow[]).map(toInfo);
    return ids.flatMap((id) => rows.filter((row) => row.id === id));
  }

  async deleteUnsentBefore(cutoff: Date, limit: number): Promise<number> {
    return this.sql.deleteUnsent.run(cutoff.getTime(), limit).changes;
  }
}
