/**
 * Properties of the NDJSON import over generated hostile files: the line reader
 * (src/import/lines.ts) against a reference, however the bytes are cut into chunks, and the
 * importer's per-record checks on a real SQLite store — it never throws, accounts for every
 * line exactly once, refuses with a catalogued code, and never refuses a line that is valid.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import fc from 'fast-check';
import { ErrorCatalogue } from '../src/errors.js';
import { importNdjson, type ImportReport } from '../src/import/importer.js';
import { lines, type Line } from '../src/import/lines.js';
import { openStore, ROLES, type Store } from '../src/store/index.js';
import { hostileText, oddJsonValue, whitespaceRun } from './helpers/attacker-text.js';
import { suiteCleanup, tempDir } from './helpers/server.js';

/** The lines of `text` by the reader's contract: split at \n, one \r before it dropped, none after a final \n, too long → null. */
function referenceLines(text: string, maxBytes: number): Array<string | null> {
  const parts = text.split('\n');
  if (parts.at(-1) === '') parts.pop();
  return parts.map((part) => (Buffer.byteLength(part) > maxBytes ? null : part.endsWith('\r') ? part.slice(0, -1) : part));
}

async function* chunked(chunks: ReadonlyArray<Buffer | string>): AsyncGenerator<Buffer | string> {
  yield* chunks;
}

async function readAll(chunks: ReadonlyArray<Buffer | string>, maxBytes: number): Promise<Line[]> {
  const found: Line[] = [];
  for await (const line of lines(chunked(chunks), maxBytes)) found.push(line);
  return found;
}

/** `whole` cut at the sorted `cuts` (any positions, so a UTF-8 sequence may be split in two). */
function cutAt<T extends Buffer | string>(whole: T, cuts: number[]): T[] {
  const points = [...new Set(cuts.map((cut) => cut % (whole.length + 1)))].sort((a, b) => a - b);
  const pieces: T[] = [];
  let start = 0;
  for (const point of [...points, whole.length]) {
    pieces.push(whole.slice(start, point) as T);
    start = point;
  }
  return pieces;
}

const ndjsonText = fc
  .array(fc.oneof(hostileText({ maxPieces: 8, maxRun: 300 }), fc.constantFrom('', '\r', '\n', '\r\n', '\n\n', '😀\n', 'é\r\n')), { maxLength: 20 })
  .map((pieces) => pieces.join(''));

describe('import lines (property)', () => {
  it('yields the reference lines however the text is cut into string chunks', async () => {
    await fc.assert(
      fc.asyncProperty(ndjsonText, fc.array(fc.nat(), { maxLength: 12 }), fc.integer({ min: 1, max: 400 }), async (text, cuts, maxBytes) => {
        const found = await readAll(cutAt(text, cuts), maxBytes);
        assert.deepEqual(
          found.map((line) => line.text),
          referenceLines(text, maxBytes),
        );
        assert.deepEqual(
          found.map((line) => line.number),
          found.map((_, i) => i + 1),
        );
      }),
      { numRuns: 300 },
    );
  });

  it('yields the reference lines of the decoded bytes however the bytes are cut, mid-character too', async () => {
    await fc.assert(
      fc.asyncProperty(ndjsonText, fc.array(fc.nat(), { maxLength: 12 }), fc.integer({ min: 1, max: 400 }), async (text, cuts, maxBytes) => {
        const bytes = Buffer.from(text);
        const found = await readAll(cutAt(bytes, cuts), maxBytes);
        // Lone surrogates cannot be encoded: Buffer.from wrote U+FFFD for them. A byte order
        // mark that opens the file is no part of its first line.
        const decoded = bytes.toString('utf8').replace(/^\uFEFF/, '');
        assert.deepEqual(
          found.map((line) => line.text),
          referenceLines(decoded, maxBytes),
        );
      }),
      { numRuns: 300 },
    );
  });
});

describe('importNdjson (property)', () => {
  const hooks = suiteCleanup();
  let store: Store;
  before(async () => {
    hooks.after(() => store.close()); // before its directory is removed
    store = await openStore({ kind: 'sqlite', path: join(tempDir(hooks), 'import.db') }, { timeoutMs: 10_000 });
  });

  const email = fc.oneof(
    fc.emailAddress(),
    fc.constantFrom('mentor@import.test', 'mentee@import.test', 'MENTEE@Import.Test ', ' mentor@import.test'),
    hostileText({ maxPieces: 6, maxRun: 40 }),
    oddJsonValue,
  );
  const text = fc.oneof(hostileText({ maxPieces: 12, maxRun: 2000 }), fc.string({ maxLength: 30 }), oddJsonValue);
  const timestamp = fc.oneof(
    fc.date({ min: new Date('1900-01-01'), max: new Date('2200-01-01'), noInvalidDate: true }).map((date) => date.toISOString()),
    fc.constantFrom('2025-01-06T09:00:00Z', '2025-13-45T99:99:99Z', '2025-01-06', '+275760-09-13T00:00:00.000Z', '9999-12-31T23:59:59.999Z', '2025-01-06T'),
    text,
  );
  const record = fc.oneof(
    fc.record(
      { kind: fc.constant('user'), email, first_name: text, last_name: text, role: fc.oneof(fc.constantFrom(...ROLES), oddJsonValue) },
      { requiredKeys: ['kind'] },
    ),
    fc.record({ kind: fc.constant('match'), mentor_email: email, mentee_email: email }, { requiredKeys: ['kind'] }),
    fc.record(
      {
        kind: fc.constant('message'),
        external_id: fc.oneof(fc.string({ minLength: 1, maxLength: 130 }), fc.integer(), oddJsonValue),
        sender_email: email,
        receiver_email: email,
        content: text,
        timestamp,
        is_read: fc.oneof(fc.boolean(), oddJsonValue),
      },
      { requiredKeys: ['kind'] },
    ),
    fc.record({ kind: oddJsonValue, extra: oddJsonValue }),
  );
  const line = fc.oneof(
    { arbitrary: record.map((value) => JSON.stringify(value)), weight: 6 },
    { arbitrary: oddJsonValue.map((value) => JSON.stringify(value)), weight: 1 },
    // Written out: JSON.stringify itself overflows the stack on such nesting; JSON.parse does not.
    { arbitrary: fc.integer({ min: 1, max: 100_000 }).map((depth) => `{"kind":"message","content":${'['.repeat(depth)}"x"${']'.repeat(depth)}}`), weight: 1 },
    { arbitrary: hostileText({ maxPieces: 8, maxRun: 200 }).map((value) => value.replace(/\n/g, ' ')), weight: 1 },
    { arbitrary: whitespaceRun(100, fc.constantFrom(' ', '\t', '\r', '\u00A0', '\uFEFF')), weight: 1 },
  );
  /** A valid file's first lines: the pair exists, so its messages can be stored. */
  const PREAMBLE = [
    { kind: 'user', email: 'mentor@import.test', first_name: 'Tom', role: 'MENTOR' },
    { kind: 'user', email: 'mentee@import.test', first_name: 'Mia', role: 'MENTEE' },
    { kind: 'match', mentor_email: 'mentor@import.test', mentee_email: 'mentee@import.test' },
  ].map((value) => JSON.stringify(value));

  const counted = (report: ImportReport) =>
    report.users.created +
    report.users.updated +
    report.users.unchanged +
    report.matches.created +
    report.matches.unchanged +
    report.messages.created +
    report.messages.unchanged +
    report.refused_total;

  it('never throws, accounts for every line once, and refuses only with catalogued codes, in line order', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(line, { maxLength: 25 }), async (body) => {
        const joined = [...PREAMBLE, ...body].join('\n');
        const file = referenceLines(joined, Infinity) as string[];
        const report = await importNdjson(chunked([joined]), { store, mentorCapacity: null });
        assert.equal(report.lines, file.length);
        assert.equal(counted(report), file.filter((text) => text.trim() !== '').length);
        assert.equal(report.refused.length, report.refused_total);
        for (const refused of report.refused) {
          assert.ok(refused.error in ErrorCatalogue && refused.error !== 'unavailable' && refused.error !== 'internal', refused.error);
          assert.ok(refused.line >= 1 && refused.line <= file.length);
          assert.ok(file[refused.line - 1]!.trim() !== '');
        }
        assert.deepEqual(
          report.refused.map((entry) => entry.line),
          [...report.refused.map((entry) => entry.line)].sort((a, b) => a - b),
        );
      }),
      { numRuns: 40 },
    );
  });

  it('stores a valid message of the pair, whatever its content (storable, within 5000 code points)', async () => {
    const content = hostileText({ maxPieces: 16, maxRun: 3000 }).filter(
      (value) => !/[\0-\x08\x0E-\x1B\x7F-\x84\x86-\x9F]|\p{Cs}/u.test(value) && Array.from(value).length <= 5000,
    );
    // A pair of its own: the hostile files above may rematch or demote the other one.
    const pair = [
      { kind: 'user', email: 'tom@stored.test', first_name: 'Tom', role: 'MENTOR' },
      { kind: 'user', email: 'mia@stored.test', first_name: 'Mia', role: 'MENTEE' },
      { kind: 'match', mentor_email: 'tom@stored.test', mentee_email: 'mia@stored.test' },
    ].map((value) => JSON.stringify(value));
    let id = 0;
    await fc.assert(
      fc.asyncProperty(content, fc.boolean(), fc.boolean(), async (value, fromMentee, isRead) => {
        id += 1;
        const [sender, receiver] = fromMentee ? ['mia@stored.test', 'tom@stored.test'] : ['tom@stored.test', 'mia@stored.test'];
        const message = {
          kind: 'message',
          external_id: `p-${id}`,
          sender_email: sender,
          receiver_email: receiver,
          content: value,
          timestamp: '2025-01-06T09:00:00Z',
          is_read: isRead,
        };
        const report = await importNdjson(chunked([[...pair, JSON.stringify(message)].join('\n')]), { store, mentorCapacity: null });
        assert.deepEqual(report.refused, []);
        assert.equal(report.messages.created, 1);
      }),
      { numRuns: 40 },
    );
  });
});
