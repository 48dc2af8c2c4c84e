/** PostgresStore's attachments (see AttachmentStore in attachments.ts): files as bytea beside their messages. */
import { AppError } from '../../errors.js';
import type { AttachmentFile, AttachmentInfo, AttachmentStore, NewAttachment } from '../attachments.js';
import { INFO, toInfo, type InfoRow } from './attachment-links.js';
import { inTransaction, rowsOf } from './pool.js';
import type { PostgresContext } from './context.js';

interface FileRow extends InfoRow {
  pair_id: number;
  uploader_id: number;
  created_at: Date;
  message_id: number | null;
  held_id: number | null;
  bytes: Buffer;
}

export class PostgresAttachments implements AttachmentStore {
  constructor(private readonly context: PostgresContext) {}

  async create(file: NewAttachment): Promise<AttachmentInfo> {
    return inTransaction(this.context.pool(), async (tx) => {
      // The uploader's row lock orders their uploads on every instance: the quota is read and kept in one step.
      const [pair] = await rowsOf<{ id: number }>(
        tx,
        `SELECT p.id FROM pairs p, LATERAL (SELECT 1 FROM users WHERE id = $2 FOR UPDATE) u
         WHERE p.id = $1 AND p.active AND (p.mentor_id = $2 OR p.mentee_id = $2)`,
        [file.pairId, file.uploaderId],
      );
      if (!pair) throw new AppError('not_matched');
      const [usage] = await rowsOf<{ used: string }>(
        tx,
        "SELECT coalesce(sum(size), 0) AS used FROM attachments WHERE uploader_id = $1 AND created_at > now() - interval '1 day'",
        [file.uploaderId],
      );
      if (Number(usage!.used) + file.bytes.length > file.dailyLimitBytes) throw new AppError('attachment_quota');
      const [row] = await rowsOf<InfoRow>(
        tx,
        `INSERT INTO attachments (pair_id, uploader_id, name, content_type, size, bytes, created_at) VALUES ($1, $2, $3, $4, $5, $6, now()) RETURNING ${INFO}`,
        [file.pairId, file.uploaderId, file.name, file.contentType, file.bytes.length, Buffer.from(file.bytes)],
      );
      return toInfo(row!);
    });
  }

  async byId(id: number): Promise<AttachmentFile | null> {
    const [row] = await rowsOf<FileRow>(
      this.context.pool(),
      `SELECT ${INFO}, pair_id, uploader_id, created_at, message_id, held_id, bytes FROM attachments WHERE id = $1`,
      [id],
    );
    if (!row) return null;
    return {
      ...toInfo(row),
      pairId: Number(row.pair_id),
      uploaderId: Number(row.uploader_id),
      createdAt: row.created_at,
      messageId: row.message_id === null ? null : Number(row.message_id),
      heldId: row.held_id === null ? null : Number(row.held_id),
      bytes: new Uint8Array(row.bytes),
    };
  }

  async unsent(pairId: number, uploaderId: number, ids: readonly number[]): Promise<AttachmentInfo[]> {
    if (ids.length === 0) return [];
    const rows = await rowsOf<InfoRow>(
      this.context.pool(),
      `SELECT ${INFO} FROM attachments WHERE id = ANY($1::bigint[]) AND pair_id = $2 AND uploader_id = $3 AND message_id IS NULL AND held_id IS NULL`,
      [ids, pairId, uploaderId],
    );
    const found = rows.map(toInfo);
    return ids.flatMap((id) => found.filter((file) => file.id === id));
  }

  async deleteUnsentBefore(cutoff: Date, limit: number): Promise<number> {
    const { rowCount } = await this.context
      .pool()
      .query(
        'DELETE FROM attachments WHERE id IN (SELECT id FROM attachments WHERE message_id IS NULL AND held_id IS NULL AND created_at < $1 ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED)',
        [cutoff, limit],
      );
    return rowCount ?? 0;
  }
}
