/**
 * Properties of the wire's text handling over generated hostile input: the frame parser
 * (`parseFrame`, `clientIdOf`, `messageIdOf` and Part 8's frames), Python's strip and len (`pythonStrip`, `codePointLength`), the
 * text rules (src/protocol/text.ts). Each
 * is checked against a reference written here from its definition, and never throws.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { ErrorText, MAX_CLIENT_ID_LENGTH, MAX_CONTENT_CODE_POINTS } from '../src/protocol/frames.js';
import { clientIdOf, codePointLength, messageIdOf, parseFrame, pythonStrip } from '../src/protocol/parse.js';
import { contentProblem, isBlank, nameProblem } from '../src/protocol/text.js';
import { BIDI_CONTROLS, hostileChar, hostileText, nestedJsonText, oddJsonValue, PY_WHITESPACE, whitespaceRun } from './helpers/attacker-text.js';

const RUNS = { numRuns: 300 };
const PY_SPACE_SET = new Set<string>(PY_WHITESPACE);

/** Python's `str.strip()`: the longest prefix and suffix of characters that are `isspace()`, taken off. */
function referenceStrip(text: string): string {
  const chars = Array.from(text);
  const first = chars.findIndex((char) => !PY_SPACE_SET.has(char));
  if (first < 0) return '';
  const last = chars.findLastIndex((char) => !PY_SPACE_SET.has(char));
  return chars.slice(first, last + 1).join('');
}

/** Code points of `text`, a lone surrogate counting as one (as Python's `len` counts it). */
const referenceLength = (text: string): number => Array.from(text).length;

const isLoneSurrogate = (char: string) => char.length === 1 && char.charCodeAt(0) >= 0xd800 && char.charCodeAt(0) <= 0xdfff;
const hasLoneSurrogate = (text: string) => Array.from(text).some(isLoneSurrogate);
/** The controls message content may not hold: C0 and C1 but for Python's whitespace among them. */
const isContentControl = (char: string) => {
  const code = char.codePointAt(0)!;
  return (code <= 0x1f || (code >= 0x7f && code <= 0x9f)) && !PY_SPACE_SET.has(char);
};
const isControl = (char: string) => {
  const code = char.codePointAt(0)!;
  return code <= 0x1f || (code >= 0x7f && code <= 0x9f);
};
const BIDI_OVERRIDES_AND_ISOLATES = new Set<string>(BIDI_CONTROLS.filter((char) => /[\u202A-\u202E\u2066-\u2069]/.test(char)));

/** Text of Python whitespace runs around and inside hostile characters: the freeze's shape, and more. */
const spacedText = fc.array(fc.oneof(hostileChar, whitespaceRun(3000)), { maxLength: 12 }).map((pieces) => pieces.join(''));

const PARSE_ERRORS = new Set<string>([
  ErrorText.invalidJson,
  ErrorText.notObject,
  ErrorText.unknownType,
  ErrorText.contentNotString,
  ErrorText.badCharacters,
  ErrorText.emptyContent,
  ErrorText.tooLong,
  ErrorText.badClientId,
  ErrorText.badTyping,
  ErrorText.badMessageId,
  ErrorText.badReplyTo,
  ErrorText.badEmoji,
  ErrorText.badOn,
]);

/** `value` as the server reads it back from JSON (NaN and Infinity become null; undefined stays absent). */
const asSent = (value: unknown): unknown => (value === undefined ? undefined : JSON.parse(JSON.stringify([value]))[0]);

/** The client_id the parser's answer names: the accepted chat_message's, or the refused one's. */
const namedBy = (parsed: ReturnType<typeof parseFrame>): string | undefined =>
  parsed.ok ? (parsed.frame.type === 'chat_message' ? parsed.frame.client_id : undefined) : parsed.clientId;

/** The contract's client_id: 1 to 64 UTF-16 units, no control characters (NUL among them) and no unpaired surrogates. */
const validClientId = (value: unknown): value is string =>
  typeof value === 'string' && value.length >= 1 && value.length <= MAX_CLIENT_ID_LENGTH && !/[\p{Cc}\p{Cs}]/u.test(value);

const clientIdValue = fc.oneof(
  fc.constant(undefined),
  hostileText({ maxPieces: 70, maxRun: 40 }),
  fc.string({ minLength: 1, maxLength: MAX_CLIENT_ID_LENGTH }),
  fc.string({ minLength: MAX_CLIENT_ID_LENGTH + 1, maxLength: MAX_CLIENT_ID_LENGTH + 3 }),
  oddJsonValue,
);

describe('pythonStrip (property)', () => {
  it('is Python str.strip(): equal to the reference over whitespace runs of every Python kind', () => {
    fc.assert(
      fc.property(spacedText, (text) => pythonStrip(text) === referenceStrip(text)),
      RUNS,
    );
  });

  it('keeps the middle as it is, leaves no Python whitespace at either end, and is idempotent', () => {
    fc.assert(
      fc.property(spacedText, (text) => {
        const stripped = pythonStrip(text);
        const start = text.indexOf(stripped);
        assert.ok(stripped === '' || (start >= 0 && [...text.slice(0, start)].every((c) => PY_SPACE_SET.has(c))));
        assert.ok([...text.slice(start + stripped.length)].every((c) => PY_SPACE_SET.has(c)) || stripped === '');
        assert.ok(!PY_SPACE_SET.has(stripped.at(0) ?? 'x') && !PY_SPACE_SET.has(stripped.at(-1) ?? 'x'));
        assert.equal(pythonStrip(stripped), stripped);
      }),
      RUNS,
    );
  });

  it('takes off only what Python takes off: no zero-width, BOM or filler character', () => {
    fc.assert(
      fc.property(fc.constantFrom('\uFEFF', '\u180E', '\u200B', '\u2060', '\u3164', '\u00AD'), whitespaceRun(50), (invisible, run) => {
        assert.equal(pythonStrip(`${run}${invisible}${run}`), invisible);
      }),
      { numRuns: 50 },
    );
  });
});

describe('codePointLength (property)', () => {
  it('counts code points as Python len does, and stops one past stopAfter', () => {
    fc.assert(
      fc.property(hostileText(), fc.nat({ max: 20_000 }), (text, stopAfter) => {
        const length = referenceLength(text);
        assert.equal(codePointLength(text), length);
        assert.equal(codePointLength(text, stopAfter), Math.min(length, stopAfter + 1));
      }),
      RUNS,
    );
  });
});

describe('parseFrame and clientIdOf (property)', () => {
  it('never throw on any text, and every refusal is one of the documented error texts', () => {
    const anyText = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 200 }),
      hostileText(),
      fc.json({ maxDepth: 4 }),
      fc.integer({ min: 1, max: 50_000 }).map(nestedJsonText),
      fc.integer({ min: 1, max: 50_000 }).map((depth) => '['.repeat(depth) + ']'.repeat(depth)),
      fc.integer({ min: 1, max: 50_000 }).map((depth) => '['.repeat(depth)),
    );
    fc.assert(
      fc.property(anyText, (text) => {
        const parsed = parseFrame(text);
        if (!parsed.ok) assert.ok(PARSE_ERRORS.has(parsed.error), parsed.error);
        const clientId = clientIdOf(text);
        assert.ok(clientId === undefined || validClientId(clientId));
        assert.equal(clientId, namedBy(parsed));
      }),
      RUNS,
    );
  });

  it('answers a chat_message exactly as the reference does: client_id, type, characters, strip, blankness, length', () => {
    const content = fc.oneof({ arbitrary: spacedText, weight: 4 }, { arbitrary: oddJsonValue, weight: 1 }, { arbitrary: fc.constant(undefined), weight: 1 });
    const long = fc.tuple(whitespaceRun(4000), fc.string({ unit: 'grapheme', minLength: 4990, maxLength: 5010 }), whitespaceRun(4000));
    const anyContent = fc.oneof({ arbitrary: content, weight: 5 }, { arbitrary: long.map((parts) => parts.join('')), weight: 1 });
    fc.assert(
      fc.property(anyContent, clientIdValue, oddJsonValue, (rawValue, givenClientId, extra) => {
        const [raw, clientId] = [asSent(rawValue), asSent(givenClientId)];
        const text = JSON.stringify({ type: 'chat_message', content: raw, client_id: clientId, extra });
        const parsed = parseFrame(text);
        assert.equal(clientIdOf(text), namedBy(parsed), 'clientIdOf names what the parser names');
        const named = validClientId(clientId) ? { clientId } : {};
        if (clientId !== undefined && clientId !== null && !validClientId(clientId)) {
          assert.deepEqual(parsed, { ok: false, error: ErrorText.badClientId });
          return;
        }
        const value = raw === undefined ? '' : raw;
        if (typeof value !== 'string') return assert.deepEqual(parsed, { ok: false, error: ErrorText.contentNotString, ...named });
        if (hasLoneSurrogate(value) || Array.from(value).some(isContentControl)) {
          return assert.deepEqual(parsed, { ok: false, error: ErrorText.badCharacters, ...named });
        }
        const stripped = referenceStrip(value);
        if (isBlank(stripped)) return assert.deepEqual(parsed, { ok: false, error: ErrorText.emptyContent, ...named });
        if (referenceLength(stripped) > MAX_CONTENT_CODE_POINTS) return assert.deepEqual(parsed, { ok: false, error: ErrorText.tooLong, ...named });
        const frame = validClientId(clientId) ? { type: 'chat_message', content: stripped, client_id: clientId } : { type: 'chat_message', content: stripped };
        assert.deepEqual(parsed, { ok: true, frame });
      }),
      RUNS,
    );
  });

  it('clientIdOf names the valid client_id of any chat_message, whatever else is wrong, and nothing else', () => {
    const type = fc.oneof(fc.constantFrom('chat_message', 'typing', 'mark_read', 'CHAT_MESSAGE', ''), oddJsonValue);
    fc.assert(
      fc.property(type, fc.oneof(spacedText, oddJsonValue), clientIdValue, (typeValue, content, givenClientId) => {
        const [frameType, clientId] = [asSent(typeValue), asSent(givenClientId)];
        const found = clientIdOf(JSON.stringify({ type: frameType, content, client_id: clientId }));
        const expected = frameType === 'chat_message' && validClientId(clientId) ? clientId : undefined;
        assert.equal(found, expected);
      }),
      RUNS,
    );
  });

  it('refuses typing frames whose is_typing is anything but a boolean, and reads huge numbers as such', () => {
    fc.assert(
      fc.property(oddJsonValue, (sent) => {
        const value = asSent(sent);
        const parsed = parseFrame(JSON.stringify({ type: 'typing', is_typing: value }));
        if (value === null) assert.deepEqual(parsed, { ok: true, frame: { type: 'typing', is_typing: false } });
        else if (typeof value === 'boolean') assert.deepEqual(parsed, { ok: true, frame: { type: 'typing', is_typing: value } });
        else assert.deepEqual(parsed, { ok: false, error: ErrorText.badTyping });
      }),
      { numRuns: 200 },
    );
  });
});

describe('text rules (property)', () => {
  it('contentProblem refuses exactly lone surrogates and the controls that are not Python whitespace', () => {
    fc.assert(
      fc.property(hostileText({ maxRun: 50 }), (text) => {
        const refused = hasLoneSurrogate(text) || Array.from(text).some(isContentControl);
        assert.equal(contentProblem(text) !== null, refused);
      }),
      RUNS,
    );
  });

  it('nameProblem accepts only well-formed, control-free, override-free, visible text, and says which rule', () => {
    fc.assert(
      fc.property(hostileText({ maxRun: 50 }), (text) => {
        const chars = Array.from(text);
        const problem = nameProblem(text);
        if (chars.some(isLoneSurrogate) || chars.some(isControl)) assert.match(problem ?? '', /control characters or unpaired surrogates/);
        else if (chars.some((char) => BIDI_OVERRIDES_AND_ISOLATES.has(char))) assert.match(problem ?? '', /bidirectional/);
        else if (isBlank(text)) assert.match(problem ?? '', /visible character/);
        else assert.equal(problem, null);
      }),
      RUNS,
    );
  });

  // emailProblem and normalizeEmail are the one email rule (src/protocol/email.ts), property-tested in test/email.test.ts.

  it('isBlank: blank pieces make blank text, one letter or digit makes it visible, Python strip never changes it', () => {
    const visible = fc.constantFrom('a', 'Z', '7', 'é', '李', 'ى', '😀', '٣', '!', '€');
    fc.assert(
      fc.property(spacedText, spacedText, visible, (before, after, char) => {
        assert.equal(isBlank(`${before}${char}${after}`), false);
        assert.equal(isBlank(pythonStrip(before)), isBlank(before));
        if (!hasLoneSurrogate(before) && !hasLoneSurrogate(after)) assert.equal(isBlank(before + after), isBlank(before) && isBlank(after));
      }),
      RUNS,
    );
  });

  it('change frames and reply_to: a message id is exactly a positive decimal of at most 15 digits, and the content rules are chat_message’s', () => {
    const id = fc.oneof(fc.integer({ min: -5, max: 10 ** 16 }), fc.string({ maxLength: 20 }), hostileText(), oddJsonValue, fc.constant(undefined));
    const reference = (value: unknown): string | null => {
      const text = typeof value === 'number' ? String(value) : value;
      return typeof text === 'string' && /^[1-9][0-9]{0,14}$/.test(text) ? text : null;
    };
    fc.assert(
      fc.property(
        fc.constantFrom('edit_message', 'delete_message', 'react'),
        id,
        spacedText,
        fc.oneof(fc.string({ maxLength: 40 }), oddJsonValue),
        (type, messageId, content, emoji) => {
          assert.equal(messageIdOf(asSent(messageId)), reference(asSent(messageId)));
          const text = JSON.stringify({ type, message_id: messageId, content, emoji });
          const parsed = parseFrame(text);
          if (!parsed.ok) return assert.ok(PARSE_ERRORS.has(parsed.error), parsed.error);
          assert.equal((parsed.frame as { message_id: string }).message_id, reference(asSent(messageId)));
          if (parsed.frame.type === 'edit_message') {
            const asMessage = parseFrame(JSON.stringify({ type: 'chat_message', content }));
            assert.ok(asMessage.ok && asMessage.frame.type === 'chat_message');
            assert.equal(parsed.frame.content, asMessage.frame.content);
          }
        },
      ),
      RUNS,
    );
    fc.assert(
      fc.property(id, (replyTo) => {
        const parsed = parseFrame(JSON.stringify({ type: 'chat_message', content: 'x', reply_to: replyTo }));
        const expected = asSent(replyTo) === undefined || asSent(replyTo) === null ? undefined : reference(asSent(replyTo));
        if (expected === null) return assert.deepEqual(parsed, { ok: false, error: ErrorText.badReplyTo });
        assert.ok(parsed.ok && parsed.frame.type === 'chat_message');
        assert.equal(parsed.frame.reply_to, expected);
      }),
      RUNS,
    );
  });
});
