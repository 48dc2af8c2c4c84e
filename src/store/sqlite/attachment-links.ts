/**
 * How a message takes its files, in its storing transaction (SqliteMessages, SqliteModeration):
 * the sender's unsent files in the pair become the message's (or the held message's), and its
 * `attachments` summary is written.
 */
import type Database from 'better-sqlite3';
import { attachmentsColumn, type AttachmentInfo } from '../attachments.js';
import type { SqliteTx } from './tx.js';

/** The summary columns of an attachment. */
export const INFO = 'id, name, content_type, size';
export interface InfoRow {
  id: number;
  name: string;
  content_type: string;
  size: number;
}
export const toInfo = (row: InfoRow): AttachmentInfo => ({ id: row.id, name: row.name, contentType: row.content_type, size: row.size });

/** Who takes files: a message, or a held message (`held`). */
export interface FileOwner {
  id: number;
  pairId: number;
  senderId: number;
  held?: boolean;
}

export class AttachmentLinks {
  private readonly sql;

  constructor(db: Database.Database) {
    const p = (source: string) => db.prepare(source);
    this.sql = {
      linkToMessage: p(`UPDATE attachments SET message_id = @owner WHERE id IN (SELECT value FROM json_each(@ids)) AND pair_id = @pair AND uploader_id = @sender
                        AND message_id IS NULL AND held_id IS NULL RETURNING ${INFO}`),
      linkToHeld: p(`UPDATE attachments SET held_id = @owner WHERE id IN (SELECT value FROM json_each(@ids)) AND pair_id = @pair AND uploader_id = @sender
                     AND message_id IS NULL AND held_id IS NULL RETURNING ${INFO}`),
      messageColumn: p('UPDATE messages SET attachments = ? WHERE id = ?'),
      heldColumn: p('UPDATE held_messages SET attachments = ? WHERE id = ?'),
      approve: p('UPDATE attachments SET message_id = ?, held_id = NULL WHERE held_id = ?'),
      approvedColumn: p('UPDATE messages SET attachments = (SELECT attachments FROM held_messages WHERE id = ?) WHERE id = ?'),
      deleteFiles: p('DELETE FROM attachments WHERE message_id = ?'),
      noFiles: p('UPDATE messages SET attachments = NULL WHERE id = ? AND attachments IS NOT NULL'),
      unsearchable: p("UPDATE messages SET searchable = 0 WHERE id = ? AND kind = 'message'"),
    };
  }

  /** Gives `owner` the sender's unsent files of `ids` in the pair and writes its summary; the files it got, in the order of `ids`. */
  link(_tx: SqliteTx, owner: FileOwner, ids: readonly number[]): AttachmentInfo[] {
    if (ids.length === 0) return [];
    const names = { owner: owner.id, ids: JSON.stringify(ids), pair: owner.pairId, sender: owner.senderId };
    const rows = ((owner.held ? this.sql.linkToHeld : this.sql.linkToMessage).all(names) as InfoRow[]).map(toInfo);
    const files = ids.flatMap((id) => rows.filter((row) => row.id === id));
    (owner.held ? this.sql.heldColumn : this.sql.messageColumn).run(attachmentsColumn(files), owner.id);
    return files;
  }

  /** In the approving transaction: the held message's files become the delivered message's. */
  approve(_tx: SqliteTx, heldId: number, messageId: number): void {
    this.sql.approve.run(messageId, heldId);
    this.sql.approvedColumn.run(heldId, messageId);
  }

  /** Takes a message out of search and deletes its files (what deleting a message does); whether it was a participant's message. */
  forget(_tx: SqliteTx, messageId: number): boolean {
    this.sql.deleteFiles.run(messageId);
    this.sql.noFiles.run(messageId);
    return this.sql.unsearchable.run(messageId).changes > 0;
  }
}
