/**
 * The Store's attachments (PROTOCOL.md Part 8): files a participant uploads to their pair,
 * kept in the database (every instance serves every file), sent with one message, and
 * removed with it (retention, erasure, deletion).
 */

/** What a message shows of a file: never its bytes. */
export interface AttachmentInfo {
  id: number;
  name: string;
  contentType: string;
  size: number;
}

/** A stored file and where it belongs: unsent (no message yet), sent with a message, or with a held one. */
export interface AttachmentFile extends AttachmentInfo {
  pairId: number;
  uploaderId: number;
  createdAt: Date;
  messageId: number | null;
  heldId: number | null;
  bytes: Uint8Array;
}

/** A file to keep: its type decided and its metadata removed already (src/attachments/). */
export interface NewAttachment {
  pairId: number;
  uploaderId: number;
  name: string;
  contentType: string;
  bytes: Uint8Array;
  /** The most an uploader may store in the 24 hours up to now, this file included. */
  dailyLimitBytes: number;
}

export interface AttachmentStore {
  /**
   * Stores an unsent file of the uploader in the pair. Rejects with `attachment_quota` when
   * the uploader's files of the last 24 hours and this one would pass `dailyLimitBytes`
   * (checked and stored atomically, whatever the instance), and with `not_matched` when the
   * pair is not active or the uploader not in it.
   */
  create(file: NewAttachment): Promise<AttachmentInfo>;
  /** The file and where it belongs; null when there is none. */
  byId(id: number): Promise<AttachmentFile | null>;
  /** Of `ids`, the uploader's files in the pair that are not sent yet (in the order of `ids`). */
  unsent(pairId: number, uploaderId: number, ids: readonly number[]): Promise<AttachmentInfo[]>;
  /** Deletes unsent files stored before `cutoff`, at most `limit`; resolves with how many. */
  deleteUnsentBefore(cutoff: Date, limit: number): Promise<number>;
}

/** A message's or held message's `attachments` column: JSON of its files' summaries, or NULL for none. */
export function attachmentsColumn(files: readonly AttachmentInfo[]): string | null {
  return files.length === 0 ? null : JSON.stringify(files.map((file) => [file.id, file.name, file.contentType, file.size]));
}

/** The summaries an `attachments` column holds (none for NULL). */
export function parseAttachmentsColumn(column: string | null | undefined): AttachmentInfo[] {
  if (!column) return [];
  return (JSON.parse(column) as Array<[number, string, string, number]>).map(([id, name, contentType, size]) => ({ id, name, contentType, size }));
}
