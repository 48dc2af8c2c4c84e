/**
 * How a message takes its files, in its storing transaction (append.ts, moderation.ts): the
 * sender's unsent files in the pair become the message's (or the held message's), and its
 * `attachments` summary is written.
 */
import { attachmentsColumn, type AttachmentInfo } from '../attachments.js';
import { rowsOf } from './pool.js';
import type { PostgresTx } from './tx.js';

/** The summary columns of an attachment. */
export const INFO = 'id, name, content_type, size';
export interface InfoRow {
  id: number;
  name: string;
  content_type: string;
  size: number;
}
export const toInfo = (row: InfoRow): AttachmentInfo => ({ id: Number(row.id), name: row.name, contentType: row.content_type, size: row.size });

/** Who takes files: a message, or a held message (`held`). */
export interface FileOwner {
  id: number;
  pairId: number;
  senderId: number;
  held?: boolean;
}

/** Gives `owner` the sender's unsent files of `ids` in the pair and writes its summary; the files it got, in the order of `ids`. */
export async function linkFiles(tx: PostgresTx, owner: FileOwner, ids: readonly number[]): Promise<AttachmentInfo[]> {
  if (ids.length === 0) return [];
  const column = owner.held ? 'held_id' : 'message_id';
  const rows = await rowsOf<InfoRow>(
    tx,
    `UPDATE attachments SET ${column} = $1 WHERE id = ANY($2::bigint[]) AND pair_id = $3 AND uploader_id = $4 AND message_id IS NULL AND held_id IS NULL
     RETURNING ${INFO}`,
    [owner.id, ids, owner.pairId, owner.senderId],
  );
  const found = rows.map(toInfo);
  const files = ids.flatMap((id) => found.filter((file) => file.id === id));
  await tx.query(`UPDATE ${owner.held ? 'held_messages' : 'messages'} SET attachments = $1 WHERE id = $2`, [attachmentsColumn(files), owner.id]);
  return files;
}

/** In the approving transaction: the held message's files become the delivered message's. */
export async function approveFiles(tx: PostgresTx, heldId: number, messageId: number): Promise<void> {
  await tx.query('UPDATE attachments SET message_id = $1, held_id = NULL WHERE held_id = $2', [messageId, heldId]);
  await tx.query('UPDATE messages SET attachments = (SELECT attachments FROM held_messages WHERE id = $2) WHERE id = $1', [messageId, heldId]);
}

/** Takes a message out of search and deletes its files (what deleting a message does); whether it was a participant's message. */
export async function forgetMessage(tx: PostgresTx, messageId: number): Promise<boolean> {
  await tx.query('DELETE FROM attachments WHERE message_id = $1', [messageId]);
  const { rowCount } = await tx.query("UPDATE messages SET searchable = false, attachments = NULL WHERE id = $1 AND kind = 'message'", [messageId]);
  return (rowCount ?? 0) > 0;
}
