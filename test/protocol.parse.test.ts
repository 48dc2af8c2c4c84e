/** The inbound frame parser, on raw strings (no socket), plus a fuzz pass. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CONNECTED_TEXT, ErrorText, MAX_CONTENT_CODE_POINTS } from '../src/protocol/frames.js';
import { codePointLength, parseFrame, pythonStrip } from '../src/protocol/parse.js';

describe('the contract texts', () => {
  // Written out from PROTOCOL.md and the seed, never read from src: a wrong constant fails here
  // and in every test that compares frames with these literals.
  it('the error and greeting texts are the contract’s, character for character', () => {
    assert.deepEqual(
      {
        emptyContent: ErrorText.emptyContent,
        tooLong: ErrorText.tooLong,
        unknownType: ErrorText.unknownType,
        invalidJson: ErrorText.invalidJson,
        rateLimited: ErrorText.rateLimited,
        matchPaused: ErrorText.matchPaused,
        connected: CONNECTED_TEXT,
        max: MAX_CONTENT_CODE_POINTS,
      },
      {
        emptyContent: 'Message content cannot be empty',
        tooLong: 'Message too long (max 5000 characters)',
        unknownType: 'Unknown message type',
        invalidJson: 'Invalid JSON format',
        rateLimited: 'Rate limit exceeded',
        matchPaused: 'This conversation is paused',
        connected: 'Connected to chat',
        max: 5000,
      },
    );
  });
});

describe('parseFrame', () => {
  it('parses the three inbound frames', () => {
    assert.deepEqual(parseFrame('{"type":"chat_message","content":" hi "}'), { ok: true, frame: { type: 'chat_message', content: 'hi' } });
    assert.deepEqual(parseFrame('{"type":"chat_message","content":"hi","client_id":"c-1"}'), {
      ok: true,
      frame: { type: 'chat_message', content: 'hi', client_id: 'c-1' },
    });
    assert.deepEqual(parseFrame('{"type":"typing","is_typing":true}'), { ok: true, frame: { type: 'typing', is_typing: true } });
    assert.deepEqual(parseFrame('{"type":"typing"}'), { ok: true, frame: { type: 'typing', is_typing: false } });
    assert.deepEqual(parseFrame('{"type":"mark_read","extra":1}'), { ok: true, frame: { type: 'mark_read' } });
  });

  it('ignores unknown extra fields and a null client_id', () => {
    assert.deepEqual(parseFrame('{"type":"chat_message","content":"x","client_id":null,"foo":[1]}'), {
      ok: true,
      frame: { type: 'chat_message', content: 'x' },
    });
  });

  it('rejects with the exact texts', () => {
    const cases: Array<[string, string]> = [
      ['', 'Invalid JSON format'],
      ['{', 'Invalid JSON format'],
      ["{'type':'typing'}", 'Invalid JSON format'],
      ['42', ErrorText.notObject],
      ['true', ErrorText.notObject],
      ['[]', ErrorText.notObject],
      ['{}', 'Unknown message type'],
      ['{"type":"CHAT_MESSAGE","content":"x"}', 'Unknown message type'],
      ['{"type":["chat_message"]}', 'Unknown message type'],
      ['{"type":"chat_message","content":"   "}', 'Message content cannot be empty'],
      ['{"type":"chat_message","content":false}', ErrorText.contentNotString],
      ['{"type":"chat_message","content":["x"]}', ErrorText.contentNotString],
      ['{"type":"chat_message","content":"x","client_id":{}}', ErrorText.badClientId],
      ['{"type":"typing","is_typing":1}', ErrorText.badTyping],
    ];
    for (const [text, error] of cases) assert.deepEqual(parseFrame(text), { ok: false, error }, text);
  });

  it('counts the 5000 limit in code points after trimming', () => {
    const ok = (content: string) => parseFrame(JSON.stringify({ type: 'chat_message', content })).ok;
    assert.equal(ok('a'.repeat(5000)), true);
    assert.equal(ok('a'.repeat(5001)), false);
    assert.equal(ok('𝄞'.repeat(5000)), true);
    assert.equal(ok('𝄞'.repeat(5001)), false);
    assert.equal(ok(` ${'a'.repeat(5000)}\u3000`), true);
    // A combining sequence counts per code point, as Python's len does.
    assert.equal(ok('e\u0301'.repeat(2500)), true);
    assert.equal(ok('e\u0301'.repeat(2500) + 'x'), false);
  });

  it('names the client_id of a refused chat_message when it is valid', () => {
    assert.deepEqual(parseFrame('{"type":"chat_message","content":" ","client_id":"c9"}'), {
      ok: false,
      error: 'Message content cannot be empty',
      clientId: 'c9',
    });
    assert.deepEqual(parseFrame(JSON.stringify({ type: 'chat_message', content: 'x'.repeat(5001), client_id: 'c9' })), {
      ok: false,
      error: 'Message too long (max 5000 characters)',
      clientId: 'c9',
    });
    assert.deepEqual(parseFrame('{"type":"chat_message","content":" ","client_id":""}'), { ok: false, error: ErrorText.badClientId });
  });

  it('accepts client_id of 1 and 64 characters, refuses 0 and 65', () => {
    const parse = (client_id: string) => parseFrame(JSON.stringify({ type: 'chat_message', content: 'x', client_id })).ok;
    assert.equal(parse('a'), true);
    assert.equal(parse('a'.repeat(64)), true);
    assert.equal(parse(''), false);
    assert.equal(parse('a'.repeat(65)), false);
  });

  it('never throws and always answers ok or a known error text (fuzz)', () => {
    const known = new Set<string>(Object.values(ErrorText));
    const pieces = [
      '{',
      '}',
      '[',
      ']',
      '"',
      ':',
      ',',
      'type',
      'chat_message',
      'typing',
      'mark_read',
      'content',
      'is_typing',
      'client_id',
      'null',
      'true',
      '1e309',
      '-0',
      '\\u0000',
      '\\ud83d',
      ' ',
      '😀',
      '"x"',
    ];
    let seed = 20261125;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let i = 0; i < 20000; i++) {
      let text = '';
      const length = Math.floor(random() * 12);
      for (let j = 0; j < length; j++) text += pieces[Math.floor(random() * pieces.length)];
      const result = parseFrame(text);
      if (!result.ok) assert.ok(known.has(result.error), `unknown error for ${JSON.stringify(text)}: ${result.error}`);
      else if (result.frame.type === 'chat_message') assert.ok(result.frame.content.length > 0);
    }
  });
});

describe('pythonStrip', () => {
  it('strips exactly what Python str.strip() strips', () => {
    assert.equal(pythonStrip('\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u200a\u2028\u2029\u202f\u205f\u3000x\u3000 '), 'x');
    // U+FEFF and U+200B are not whitespace to Python, though JavaScript's trim() strips U+FEFF.
    assert.equal(pythonStrip('\ufeffx\u200b'), '\ufeffx\u200b');
  });
});

describe('codePointLength', () => {
  it('counts astral characters once', () => {
    assert.equal(codePointLength('😀😀a'), 3);
    assert.equal(codePointLength('abc', 1), 2);
  });
});

describe('parseFrame: Part 8', () => {
  it('parses edit_message, delete_message, react and reply_to', () => {
    assert.deepEqual(parseFrame('{"type":"edit_message","message_id":"12","content":"  fixed  "}'), {
      ok: true,
      frame: { type: 'edit_message', message_id: '12', content: 'fixed' },
    });
    assert.deepEqual(parseFrame('{"type":"delete_message","message_id":12}'), { ok: true, frame: { type: 'delete_message', message_id: '12' } });
    assert.deepEqual(parseFrame('{"type":"react","message_id":"3","emoji":"👍"}'), {
      ok: true,
      frame: { type: 'react', message_id: '3', emoji: '👍', on: true },
    });
    assert.deepEqual(parseFrame('{"type":"react","message_id":"3","emoji":"👍","on":false}'), {
      ok: true,
      frame: { type: 'react', message_id: '3', emoji: '👍', on: false },
    });
    assert.deepEqual(parseFrame('{"type":"chat_message","content":"yes","reply_to":"7"}'), {
      ok: true,
      frame: { type: 'chat_message', content: 'yes', reply_to: '7' },
    });
  });

  it('rejects with the exact texts', () => {
    const cases: Array<[string, string]> = [
      ['{"type":"edit_message","content":"x"}', ErrorText.badMessageId],
      ['{"type":"edit_message","message_id":"0","content":"x"}', ErrorText.badMessageId],
      ['{"type":"edit_message","message_id":"h12","content":"x"}', ErrorText.badMessageId],
      ['{"type":"edit_message","message_id":"1234567890123456","content":"x"}', ErrorText.badMessageId],
      ['{"type":"edit_message","message_id":"1","content":"  "}', ErrorText.emptyContent],
      ['{"type":"edit_message","message_id":"1","content":7}', ErrorText.contentNotString],
      ['{"type":"delete_message","message_id":-1}', ErrorText.badMessageId],
      ['{"type":"react","message_id":"1"}', ErrorText.badEmoji],
      ['{"type":"react","message_id":"1","emoji":""}', ErrorText.badEmoji],
      ['{"type":"react","message_id":"1","emoji":"👍","on":"yes"}', ErrorText.badOn],
      ['{"type":"chat_message","content":"x","reply_to":"abc"}', ErrorText.badReplyTo],
    ];
    for (const [text, error] of cases) assert.deepEqual(parseFrame(text), { ok: false, error }, text);
  });
});
