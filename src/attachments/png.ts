/**
 * PNG without its metadata: the signature, then chunks (32-bit length, type, data, CRC). The
 * text chunks (tEXt, zTXt, iTXt: author, comments, software), eXIf (EXIF, GPS included) and
 * tIME (last change) are dropped; every other chunk is copied as it is, with its CRC. Bytes
 * after IEND are dropped too: nothing reads them, so they could carry anything.
 */
import { MalformedFile, hasAscii, joinPieces, u32be } from './bytes.js';

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const DROPPED = new Set(['tEXt', 'zTXt', 'iTXt', 'eXIf', 'tIME']);

/** The PNG's bytes without metadata chunks; throws MalformedFile when a chunk runs past the end or IEND is missing. */
export function stripPng(bytes: Uint8Array): Uint8Array {
  if (bytes.length < SIGNATURE.length || SIGNATURE.some((byte, i) => bytes[i] !== byte)) throw new MalformedFile('PNG', 'no PNG signature');
  const kept: Uint8Array[] = [bytes.subarray(0, SIGNATURE.length)];
  let at = SIGNATURE.length;
  while (at < bytes.length) {
    if (at + 12 > bytes.length) throw new MalformedFile('PNG', `a chunk at byte ${at} runs past the end`);
    const length = u32be(bytes, at);
    const end = at + 12 + length;
    if (end > bytes.length) throw new MalformedFile('PNG', `a chunk at byte ${at} runs past the end`);
    const type = String.fromCharCode(bytes[at + 4]!, bytes[at + 5]!, bytes[at + 6]!, bytes[at + 7]!);
    if (!DROPPED.has(type)) kept.push(bytes.subarray(at, end));
    if (hasAscii(bytes, at + 4, 'IEND')) return joinPieces(kept);
    at = end;
  }
  throw new MalformedFile('PNG', 'no IEND chunk');
}
