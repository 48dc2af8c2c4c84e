/**
 * JPEG without its metadata. A JPEG is a run of marker segments (marker, 16-bit length,
 * payload) before the entropy-coded scan. As ExifTool's JPEG tag table lists them, APP1
 * carries EXIF (the GPS position) and XMP, APP2 ICC profiles and preview images, APP13
 * Photoshop/IPTC, the other APPn vendors' data, and COM free text: all are dropped. Kept:
 * APP0 JFIF (the pixel aspect), without its thumbnail, and APP14 "Adobe", which says how a
 * CMYK or YCCK image's colours are transformed. Everything else, the scan included, is
 * copied byte for byte: nothing is decoded or re-encoded.
 */
import { MalformedFile, hasAscii, joinPieces, u16be } from './bytes.js';

const SOS = 0xda;
const EOI = 0xd9;
const COM = 0xfe;
const APP0 = 0xe0;
const APP14 = 0xee;
/** "JFIF\0", version (2), units (1), densities (2 + 2), thumbnail width and height (1 + 1). */
const JFIF_HEADER = 14;

/** Markers with no length: TEM and RST0–RST7 (they only appear inside a scan, but cost nothing to allow). */
const standalone = (marker: number): boolean => marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7);

/** The JPEG's bytes without metadata segments; throws MalformedFile when its segments do not hold together. */
export function stripJpeg(bytes: Uint8Array): Uint8Array {
  if (bytes.length < 4 || bytes[0] !== 0xff || bytes[1] !== 0xd8) throw new MalformedFile('JPEG', 'no start-of-image marker');
  const kept: Uint8Array[] = [bytes.subarray(0, 2)];
  let at = 2;
  for (;;) {
    if (at + 2 > bytes.length || bytes[at] !== 0xff) throw new MalformedFile('JPEG', `no marker at byte ${at}`);
    // Fill bytes (0xFF) may precede a marker.
    while (at + 1 < bytes.length && bytes[at + 1] === 0xff) at++;
    if (at + 2 > bytes.length) throw new MalformedFile('JPEG', 'a marker runs past the end');
    const marker = bytes[at + 1]!;
    if (marker === EOI) {
      kept.push(bytes.subarray(at, at + 2));
      return joinPieces(kept);
    }
    if (standalone(marker)) {
      kept.push(bytes.subarray(at, at + 2));
      at += 2;
      continue;
    }
    if (at + 4 > bytes.length) throw new MalformedFile('JPEG', 'a segment length runs past the end');
    const length = u16be(bytes, at + 2);
    const end = at + 2 + length;
    if (length < 2 || end > bytes.length) throw new MalformedFile('JPEG', `a segment at byte ${at} runs past the end`);
    if (marker === SOS) {
      // The scan and what follows it (more tables and scans of a progressive image, the end
      // marker) hold the picture: copied as they are.
      kept.push(bytes.subarray(at));
      return joinPieces(kept);
    }
    const payload = bytes.subarray(at + 4, end);
    if (marker === APP0 && hasAscii(payload, 0, 'JFIF\0') && payload.length >= JFIF_HEADER) {
      kept.push(jfifWithoutThumbnail(bytes.subarray(at, at + 4 + JFIF_HEADER)));
    } else if (marker === APP14 && hasAscii(payload, 0, 'Adobe')) {
      kept.push(bytes.subarray(at, end));
    } else if (!((marker >= APP0 && marker <= 0xef) || marker === COM)) {
      kept.push(bytes.subarray(at, end));
    }
    at = end;
  }
}

/** The JFIF segment's fixed header with a 0×0 thumbnail: a thumbnail may show the picture before it was cropped. */
function jfifWithoutThumbnail(header: Uint8Array): Uint8Array {
  const copy = Uint8Array.from(header);
  copy[2] = 0;
  copy[3] = JFIF_HEADER + 2;
  copy[4 + JFIF_HEADER - 2] = 0;
  copy[4 + JFIF_HEADER - 1] = 0;
  return copy;
}
