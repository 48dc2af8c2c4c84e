/**
 * Small, valid image files built byte by byte, each carrying the metadata Tandem must remove:
 * a JPEG with an EXIF GPS position and a comment, a PNG with text and time chunks, a WebP
 * with EXIF and XMP, a GIF with a comment and a foreign application extension.
 */
import { deflateSync } from 'node:zlib';

/** The GPS latitude reference and a marker string planted in every file's metadata. */
export const PLANTED = 'GPS-HOME-51.5072N';

const ascii = (text: string): number[] => Array.from(text, (c) => c.charCodeAt(0));
const u16be = (n: number): number[] => [(n >> 8) & 0xff, n & 0xff];
const u32be = (n: number): number[] => [(n >>> 24) & 0xff, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff];
const u32le = (n: number): number[] => [n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, (n >>> 24) & 0xff];
const u16le = (n: number): number[] => [n & 0xff, (n >> 8) & 0xff];

/** A TIFF (little-endian) with IFD0 pointing at a GPS IFD holding GPSLatitudeRef and a GPSMapDatum of `PLANTED`. */
function exifWithGps(): number[] {
  const datum = [...ascii(PLANTED), 0];
  // Header (8) · IFD0 at 8: 1 entry (2 + 12 + 4 = 18) · GPS IFD at 26: 2 entries (2 + 24 + 4 = 30) · datum at 56.
  const tiff = [
    ...ascii('II'),
    ...u16le(42),
    ...u32le(8),
    ...u16le(1),
    ...u16le(0x8825),
    ...u16le(4),
    ...u32le(1),
    ...u32le(26),
    ...u32le(0),
    ...u16le(2),
    ...u16le(0x0001),
    ...u16le(2),
    ...u32le(2),
    ...ascii('N'),
    0,
    0,
    0,
    ...u16le(0x0012),
    ...u16le(2),
    ...u32le(datum.length),
    ...u32le(56),
    ...u32le(0),
    ...datum,
  ];
  return [...ascii('Exif'), 0, 0, ...tiff];
}

const segment = (marker: number, payload: number[]): number[] => [0xff, marker, ...u16be(payload.length + 2), ...payload];

/**
 * A 1×1 baseline greyscale JPEG (any decoder shows it) with JFIF (and a 1×1 thumbnail), an
 * APP1 EXIF holding the GPS IFD, an APP13 IPTC block and a comment.
 */
export function jpegWithGps(): Uint8Array {
  const jfif = [...ascii('JFIF'), 0, 1, 1, 0, ...u16be(72), ...u16be(72), 1, 1, 0x10, 0x20, 0x30];
  const dqt = [0x00, ...new Array<number>(64).fill(1)];
  const sof = [8, ...u16be(1), ...u16be(1), 1, 1, 0x11, 0];
  // DC table 0 with one code of length 1 (category 0); AC table 0 with one code of length 1 (EOB).
  const dhtDc = [0x00, 1, ...new Array<number>(15).fill(0), 0x00];
  const dhtAc = [0x10, 1, ...new Array<number>(15).fill(0), 0x00];
  const sos = [1, 1, 0x00, 0, 63, 0];
  return Uint8Array.from([
    0xff,
    0xd8,
    ...segment(0xe0, jfif),
    ...segment(0xe1, exifWithGps()),
    ...segment(0xed, [...ascii('Photoshop 3.0'), 0, ...ascii(PLANTED)]),
    ...segment(0xfe, ascii(`comment ${PLANTED}`)),
    ...segment(0xdb, dqt),
    ...segment(0xc0, sof),
    ...segment(0xc4, dhtDc),
    ...segment(0xc4, dhtAc),
    ...segment(0xda, sos),
    // DC diff 0 (code "0"), EOB (code "0"), padded with ones.
    0x3f,
    0xff,
    0xd9,
  ]);
}

function crc32(bytes: number[]): number {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

const chunk = (type: string, data: number[]): number[] => {
  const body = [...ascii(type), ...data];
  return [...u32be(data.length), ...body, ...u32be(crc32(body))];
};

/** A 1×1 greyscale PNG with tEXt, iTXt, zTXt, eXIf and tIME chunks. */
export function pngWithText(): Uint8Array {
  const ihdr = [...u32be(1), ...u32be(1), 8, 0, 0, 0, 0];
  const idat = Array.from(deflateSync(Uint8Array.from([0, 0x80])));
  return Uint8Array.from([
    0x89,
    0x50,
    0x4e,
    0x47,
    0x0d,
    0x0a,
    0x1a,
    0x0a,
    ...chunk('IHDR', ihdr),
    ...chunk('tEXt', [...ascii('Comment'), 0, ...ascii(PLANTED)]),
    ...chunk('iTXt', [...ascii('Author'), 0, 0, 0, 0, 0, ...ascii(PLANTED)]),
    ...chunk('zTXt', [...ascii('Title'), 0, 0, ...Array.from(deflateSync(Buffer.from(PLANTED)))]),
    ...chunk('eXIf', exifWithGps().slice(6)),
    ...chunk('tIME', [...u16be(2026), 12, 7, 10, 0, 0]),
    ...chunk('IDAT', idat),
    ...chunk('IEND', []),
  ]);
}

/** A `width`×`height` RGB PNG of a soft gradient (a picture one can see in a screenshot), with a tEXt chunk carrying `PLANTED`. */
export function pngPicture(width: number, height: number): Uint8Array {
  const rows: number[] = [];
  for (let y = 0; y < height; y++) {
    rows.push(0);
    for (let x = 0; x < width; x++) rows.push(40 + Math.round((150 * x) / width), 120 + Math.round((100 * y) / height), 160);
  }
  const ihdr = [...u32be(width), ...u32be(height), 8, 2, 0, 0, 0];
  return Uint8Array.from([
    0x89,
    0x50,
    0x4e,
    0x47,
    0x0d,
    0x0a,
    0x1a,
    0x0a,
    ...chunk('IHDR', ihdr),
    ...chunk('tEXt', [...ascii('Comment'), 0, ...ascii(PLANTED)]),
    ...chunk('IDAT', Array.from(deflateSync(Uint8Array.from(rows)))),
    ...chunk('IEND', []),
  ]);
}

/** A WebP of a VP8L 1×1 image in an extended (VP8X) container announcing EXIF and XMP, which follow. */
export function webpWithExif(): Uint8Array {
  const riffChunk = (fourcc: string, data: number[]): number[] => [...ascii(fourcc), ...u32le(data.length), ...data, ...(data.length % 2 ? [0] : [])];
  const vp8x = [0x08 | 0x04, 0, 0, 0, 0, 0, 0, 0, 0, 0];
  // A VP8L 1×1 bitstream: signature, 14-bit width-1 and height-1, alpha hint, version; then a tiny image.
  const vp8l = [0x2f, 0x00, 0x00, 0x00, 0x00, 0x07, 0x00, 0x00, 0x00, 0x00, 0x00];
  const body = [
    ...ascii('WEBP'),
    ...riffChunk('VP8X', vp8x),
    ...riffChunk('VP8L', vp8l),
    ...riffChunk('EXIF', exifWithGps().slice(6)),
    ...riffChunk('XMP ', ascii(`<x:xmpmeta>${PLANTED}</x:xmpmeta>`)),
  ];
  return Uint8Array.from([...ascii('RIFF'), ...u32le(body.length), ...body]);
}

/** A 1×1 GIF89a with a NETSCAPE loop extension, a comment, an XMP application extension and one image. */
export function gifWithComment(): Uint8Array {
  const subBlocks = (data: number[]): number[] => {
    const out: number[] = [];
    for (let i = 0; i < data.length; i += 255) out.push(Math.min(255, data.length - i), ...data.slice(i, i + 255));
    return [...out, 0];
  };
  return Uint8Array.from([
    ...ascii('GIF89a'),
    ...u16le(1),
    ...u16le(1),
    0x80,
    0,
    0,
    0,
    0,
    0,
    0xff,
    0xff,
    0xff,
    0x21,
    0xff,
    11,
    ...ascii('NETSCAPE2.0'),
    3,
    1,
    0,
    0,
    0,
    0x21,
    0xfe,
    ...subBlocks(ascii(`comment ${PLANTED}`)),
    0x21,
    0xff,
    11,
    ...ascii('XMP DataXMP'),
    ...subBlocks(ascii(PLANTED)),
    0x21,
    0xf9,
    4,
    0,
    0,
    0,
    0,
    0,
    0x2c,
    ...u16le(0),
    ...u16le(0),
    ...u16le(1),
    ...u16le(1),
    0,
    2,
    2,
    0x44,
    0x01,
    0,
    0x3b,
  ]);
}

/** True when `bytes` contain `text` (as ASCII) anywhere. */
export function containsAscii(bytes: Uint8Array, text: string): boolean {
  return Buffer.from(bytes).includes(Buffer.from(text, 'latin1'));
}

/** The bytes of a tiny Windows executable: "MZ" header and a PE signature, as file-type recognises it. */
export function windowsExecutable(): Uint8Array {
  const bytes = new Uint8Array(256);
  bytes.set(ascii('MZ'), 0);
  bytes.set(u32le(128), 0x3c);
  bytes.set([...ascii('PE'), 0, 0], 128);
  return bytes;
}
