/**
 * One validation for text everywhere (src/protocol/text.ts): every refused and accepted class
 * of names, emails and message content, on the pure functions (with a fuzz pass) and on both
 * paths — HTTP register / create user / login / path parameters, and WebSocket chat_message.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { ErrorText } from '../src/protocol/frames.js';
import { parseFrame } from '../src/protocol/parse.js';
import Fastify from 'fastify';
import fc from 'fast-check';
import { requireTextKinds, textKeyword } from '../src/http/text-fields.js';
import { contentProblem, emailProblem, isBlank, nameProblem, TEXT_KINDS, textProblem } from '../src/protocol/text.js';
import { Agent, matchedPair, uniqueEmail } from './helpers/http.js';
import { hostileText } from './helpers/hostile-text.js';
import { connectedPair, type ConnectedPair } from './helpers/pair.js';
import { startServer, suiteCleanup, type TestServer } from './helpers/server.js';
import { TestSocket, chatUrl } from './helpers/socket.js';

/** Independent of the module under test: encodeURIComponent throws on a lone surrogate. */
const wellFormed = (text: string): boolean => {
  try {
    encodeURIComponent(text);
    return true;
  } catch {
    return false;
  }
};

const BIDI = ['\u202A', '\u202B', '\u202C', '\u202D', '\u202E', '\u2066', '\u2067', '\u2068', '\u2069'];
const BLANK = [
  '\u200B',
  '\u200C\u200D',
  '\u2060',
  '\uFEFF',
  '\u2800',
  '\u180E',
  '\u3164',
  '\u115F\u1160',
  '\uFFA0',
  ' \u200B\u00A0',
  '\u034F',
  '\uFE0F',
  '\u00AD',
];

/** Name classes: [what, text]. Refused ones say which rule. */
const REFUSED_NAMES: Array<[string, string, RegExp]> = [
  ['a NUL', 'Ad\u0000a', /control characters/],
  ['a lone high surrogate', 'Ada\uD83D', /unpaired surrogates/],
  ['a lone low surrogate', '\uDE00Ada', /unpaired surrogates/],
  ['a reversed pair', 'A\uDE00\uD83Dda', /unpaired surrogates/],
  ['a bell', 'Ada\u0007', /control characters/],
  ['a tab', 'Ada\tLee', /control characters/],
  ['a newline', 'Ada\nLee', /control characters/],
  ['DEL', 'Ada\u007F', /control characters/],
  ['a C1 control', 'Ada\u0090', /control characters/],
  ['an escape sequence', '\u001B[31mAda', /control characters/],
  ...BIDI.map((bidi): [string, string, RegExp] => [`U+${bidi.codePointAt(0)!.toString(16).toUpperCase()}`, `Ada${bidi}gnp.exe`, /bidirectional/]),
  ...BLANK.map((blank): [string, string, RegExp] => [`blank ${JSON.stringify(blank)}`, blank, /visible character/]),
];
const ACCEPTED_NAMES = ['Ada', 'Zoë', 'O\u2019Brien', 'Jean-Luc', '李小龍', 'محمد', 'עדה', 'Ali 😀', '👩\u200D💻 Dev', 'A\u200EB', 'Ｗｉｄｅ'];

const REFUSED_CONTENT = ['\u0000', 'hi\u0000', 'a\uD800', 'a\uDFFF b', '\u0007', '\u001B[2J', '\u007F', '\u0090', '\u0080'];
const ACCEPTED_CONTENT = [
  'line 1\nline 2',
  'tab\there',
  'crlf\r\nok',
  'a\u202Eb (override inside a message)',
  'مرحبا',
  '😀',
  '👩\u200D💻',
  'x\u200B',
  '\u2066isolated\u2069',
  'Zoë',
];

describe('text rules (pure)', () => {
  it('refuses each class of bad names, saying which rule, and accepts the good ones', () => {
    for (const [what, text, message] of REFUSED_NAMES) assert.match(nameProblem(text) ?? 'accepted', message, what);
    for (const text of ACCEPTED_NAMES) assert.equal(nameProblem(text), null, text);
  });

  it('refuses unstorable content; blank content counts as empty; bidi and line breaks stay allowed in content', () => {
    for (const text of REFUSED_CONTENT) assert.notEqual(contentProblem(text), null, JSON.stringify(text));
    for (const text of [...ACCEPTED_CONTENT, ...BIDI, ...BLANK]) assert.equal(contentProblem(text), null, JSON.stringify(text));
    for (const text of BLANK) assert.equal(isBlank(text), true, JSON.stringify(text));
    for (const text of ACCEPTED_CONTENT) assert.equal(isBlank(text), false, JSON.stringify(text));
  });

  it('refuses emails with controls, lone surrogates or bidi controls', () => {
    for (const text of ['a\u0000@b.io', 'a\uD800@b.io', 'a\u202E@b.io', 'a\n@b.io']) assert.notEqual(emailProblem(text), null, JSON.stringify(text));
    assert.equal(emailProblem('ada@example.com'), null);
  });

  it('never throws, and whatever the parser stores is well-formed, storable and visible (fuzz)', () => {
    const pieces = [
      'a',
      ' ',
      '\n',
      '\t',
      '\u0000',
      '\u0007',
      '\uD83D',
      '\uDE00',
      '😀',
      '\u200B',
      '\u202E',
      '\u2066',
      '\u3164',
      '\u2800',
      '\uFEFF',
      'ى',
      '\u0301',
      '\u0085',
      '\u00A0',
    ];
    let seed = 20261201;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let i = 0; i < 20000; i++) {
      let text = '';
      const length = Math.floor(random() * 8);
      for (let j = 0; j < length; j++) text += pieces[Math.floor(random() * pieces.length)];
      const name = nameProblem(text);
      if (name === null) assert.ok(wellFormed(text) && !/[\p{Cc}\u202A-\u202E\u2066-\u2069]/u.test(text) && !isBlank(text), JSON.stringify(text));
      const parsed = parseFrame(JSON.stringify({ type: 'chat_message', content: text }));
      if (parsed.ok && parsed.frame.type === 'chat_message') {
        const { content } = parsed.frame;
        assert.ok(wellFormed(content) && !content.includes('\u0000') && !isBlank(content), JSON.stringify(text));
      } else {
        assert.ok(!parsed.ok && [ErrorText.badCharacters, ErrorText.emptyContent].includes(parsed.error as never), JSON.stringify(text));
      }
    }
  });
});

describe('kinds of text (pure)', () => {
  it('prose keeps line breaks and refuses other controls, bidi overrides and isolates, and text that shows as nothing', () => {
    for (const text of [
      '\u202E',
      '\u2066',
      '\u200B',
      ' \u200B\u00A0',
      '\uFEFF',
      'a\u202Eb',
      'fine\u2067',
      'a\u0000b',
      'a\uD800',
      'a\tb',
      'a\u0007',
      'a\u0085',
    ]) {
      assert.notEqual(textProblem('prose', text), null, JSON.stringify(text));
    }
    for (const text of ['line 1\nline 2', 'crlf\r\nok', 'مرحبا', 'עדה and Ada', '😀', 'a\u200Eb', 'x\u200B'])
      assert.equal(textProblem('prose', text), null, JSON.stringify(text));
    assert.match(textProblem('prose', '\u202E')!, /bidirectional/);
    assert.match(textProblem('prose', '\u200B')!, /visible/);
  });

  it('identifiers and search terms refuse NUL, controls and lone surrogates, and nothing else', () => {
    for (const kind of ['identifier', 'search'] as const) {
      for (const text of ['\u0000', 'a\nb', 'a\u0085', '\uDC00x', 'x\uD83D']) assert.notEqual(textProblem(kind, text), null, JSON.stringify(text));
      for (const text of [' ', 'a b', '😀', '\u202E', '\u200B', 'client-1']) assert.equal(textProblem(kind, text), null, JSON.stringify(text));
    }
  });

  it('never throws, and text any kind but secret accepts has no NUL and no lone surrogate (property)', () => {
    fc.assert(
      fc.property(hostileText(24), fc.constantFrom(...TEXT_KINDS), (text, kind) => {
        const problem = textProblem(kind, text);
        if (problem === null && kind !== 'secret') assert.ok(wellFormed(text) && !text.includes('\u0000'), `${kind} ${JSON.stringify(text)}`);
      }),
      { numRuns: 5000 },
    );
  });

  it("a route with a string of no kind of text fails at start; x-text applies the kind's rules, naming the field", async () => {
    const loose = Fastify({ ajv: { plugins: [textKeyword] } });
    requireTextKinds(loose);
    assert.throws(
      () => loose.post('/loose', { schema: { body: { type: 'object', properties: { note: { type: 'string', maxLength: 9 } } } } }, async () => ({})),
      /body\.note declare no x-text/,
    );
    const app = Fastify({ ajv: { plugins: [textKeyword] } });
    requireTextKinds(app);
    app.post(
      '/ok',
      { schema: { body: { type: 'object', properties: { note: { type: 'string', 'x-text': 'prose' }, id: { type: 'string', pattern: '^[0-9]+$' } } } } },
      async () => ({}),
    );
    const refused = await app.inject({ method: 'POST', url: '/ok', payload: { note: '\u202E' } });
    assert.equal(refused.statusCode, 400);
    assert.match(refused.json().message, /note must not contain bidirectional/);
    assert.equal((await app.inject({ method: 'POST', url: '/ok', payload: { note: 'a\nb' } })).statusCode, 200);
    await Promise.all([app.close(), loose.close()]);
  });
});

describe('text rules on the HTTP and WebSocket paths', () => {
  let server: TestServer;
  let pair: ConnectedPair;
  const cleanup = suiteCleanup();
  before(async () => {
    server = await startServer(cleanup, { REGISTRATIONS_PER_ADDRESS: '1000', WS_RATE_BURST: '1000', WS_RATE_PER_SECOND: '1000' });
    pair = await connectedPair(server);
  });
  const person = (overrides: Record<string, unknown>) => ({
    email: uniqueEmail('text'),
    password: 'correct horse',
    first_name: 'Ada',
    last_name: 'Lee',
    role: 'MENTEE',
    ...overrides,
  });

  it('register and create user refuse every bad class of names with 400 invalid_request, storing nothing', async () => {
    for (const [what, text, message] of REFUSED_NAMES) {
      for (const field of ['first_name', 'last_name']) {
        const body = person({ [field]: text });
        for (const reply of [await new Agent(server.http).post('/api/auth/register', body), await pair.admin.post('/api/users', { ...body, role: 'MENTOR' })]) {
          assert.equal(reply.status, 400, `${what} in ${field}: ${JSON.stringify(reply.body)}`);
          assert.equal(reply.body.error, 'invalid_request');
          assert.match(reply.body.message, new RegExp(`${field}|Invalid body`), what);
          if (reply.body.message.startsWith(field)) assert.match(reply.body.message, message, what);
        }
        assert.equal(await server.tandem.store.accounts.byEmail(String(body.email)), null, what);
      }
    }
  });

  it('register and create user accept every good class of names, stored as sent', async () => {
    for (const name of ACCEPTED_NAMES) {
      const body = person({ first_name: name, last_name: name });
      const reply = await new Agent(server.http).post('/api/auth/register', body);
      assert.equal(reply.status, 201, `${name}: ${JSON.stringify(reply.body)}`);
      assert.equal(reply.body.first_name, name);
      const stored = await server.tandem.store.accounts.byEmail(String(body.email));
      assert.equal(stored?.firstName, name);
      const byAdmin = await pair.admin.post('/api/users', person({ first_name: name, role: 'ADMIN' }));
      assert.equal(byAdmin.status, 201, name);
    }
  });

  it('login and path parameters refuse emails no user can have, before asking the store', async () => {
    for (const email of ['ada\u0000@example.com', 'ada\uD800@example.com', 'ada\u202E@example.com']) {
      const login = await new Agent(server.http).post('/api/auth/login', { email, password: 'correct horse' });
      assert.equal(login.status, 400, JSON.stringify(login.body));
      assert.equal(login.body.error, 'invalid_request');
      // A lone surrogate cannot travel in a URL (it has no UTF-8 form); the others can.
      if (!wellFormed(email)) continue;
      const history = await pair.mentee.get(`/api/chat/${encodeURIComponent(email)}/messages`);
      assert.equal(history.status, 400, JSON.stringify(history.body));
      const unmatch = await pair.admin.delete(`/api/matches/${encodeURIComponent(email)}`);
      assert.equal(unmatch.status, 400, JSON.stringify(unmatch.body));
      const socket = new TestSocket(chatUrl(server.ws, email), { cookie: pair.mentee.cookie });
      assert.equal((await socket.closed).code, 4003);
    }
  });

  it('reasons and notes refuse NUL, controls, bidi overrides and text that shows as nothing with 400 naming the field; line breaks stay', async () => {
    // A pair of its own: the chat tests below start from an empty history.
    const other = await matchedPair(pair.admin);
    const store = server.tandem.store;
    const mentee = (await store.accounts.byEmail(other.mentee.email))!;
    const pairId = (await store.matches.list(mentee.id))[0]!.pairId;
    const message = (await store.messages.append({ pairId, senderId: mentee.id, content: 'to report' })).message;
    const report = async () => (await store.reports.create(message.id, mentee.id, 'r')).id;
    const held = async () => {
      const result = await store.moderation.hold({
        pairId,
        senderId: mentee.id,
        content: 'call 07911 123456',
        clientId: null,
        rule: 'phone',
        matched: '07911 123456',
      });
      return 'held' in result ? result.held.id : assert.fail('not held');
    };
    const routes: Array<[string, (text: string) => Promise<{ status: number; body: any }>]> = [
      ['reason', (reason) => other.mentor.post(`/api/chat/${encodeURIComponent(other.mentee.email)}/messages/${message.id}/report`, { reason })],
      ['note', async (note) => pair.admin.post(`/api/reports/${await report()}/resolve`, { note })],
      ['reason', async (reason) => pair.admin.post(`/api/moderation/h${await held()}/reject`, { reason })],
    ];
    for (const [field, send] of routes) {
      for (const text of ['\u202E', '\u200B\u2060', 'see \u202Eexe.txt', 'a\u0000b', 'a\uD800b', 'bell\u0007']) {
        const reply = await send(text);
        assert.deepEqual([reply.status, reply.body.error], [400, 'invalid_request'], `${field} ${JSON.stringify(text)}: ${JSON.stringify(reply.body)}`);
        assert.match(reply.body.message, new RegExp(`^Invalid body: ${field} must`), JSON.stringify(text));
      }
      const kept = await send('line 1\nline 2');
      assert.ok(kept.status === 200 || kept.status === 201, JSON.stringify(kept.body));
    }
  });

  it('chat_message refuses a client_id with NUL, controls or lone surrogates with the client_id error, storing nothing', async () => {
    for (const clientId of ['a\u0000', 'a\nb', '\uD800', 'x\uDFFFy', '\u0085']) {
      pair.menteeSocket.ws.send(JSON.stringify({ type: 'chat_message', content: 'hello', client_id: clientId }));
      assert.deepEqual(await pair.menteeSocket.next(), { type: 'error', message: ErrorText.badClientId }, JSON.stringify(clientId));
    }
  });

  it('chat_message refuses unstorable content and blank content, naming the client_id, and stores nothing', async () => {
    const refused: Array<[string, string]> = [
      ...REFUSED_CONTENT.map((content): [string, string] => [content, ErrorText.badCharacters]),
      ...BLANK.map((content): [string, string] => [content, ErrorText.emptyContent]),
      [' \u200B\n\u2060\t', ErrorText.emptyContent],
    ];
    let n = 0;
    for (const [content, message] of refused) {
      const clientId = `refused-${++n}`;
      pair.menteeSocket.ws.send(JSON.stringify({ type: 'chat_message', content, client_id: clientId }));
      assert.deepEqual(await pair.menteeSocket.next(), { type: 'error', message, client_id: clientId }, JSON.stringify(content));
    }
    const history = await pair.mentee.get(`/api/chat/${encodeURIComponent(pair.mentor.email)}/messages`);
    assert.equal(history.body.messages.length, 0);
  });

  it('chat_message accepts every good class of content, stored and delivered as sent', async () => {
    for (const content of ACCEPTED_CONTENT) {
      pair.menteeSocket.ws.send(JSON.stringify({ type: 'chat_message', content }));
      const echo = await pair.menteeSocket.expect('chat_message');
      assert.equal(echo.content, content);
      assert.equal((await pair.mentorSocket.expect('chat_message')).content, content);
    }
    const history = await pair.mentee.get(`/api/chat/${encodeURIComponent(pair.mentor.email)}/messages`);
    assert.deepEqual(
      history.body.messages.map((message: { content: string }) => message.content),
      ACCEPTED_CONTENT,
    );
  });
});
