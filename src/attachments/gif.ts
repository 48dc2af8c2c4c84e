/**
 * GIF without its metadata: the header and screen descriptor (with the global colour table),
 * then blocks. Comment extensions are dropped, and application extensions but NETSCAPE2.0
 * (how many times an animation loops; XMP rides in an application extension). Graphic control
 * and plain text extensions and the images are copied as they are. Bytes after the trailer are
 * dropped.
 */
import { MalformedFile, hasAscii, joinPieces } from './bytes.js';

const EXTENSION = 0x21;
const IMAGE = 0x2c;
const TRAILER = 0x3b;
const COMMENT = 0xfe;
const APPLICATION = 0xff;

/** The GIF's bytes without comments and foreign application data; throws MalformedFile when a block runs past the end. */
export function stripGif(bytes: Uint8Array): Uint8Array {
  if (bytes.length < 13 || !(hasAscii(bytes, 0, 'GIF87a') || hasAscii(bytes, 0, 'GIF89a'))) throw new MalformedFile('GIF', 'no GIF header');
  let at = 13 + colourTableSize(bytes[10]!);
  if (at > bytes.length) throw new MalformedFile('GIF', 'the colour table runs past the end');
  const kept: Uint8Array[] = [bytes.subarray(0, at)];
  while (at < bytes.length) {
    const start = at;
    const kind = bytes[at]!;
    if (kind === TRAILER) {
      kept.push(bytes.subarray(at, at + 1));
      return joinPieces(kept);
    }
    if (kind === EXTENSION) {
      if (at + 2 > bytes.length) throw new MalformedFile('GIF', 'an extension runs past the end');
      const label = bytes[at + 1]!;
      at = skipSubBlocks(bytes, at + 2);
      const foreign = label === APPLICATION && !(bytes[start + 2] === 11 && hasAscii(bytes, start + 3, 'NETSCAPE2.0'));
      if (label !== COMMENT && !foreign) kept.push(bytes.subarray(start, at));
    } else if (kind === IMAGE) {
      if (at + 10 > bytes.length) throw new MalformedFile('GIF', 'an image descriptor runs past the end');
      // The descriptor, its local colour table, the LZW code size byte, then the data's sub-blocks.
      at += 10 + colourTableSize(bytes[at + 9]!) + 1;
      if (at > bytes.length) throw new MalformedFile('GIF', 'an image runs past the end');
      at = skipSubBlocks(bytes, at);
      kept.push(bytes.subarray(start, at));
    } else {
      throw new MalformedFile('GIF', `an unknown block at byte ${at}`);
    }
  }
  throw new MalformedFile('GIF', 'no trailer');
}

/** Bytes of the colour table a packed field announces (none when its top bit is clear). */
function colourTableSize(packed: number): number {
  return packed & 0x80 ? 3 * 2 ** ((packed & 0x07) + 1) : 0;
}

/** The position after a chain of sub-blocks (size byte, data) and its zero terminator. */
function skipSubBlocks(bytes: Uint8Array, at: number): number {
  for (;;) {
    if (at >= bytes.length) throw new MalformedFile('GIF', 'sub-blocks run past the end');
    const size = bytes[at]!;
    at += 1 + size;
    if (size === 0) return at;
  }
}
