/**
 * What an upload is, decided from its bytes alone (never its name or the header its sender
 * chose), and the upload made safe to keep: an image without its metadata. The caller turns
 * a refusal into 415 (a type not allowed) or 400 (a file that breaks its own format).
 */
import { fileTypeFromBuffer } from 'file-type';
import { MalformedFile } from './bytes.js';
import { stripGif } from './gif.js';
import { stripJpeg } from './jpeg.js';
import { stripPng } from './png.js';
import { stripWebp } from './webp.js';

/** The types Tandem can recognise and keep; `ATTACHMENT_TYPES` allows some of them. */
export const ATTACHMENT_MEDIA_TYPES = ['text/plain', 'image/jpeg', 'image/png', 'image/webp', 'image/gif', 'application/pdf'] as const;
export type AttachmentMediaType = (typeof ATTACHMENT_MEDIA_TYPES)[number];

/** Images are shown inline; everything else is only ever downloaded. */
export const isImageType = (type: string): boolean => type.startsWith('image/');

const STRIPPERS: Partial<Record<AttachmentMediaType, (bytes: Uint8Array) => Uint8Array>> = {
  'image/jpeg': stripJpeg,
  'image/png': stripPng,
  'image/webp': stripWebp,
  'image/gif': stripGif,
};

/** A kept upload, or why it was refused: `unsupported` (415) or `malformed` (400). */
export type KeptFile = { ok: true; type: AttachmentMediaType; bytes: Uint8Array } | { ok: false; refusal: 'unsupported' | 'malformed'; message: string };

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Plain text: valid UTF-8 with no NUL, which file-type did not recognise as anything else. */
export function isPlainText(bytes: Uint8Array): boolean {
  if (bytes.includes(0)) return false;
  try {
    utf8.decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/** The type the bytes are, if Tandem knows it; null for anything else. */
export async function detectType(bytes: Uint8Array): Promise<AttachmentMediaType | null> {
  const detected = await fileTypeFromBuffer(bytes);
  if (detected) return (ATTACHMENT_MEDIA_TYPES as readonly string[]).includes(detected.mime) ? (detected.mime as AttachmentMediaType) : null;
  return isPlainText(bytes) ? 'text/plain' : null;
}

/** Removes an image's metadata; other types are returned as they are. Never throws: a broken image is `malformed`. */
export function stripMetadata(type: AttachmentMediaType, bytes: Uint8Array): KeptFile {
  const strip = STRIPPERS[type];
  if (!strip) return { ok: true, type, bytes };
  try {
    return { ok: true, type, bytes: strip(bytes) };
  } catch (error) {
    if (error instanceof MalformedFile) return { ok: false, refusal: 'malformed', message: error.message };
    throw error;
  }
}

/** Decides the type of an upload from its bytes and strips an image's metadata; refuses what `allowed` does not name. */
export async function keepFile(bytes: Uint8Array, allowed: readonly string[]): Promise<KeptFile> {
  const type = await detectType(bytes);
  if (type === null || !allowed.includes(type)) {
    return { ok: false, refusal: 'unsupported', message: `Attachments may be: ${allowed.join(', ')} (decided from the file's content)` };
  }
  return stripMetadata(type, bytes);
}
