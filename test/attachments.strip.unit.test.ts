/**
 * The metadata strippers (src/attachments/): each format's metadata leaves and its picture
 * stays; the type is decided by the bytes (an executable named anything is refused); and,
 * over arbitrary and mutated files, no input throws, the output is never longer than the
 * input, and a second strip changes nothing.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { detectType, keepFile, stripMetadata, ATTACHMENT_MEDIA_TYPES, type AttachmentMediaType } from '../src/attachments/file-kind.js';
import { PLANTED, containsAscii, gifWithComment, jpegWithGps, pngWithText, webpWithExif, windowsExecutable } from './helpers/images.js';

const IMAGES: Array<[AttachmentMediaType, () => Uint8Array]> = [
  ['image/jpeg', jpegWithGps],
  ['image/png', pngWithText],
  ['image/webp', webpWithExif],
  ['image/gif', gifWithComment],
];
const ALL = [...ATTACHMENT_MEDIA_TYPES];

function stripped(type: AttachmentMediaType, bytes: Uint8Array): Uint8Array {
  const kept = stripMetadata(type, bytes);
  assert.ok(kept.ok, kept.ok ? '' : kept.message);
  return kept.bytes;
}

describe('attachments: metadata stripping', () => {
  for (const [type, make] of IMAGES) {
    it(`${type}: the planted metadata is in the file, and gone after the strip; the type is still ${type}`, async () => {
      const original = make();
      assert.ok(containsAscii(original, PLANTED));
      assert.equal(await detectType(original), type);
      const clean = stripped(type, original);
      assert.ok(!containsAscii(clean, PLANTED), 'the metadata is gone');
      assert.ok(clean.length < original.length);
      assert.equal(await detectType(clean), type);
    });
  }

  it('JPEG: the GPS IFD tag and the EXIF header are gone; JFIF stays without its thumbnail; the scan is copied byte for byte', () => {
    const original = jpegWithGps();
    const clean = stripped('image/jpeg', original);
    assert.ok(!containsAscii(clean, 'Exif\0\0'));
    assert.ok(!containsAscii(clean, 'Photoshop'));
    assert.ok(containsAscii(clean, 'JFIF\0'));
    const jfifAt = Buffer.from(clean).indexOf('JFIF');
    assert.deepEqual([clean[jfifAt - 2], clean[jfifAt - 1]], [0, 16], 'the JFIF segment is its 14-byte header');
    assert.deepEqual([clean[jfifAt + 12], clean[jfifAt + 13]], [0, 0], 'a 0×0 thumbnail');
    const sosAt = (bytes: Uint8Array) => Buffer.from(bytes).indexOf(Buffer.from([0xff, 0xda]));
    assert.deepEqual(clean.subarray(sosAt(clean)), original.subarray(sosAt(original)));
  });

  it('JPEG: an Adobe APP14 segment (the colour transform) is kept', () => {
    const original = jpegWithGps();
    const adobe = Buffer.from([0xff, 0xee, 0, 14, ...Buffer.from('Adobe'), 0, 100, 0, 0, 0, 0, 1]);
    const withAdobe = Buffer.concat([original.subarray(0, 2), adobe, original.subarray(2)]);
    assert.ok(Buffer.from(stripped('image/jpeg', withAdobe)).includes(adobe));
  });

  it('WebP: the VP8X flags no longer announce EXIF or XMP and the RIFF size is the new length', () => {
    const clean = stripped('image/webp', webpWithExif());
    assert.equal(clean[20]! & 0x0c, 0);
    assert.equal(Buffer.from(clean).readUInt32LE(4), clean.length - 8);
    assert.ok(!containsAscii(clean, 'EXIF') && !containsAscii(clean, 'XMP '));
  });

  it('GIF: the NETSCAPE loop extension is kept', () => {
    assert.ok(containsAscii(stripped('image/gif', gifWithComment()), 'NETSCAPE2.0'));
  });

  it('PNG: the chunks that remain are IHDR, IDAT and IEND', () => {
    const clean = stripped('image/png', pngWithText());
    for (const gone of ['tEXt', 'iTXt', 'zTXt', 'eXIf', 'tIME']) assert.ok(!containsAscii(clean, gone), gone);
    for (const kept of ['IHDR', 'IDAT', 'IEND']) assert.ok(containsAscii(clean, kept), kept);
  });

  it('a truncated image is malformed (400), not a crash', () => {
    for (const [type, make] of IMAGES) {
      const bytes = make();
      const kept = stripMetadata(type, bytes.subarray(0, Math.floor(bytes.length / 2)));
      assert.equal(kept.ok, false, type);
      assert.equal(!kept.ok && kept.refusal, 'malformed', type);
    }
  });

  it('an executable renamed .png, HTML, binary noise and a type not allowed are refused as unsupported (415); text and PDF pass', async () => {
    const refused = async (bytes: Uint8Array, allowed: readonly string[] = ALL) => {
      const kept = await keepFile(bytes, allowed);
      return !kept.ok && kept.refusal === 'unsupported';
    };
    assert.ok(await refused(windowsExecutable()));
    assert.ok(await refused(Uint8Array.from([0xff, 0xfe, 0x00, 0x41, 0x00])), 'not UTF-8, with a NUL');
    assert.ok(await refused(Buffer.from('a\0b')), 'a NUL');
    assert.ok(await refused(jpegWithGps(), ['image/png']), 'JPEG when only PNG is allowed');
    const html = await keepFile(Buffer.from('<!doctype html><script>alert(1)</script>'), ALL);
    assert.equal(html.ok && html.type, 'text/plain', 'HTML is text, served as text');
    const pdf = await keepFile(Buffer.from('%PDF-1.4\n%%EOF\n'), ALL);
    assert.equal(pdf.ok && pdf.type, 'application/pdf');
    const accents = await keepFile(Buffer.from('Café — naïve ✓'), ALL);
    assert.equal(accents.ok && accents.type, 'text/plain');
  });
});

/** A file of a format, damaged: bytes flipped, cut or inserted at arbitrary places. */
function mutated(make: () => Uint8Array): fc.Arbitrary<Uint8Array> {
  const edit = fc.oneof(
    fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
    fc.record({ kind: fc.constant('cut' as const), at: fc.nat(), value: fc.nat(64) }),
    fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
  );
  return fc.array(edit, { maxLength: 6 }).map((edits) => {
    let bytes = Array.from(make());
    for (const { kind, at, value } of edits) {
      const i = bytes.length === 0 ? 0 : at % bytes.length;
      if (kind === 'flip') bytes[i] = value;
      else if (kind === 'cut') bytes.splice(i, value);
      else bytes.splice(i, 0, value);
    }
    return Uint8Array.from(bytes);
  });
}

describe('attachments: metadata stripping (property)', () => {
  const RUNS = { numRuns: 400 };
  for (const [type, make] of IMAGES) {
    it(`${type}: on damaged and random files it never throws, never grows the file, and a second strip changes nothing`, () => {
      const input = fc.oneof(mutated(make), fc.uint8Array({ maxLength: 512 }));
      fc.assert(
        fc.property(input, (bytes) => {
          const first = stripMetadata(type, bytes);
          if (!first.ok) return;
          assert.ok(first.bytes.length <= bytes.length);
          const second = stripMetadata(type, first.bytes);
          assert.ok(second.ok);
          assert.deepEqual(second.bytes, first.bytes);
        }),
        RUNS,
      );
    });
  }

  it('deciding the type never throws and answers a known type or a refusal', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.uint8Array({ maxLength: 256 }), ...IMAGES.map(([, make]) => mutated(make))), async (bytes) => {
        const kept = await keepFile(bytes, ALL);
        if (kept.ok) assert.ok(ALL.includes(kept.type));
        else assert.ok(kept.refusal === 'unsupported' || kept.refusal === 'malformed');
      }),
      { numRuns: 200 },
    );
  });
});
