/**
 * WebP without its metadata: a RIFF container ("RIFF", 32-bit little-endian size, "WEBP")
 * of chunks (FourCC, size, data padded to an even length). The EXIF and "XMP " chunks are
 * dropped and the extended header (VP8X) no longer announces them; the RIFF size is
 * rewritten for what is left. Bytes past the RIFF size are dropped.
 */
import { MalformedFile, hasAscii, joinPieces, u32le } from './bytes.js';

/** VP8X flag bits: EXIF present, XMP present. */
const EXIF_FLAG = 0x08;
const XMP_FLAG = 0x04;

/** The WebP's bytes without EXIF and XMP; throws MalformedFile when a chunk runs past the RIFF's end. */
export function stripWebp(bytes: Uint8Array): Uint8Array {
  if (bytes.length < 12 || !hasAscii(bytes, 0, 'RIFF') || !hasAscii(bytes, 8, 'WEBP')) throw new MalformedFile('WebP', 'no RIFF/WEBP header');
  const riffEnd = 8 + u32le(bytes, 4);
  if (riffEnd > bytes.length || riffEnd < 12) throw new MalformedFile('WebP', 'the RIFF size is past the end');
  const kept: Uint8Array[] = [];
  let at = 12;
  while (at < riffEnd) {
    if (at + 8 > riffEnd) throw new MalformedFile('WebP', `a chunk at byte ${at} runs past the end`);
    const size = u32le(bytes, at + 4);
    const end = at + 8 + size + (size % 2);
    if (end > riffEnd) throw new MalformedFile('WebP', `a chunk at byte ${at} runs past the end`);
    if (hasAscii(bytes, at, 'VP8X') && size >= 1) {
      const chunk = Uint8Array.from(bytes.subarray(at, end));
      chunk[8] = chunk[8]! & ~(EXIF_FLAG | XMP_FLAG);
      kept.push(chunk);
    } else if (!hasAscii(bytes, at, 'EXIF') && !hasAscii(bytes, at, 'XMP ')) {
      kept.push(bytes.subarray(at, end));
    }
    at = end;
  }
  const body = joinPieces(kept);
  const out = new Uint8Array(12 + body.length);
  out.set(bytes.subarray(0, 12));
  new DataView(out.buffer).setUint32(4, 4 + body.length, true);
  out.set(body, 12);
  return out;
}
