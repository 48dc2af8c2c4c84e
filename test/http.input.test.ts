/**
 * What the API refuses before any handler acts: foreign origins and non-JSON bodies on
 * state-changing requests (CSRF), oversized bodies, wrong types, unknown fields, malformed
 * emails and huge query values — always 4xx with the error body, never 500 — and the
 * request id every reply carries.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { Agent, createUser, matchedPair, uniqueEmail } from './helpers/http.js';
import { startWithPair } from './helpers/pair.js';
import { ADMIN, startServer, suiteCleanup, type TestServer } from './helpers/server.js';

const enc = encodeURIComponent;

describe('HTTP input guards', () => {
  let server: TestServer;
  let admin: Agent;
  let pair: { mentor: Agent; mentee: Agent };
  const cleanup = suiteCleanup();
  before(async () => {
    ({ server, admin, ...pair } = await startWithPair(cleanup));
  });

  /** Every state-changing endpoint, called by whoever may call it, with a valid body. */
  const stateChanging = (): Array<[string, Agent, string, string, unknown]> => [
    [
      'register',
      new Agent(server.http),
      'POST',
      '/api/auth/register',
      { email: uniqueEmail('r'), password: 'long enough', first_name: 'A', last_name: 'B', role: 'MENTEE' },
    ],
    ['login', new Agent(server.http), 'POST', '/api/auth/login', { email: admin.email, password: ADMIN.password }],
    ['logout', pair.mentee, 'POST', '/api/auth/logout', {}],
    ['create user', admin, 'POST', '/api/users', { email: uniqueEmail('u'), password: 'long enough', first_name: 'A', last_name: 'B', role: 'MENTOR' }],
    ['match', admin, 'POST', '/api/matches', { mentor_email: pair.mentor.email, mentee_email: uniqueEmail('m') }],
    ['unmatch', pair.mentor, 'DELETE', `/api/matches/${enc(pair.mentee.email)}`, undefined],
    ['mark read', pair.mentee, 'POST', `/api/chat/${enc(pair.mentor.email)}/read`, {}],
  ];

  async function assertNothingChanged(): Promise<void> {
    assert.equal((await pair.mentee.get('/api/me')).status, 200, 'the session was not revoked');
    assert.equal((await pair.mentee.get('/api/matches')).body.matches.length, 1, 'the match was not ended');
  }

  describe('CSRF: origin and media type', () => {
    it('403 origin_not_allowed for a foreign or opaque Origin on every state-changing endpoint; nothing happens', async () => {
      for (const origin of ['https://evil.example', 'null', `http://127.0.0.1:1`]) {
        for (const [name, agent, method, path, body] of stateChanging()) {
          const reply = await agent.request(method, path, body, { origin });
          assert.equal(reply.status, 403, `${name} from ${origin}`);
          assert.deepEqual(reply.body, { error: 'origin_not_allowed', message: 'Origin not allowed' });
        }
      }
      await assertNothingChanged();
    });

    it('415 unsupported_media_type for any body that is not application/json; nothing happens', async () => {
      const types = ['application/x-www-form-urlencoded', 'text/plain', 'multipart/form-data; boundary=x', 'application/jsonx', 'text/json'];
      for (const type of types) {
        for (const [name, agent, method, path, body] of stateChanging()) {
          const reply = await agent.request(method, path, JSON.stringify(body ?? {}), { 'content-type': type });
          assert.equal(reply.status, 415, `${name} as ${type}`);
          assert.equal(reply.body.error, 'unsupported_media_type');
        }
      }
      await assertNothingChanged();
    });

    it('accepts the own origin, JSON with parameters, and bodiless actions', async () => {
      const own = await new Agent(server.http).post('/api/auth/login', { email: admin.email, password: ADMIN.password }, { origin: server.http });
      assert.equal(own.status, 200);
      const charset = await admin.post(
        '/api/users',
        JSON.stringify({ email: uniqueEmail('c'), password: 'long enough', first_name: 'A', last_name: 'B', role: 'MENTEE' }),
        {
          'content-type': 'Application/JSON; charset=utf-8',
        },
      );
      assert.equal(charset.status, 201);
      const other = await matchedPair(admin);
      const bare = await other.mentee.request('POST', `/api/chat/${enc(other.mentor.email)}/read`);
      assert.deepEqual([bare.status, bare.body], [200, { count: 0 }]);
      const emptyJson = await other.mentee.request('POST', `/api/chat/${enc(other.mentor.email)}/read`, '', { 'content-type': 'application/json' });
      assert.deepEqual([emptyJson.status, emptyJson.body], [200, { count: 0 }]);
      const safe = await other.mentee.get('/api/me', { origin: 'https://evil.example' });
      assert.equal(safe.status, 200, 'reads are not state-changing');
      assert.equal(safe.headers.get('access-control-allow-origin'), null, 'but get no CORS grant');
      const logout = await (await createUser(admin, { role: 'MENTOR' })).request('POST', '/api/auth/logout');
      assert.equal(logout.status, 204);
    });

    it('with ALLOWED_ORIGINS: CORS with credentials for exactly those, 403 for the rest (the own host included)', async (t) => {
      const front = 'https://app.example.com';
      const cors = await startServer(t, { ALLOWED_ORIGINS: `${front},http://localhost:3000` });
      const preflight = await new Agent(cors.http).request('OPTIONS', '/api/auth/login', undefined, {
        origin: front,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type',
      });
      assert.equal(preflight.status, 204);
      assert.equal(preflight.headers.get('access-control-allow-origin'), front);
      assert.equal(preflight.headers.get('access-control-allow-credentials'), 'true');
      assert.match(preflight.headers.get('access-control-allow-headers') ?? '', /content-type/);
      assert.equal(preflight.headers.get('access-control-allow-methods'), 'GET, POST, PUT, DELETE');
      assert.equal(preflight.headers.get('access-control-max-age'), '600');
      assert.equal(preflight.headers.get('vary'), 'Origin');
      const foreignPreflight = await new Agent(cors.http).request('OPTIONS', '/api/auth/login', undefined, {
        origin: 'https://evil.example',
        'access-control-request-method': 'POST',
      });
      assert.equal(foreignPreflight.status, 404);
      assert.equal(foreignPreflight.headers.get('access-control-allow-origin'), null);
      const login = await new Agent(cors.http).post('/api/auth/login', { email: admin.email, password: ADMIN.password }, { origin: front });
      assert.equal(login.status, 200);
      assert.equal(login.headers.get('access-control-allow-origin'), front);
      assert.equal(login.headers.get('access-control-expose-headers'), 'retry-after, x-request-id');
      const form = await new Agent(cors.http).request('POST', '/api/auth/login', 'a=b', { origin: front, 'content-type': 'text/plain' });
      assert.equal(form.status, 415);
      assert.equal(form.headers.get('access-control-allow-origin'), front, 'the page can read the refusal');
      for (const origin of ['https://evil.example', cors.http]) {
        const refused = await new Agent(cors.http).post('/api/auth/login', { email: admin.email, password: ADMIN.password }, { origin });
        assert.equal(refused.status, 403, origin);
        assert.equal(refused.headers.get('access-control-allow-origin'), null);
      }
    });
  });

  describe('bad input: 4xx with the error body, never 500', () => {
    const cases = (): Array<[string, Agent, string, string, unknown, number, string]> => [
      [
        'register: email of the wrong type',
        new Agent(server.http),
        'POST',
        '/api/auth/register',
        { email: 42, password: 'long enough', first_name: 'A', last_name: 'B', role: 'MENTEE' },
        400,
        'invalid_request',
      ],
      [
        'register: a malformed email',
        new Agent(server.http),
        'POST',
        '/api/auth/register',
        { email: 'a b@c.d', password: 'long enough', first_name: 'A', last_name: 'B', role: 'MENTEE' },
        400,
        'invalid_request',
      ],
      [
        'login: an unknown field',
        new Agent(server.http),
        'POST',
        '/api/auth/login',
        { email: 'a@b.io', password: 'x', remember: true },
        400,
        'invalid_request',
      ],
      [
        'login: a password that is a number',
        new Agent(server.http),
        'POST',
        '/api/auth/login',
        { email: 'a@b.io', password: 12345678 },
        400,
        'invalid_request',
      ],
      ['login: a JSON string', new Agent(server.http), 'POST', '/api/auth/login', '"hello"', 400, 'invalid_request'],
      ['login: JSON null', new Agent(server.http), 'POST', '/api/auth/login', 'null', 400, 'invalid_request'],
      [
        'login: prototype pollution',
        new Agent(server.http),
        'POST',
        '/api/auth/login',
        '{"__proto__":{"admin":true},"email":"a@b.io","password":"x"}',
        400,
        'invalid_json',
      ],
      ['login: truncated JSON', new Agent(server.http), 'POST', '/api/auth/login', '{"email": "a@b.io", "password', 400, 'invalid_json'],
      [
        'users: an unknown role',
        admin,
        'POST',
        '/api/users',
        { email: uniqueEmail('x'), password: 'long enough', first_name: 'A', last_name: 'B', role: 'ROOT' },
        400,
        'invalid_request',
      ],
      [
        'users: a nested object for a name',
        admin,
        'POST',
        '/api/users',
        { email: uniqueEmail('x'), password: 'long enough', first_name: { a: 1 }, last_name: 'B', role: 'MENTOR' },
        400,
        'invalid_request',
      ],
      ['matches: malformed emails', admin, 'POST', '/api/matches', { mentor_email: 'mentor@', mentee_email: '@mentee.io' }, 400, 'invalid_request'],
      ['matches: an email as an array', admin, 'POST', '/api/matches', { mentor_email: ['a@b.io'], mentee_email: 'c@d.io' }, 400, 'invalid_request'],
      ['matches: an unknown field', admin, 'POST', '/api/matches', { mentor_email: 'a@b.io', mentee_email: 'c@d.io', note: 'x' }, 400, 'invalid_request'],
      ['read: a field in the body', pair.mentee, 'POST', `/api/chat/${enc(pair.mentor.email)}/read`, { all: true }, 400, 'invalid_request'],
      ['read: an array body', pair.mentee, 'POST', `/api/chat/${enc(pair.mentor.email)}/read`, [], 400, 'invalid_request'],
      ['unmatch: an email of 300 characters', admin, 'DELETE', `/api/matches/${'a'.repeat(290)}%40b.io`, undefined, 400, 'invalid_request'],
      // Who (signed in) before what: an address the email rule refuses names nobody, so it says nothing of who exists.
      ['history: an email of 300 characters', pair.mentee, 'GET', `/api/chat/${'a'.repeat(290)}%40b.io/messages`, undefined, 400, 'invalid_request'],
    ];
    const history = (query: string) => `/api/chat/${enc(pair.mentor.email)}/messages?${query}`;
    const queries = [
      'limit=0',
      'limit=-1',
      'limit=abc',
      'limit=1e3',
      'limit=10000000',
      `limit=${'9'.repeat(40)}`,
      'before=-1',
      'before=1.5',
      `before=${'9'.repeat(16)}`,
      `after=${'1'.repeat(400)}`,
      'after=0x10',
      'limit=1&limit=2',
      'page=2',
      'before=',
    ];

    it('refuses wrong types, unknown fields, malformed emails and JSON', async () => {
      for (const [label, agent, method, path, body, status, code] of cases()) {
        const reply = await agent.request(method, path, body);
        assert.equal(reply.status, status, label);
        assert.equal(reply.body.error, code, label);
        assert.equal(typeof reply.body.message, 'string', label);
      }
    });

    it('refuses huge or malformed query values and unknown parameters', async () => {
      for (const query of queries) {
        const reply = await pair.mentee.get(history(query));
        assert.equal(reply.status, 400, query);
        assert.equal(reply.body.error, 'invalid_request', query);
      }
    });

    it('the parser never echoes the body in its message', async () => {
      const reply = await new Agent(server.http).post('/api/auth/login', '{"password": "hunter2-secret", oops}');
      assert.deepEqual(reply.body, { error: 'invalid_json', message: 'The body is not valid JSON' });
    });

    it('413 body_too_large over 64 KiB on every state-changing endpoint', async () => {
      const padding = 'x'.repeat(70 * 1024);
      for (const [name, agent, method, path, body] of stateChanging()) {
        const reply = await agent.request(method, path, { ...(body as object), padding });
        assert.equal(reply.status, 413, name);
        assert.equal(reply.body.error, 'body_too_large', name);
      }
      await assertNothingChanged();
    });
  });

  describe('request ids', () => {
    it('every reply carries x-request-id; a tame X-Request-Id from the caller is kept, any other replaced', async () => {
      const fresh = await new Agent(server.http).get('/healthz');
      assert.match(fresh.headers.get('x-request-id') ?? '', /^[0-9a-f-]{36}$/);
      const kept = await new Agent(server.http).get('/api/me', { 'x-request-id': 'edge-7f3a.42' });
      assert.equal(kept.headers.get('x-request-id'), 'edge-7f3a.42');
      for (const wild of ['has spaces in it', 'x'.repeat(65), 'quote"d']) {
        const replaced = await new Agent(server.http).get('/healthz', { 'x-request-id': wild });
        assert.match(replaced.headers.get('x-request-id') ?? '', /^[0-9a-f-]{36}$/, wild);
      }
      const notFound = await new Agent(server.http).get('/api/nope');
      assert.ok(notFound.headers.get('x-request-id'));
    });
  });
});
