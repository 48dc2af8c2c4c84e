/**
 * The authorization matrix: every endpoint of the OpenAPI document × {anonymous, the
 * mentee, her mentor, another mentee, another mentor, admin}, with the expected status, in
 * one table. Each cell runs on its own copy of the actor's session; cells that change state
 * get fresh data or are undone, so the order of cells does not matter. Every operation with a
 * body is called again with an invalid body: who is asking is decided first, so anonymous
 * callers get 401 and wrong roles 403, and only those who may call it hear 400.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { Agent, createUser, loginAdmin, match, uniqueEmail } from './helpers/http.js';
import { ADMIN, startServer } from './helpers/server.js';
import { passwordOf } from './helpers/accounts.js';
import type { Store } from '../src/store/index.js';

const ACTORS = ['anonymous', 'mentee', 'mentor', 'otherMentee', 'otherMentor', 'admin'] as const;
type Actor = (typeof ACTORS)[number];

interface World {
  agents: Record<Exclude<Actor, 'anonymous'>, Agent>;
  admin: Agent;
  base: string;
  store: Store;
}

interface Call {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  body?: unknown;
  /** Use a session of its own (the call revokes it). */
  freshSession?: boolean;
}

interface Row {
  /** The operation as the OpenAPI document names it. */
  route: string;
  call(actor: Actor, world: World): Promise<Call> | Call;
  expect: [anonymous: number, mentee: number, mentor: number, otherMentee: number, otherMentor: number, admin: number];
  /** Puts back what a successful call changed. */
  undo?(world: World): Promise<void>;
  /** For operations with a body: the statuses when the body is invalid. */
  invalid?: Row['expect'];
}

/** Fails every body schema: an unknown field, and the required ones missing. */
const INVALID_BODY = { unexpected: true };

const enc = encodeURIComponent;
/** The pair's chat as seen by `actor`: the mentee names her mentor, everyone else names the mentee. */
const chatPartner = (actor: Actor, world: World) => (actor === 'mentee' ? world.agents.mentor.email : world.agents.mentee.email);
/** The pair of the mentee and her mentor, straight from the store. */
async function thePair(world: World) {
  const mentee = (await world.store.accounts.byEmail(world.agents.mentee.email))!;
  const [pair] = await world.store.matches.list(mentee.id);
  return { pairId: pair!.pairId, mentee };
}
/** A message of the mentee's, to report. */
async function aMessage(world: World): Promise<number> {
  const { pairId, mentee } = await thePair(world);
  return (await world.store.messages.append({ pairId, senderId: mentee.id, content: 'to report' })).message.id;
}
/** A held message of the mentee's, awaiting a decision, as its wire id. */
async function aHeldMessage(world: World): Promise<string> {
  const { pairId, mentee } = await thePair(world);
  const held = await world.store.moderation.hold({ pairId, senderId: mentee.id, content: 'jo@example.com', rule: 'email', matched: 'jo@example.com' });
  return `h${'held' in held ? held.held.id : 0}`;
}
async function aReport(world: World): Promise<number> {
  const { mentee } = await thePair(world);
  return (await world.store.reports.create(await aMessage(world), mentee.id, 'matrix')).id;
}
/** A file the mentee uploaded to the pair and has not sent: only its uploader may fetch it. */
async function anUnsentFile(world: World): Promise<number> {
  const { pairId, mentee } = await thePair(world);
  const bytes = new TextEncoder().encode('notes for our next chat');
  return (
    await world.store.attachments.create({ pairId, uploaderId: mentee.id, name: 'notes.txt', contentType: 'text/plain', bytes, dailyLimitBytes: 1 << 20 })
  ).id;
}
const ADMIN_ONLY: Row['expect'] = [401, 403, 403, 403, 403, 200];
const ADMIN_ONLY_INVALID: Row['expect'] = [401, 403, 403, 403, 403, 400];
const person = (role: string) => ({ email: uniqueEmail('cell'), password: 'long enough', first_name: 'Cell', last_name: 'Person', role });

const ROWS: Row[] = [
  {
    route: 'POST /api/auth/register',
    call: () => ({ method: 'POST', path: '/api/auth/register', body: person('MENTEE') }),
    expect: [201, 201, 201, 201, 201, 201],
    invalid: [400, 400, 400, 400, 400, 400],
  },
  {
    route: 'POST /api/auth/login',
    call: () => ({ method: 'POST', path: '/api/auth/login', body: { email: ADMIN.email, password: ADMIN.password } }),
    expect: [200, 200, 200, 200, 200, 200],
    invalid: [400, 400, 400, 400, 400, 400],
  },
  {
    route: 'POST /api/auth/logout',
    call: () => ({ method: 'POST', path: '/api/auth/logout', freshSession: true }),
    expect: [401, 204, 204, 204, 204, 204],
    invalid: [401, 400, 400, 400, 400, 400],
  },
  {
    // The world has an admin, so the first run's route is closed to everyone (test/setup.test.ts opens it).
    route: 'POST /api/setup',
    call: () => ({
      method: 'POST',
      path: '/api/setup',
      body: { token: 'any', email: uniqueEmail('setup'), password: 'long enough', first_name: 'Set', last_name: 'Up' },
    }),
    expect: [410, 410, 410, 410, 410, 410],
    invalid: [400, 400, 400, 400, 400, 400],
  },
  { route: 'GET /api/auth/session', call: () => ({ method: 'GET', path: '/api/auth/session' }), expect: [200, 200, 200, 200, 200, 200] },
  { route: 'GET /api/auth/sessions', call: () => ({ method: 'GET', path: '/api/auth/sessions' }), expect: [401, 200, 200, 200, 200, 200] },
  { route: 'GET /api/me', call: () => ({ method: 'GET', path: '/api/me' }), expect: [401, 200, 200, 200, 200, 200] },
  {
    route: 'POST /api/users',
    call: () => ({ method: 'POST', path: '/api/users', body: person('MENTOR') }),
    expect: [401, 403, 403, 403, 403, 201],
    invalid: [401, 403, 403, 403, 403, 400],
  },
  {
    route: 'POST /api/users/{email}/password-reset',
    call: async (_actor, world) => ({ method: 'POST', path: `/api/users/${enc((await createUser(world.admin, { role: 'MENTEE' })).email)}/password-reset` }),
    expect: [401, 403, 403, 403, 403, 201],
    invalid: [401, 403, 403, 403, 403, 400],
  },
  {
    // No link is valid here (test/http.password-reset.test.ts makes them): whoever asks hears 410.
    route: 'POST /api/auth/password-reset',
    call: () => ({ method: 'POST', path: '/api/auth/password-reset', body: { token: 'no such link', password: 'long enough' } }),
    expect: [410, 410, 410, 410, 410, 410],
    invalid: [400, 400, 400, 400, 400, 400],
  },
  {
    route: 'POST /api/matches',
    async call(_actor, world) {
      const mentor = await createUser(world.admin, { role: 'MENTOR' });
      const mentee = await createUser(world.admin, { role: 'MENTEE' });
      return { method: 'POST', path: '/api/matches', body: { mentor_email: mentor.email, mentee_email: mentee.email } };
    },
    expect: [401, 403, 403, 403, 403, 201],
    invalid: [401, 403, 403, 403, 403, 400],
  },
  {
    route: 'PUT /api/users/{email}',
    call: () => ({ method: 'PUT', path: `/api/users/${enc(uniqueEmail('put'))}`, body: { first_name: 'Put', last_name: 'Person', role: 'MENTOR' } }),
    expect: [401, 403, 403, 403, 403, 201],
    invalid: [401, 403, 403, 403, 403, 400],
  },
  {
    route: 'PUT /api/matches/{mentee_email}',
    async call(_actor, world) {
      const mentor = await createUser(world.admin, { role: 'MENTOR' });
      const mentee = await createUser(world.admin, { role: 'MENTEE' });
      return { method: 'PUT', path: `/api/matches/${enc(mentee.email)}`, body: { mentor_email: mentor.email } };
    },
    expect: [401, 403, 403, 403, 403, 201],
    invalid: [401, 403, 403, 403, 403, 400],
  },
  { route: 'POST /api/import', call: () => ({ method: 'POST', path: '/api/import' }), expect: [401, 403, 403, 403, 403, 200] },
  { route: 'GET /api/matches', call: () => ({ method: 'GET', path: '/api/matches' }), expect: [401, 200, 200, 200, 200, 200] },
  {
    route: 'DELETE /api/matches/{mentee_email}',
    call: (_actor, world) => ({ method: 'DELETE', path: `/api/matches/${enc(world.agents.mentee.email)}` }),
    expect: [401, 204, 204, 403, 403, 204],
    undo: (world) => match(world.admin, world.agents.mentor, world.agents.mentee),
  },
  ...(['pause', 'resume'] as const).map((action): Row => ({
    route: `POST /api/matches/{mentee_email}/${action}`,
    call: (_actor, world) => ({ method: 'POST', path: `/api/matches/${enc(world.agents.mentee.email)}/${action}` }),
    expect: [401, 403, 403, 403, 403, 200],
    undo: async (world) => void (await world.admin.post(`/api/matches/${enc(world.agents.mentee.email)}/resume`)),
    invalid: [401, 403, 403, 403, 403, 400],
  })),
  { route: 'GET /api/users', call: () => ({ method: 'GET', path: '/api/users?status=unmatched' }), expect: [401, 403, 403, 403, 403, 200] },
  { route: 'GET /api/chat/reactions', call: () => ({ method: 'GET', path: '/api/chat/reactions' }), expect: [401, 200, 200, 200, 200, 200] },
  { route: 'GET /api/chat/conversations', call: () => ({ method: 'GET', path: '/api/chat/conversations' }), expect: [401, 200, 200, 200, 200, 200] },
  {
    route: 'GET /api/chat/{partner_email}/messages',
    call: (actor, world) => ({ method: 'GET', path: `/api/chat/${enc(chatPartner(actor, world))}/messages` }),
    expect: [401, 200, 200, 403, 403, 403],
  },
  {
    route: 'GET /api/chat/{partner_email}/search',
    call: (actor, world) => ({ method: 'GET', path: `/api/chat/${enc(chatPartner(actor, world))}/search?q=hello` }),
    expect: [401, 200, 200, 403, 403, 403],
  },
  {
    route: 'POST /api/chat/{partner_email}/attachments',
    call: (actor, world) => ({ method: 'POST', path: `/api/chat/${enc(chatPartner(actor, world))}/attachments?name=notes.txt`, body: 'notes' }),
    expect: [401, 201, 201, 403, 403, 403],
  },
  {
    route: 'GET /api/attachments/{attachment_id}',
    call: async (_actor, world) => ({ method: 'GET', path: `/api/attachments/${await anUnsentFile(world)}` }),
    expect: [401, 200, 404, 404, 404, 404],
  },
  {
    route: 'POST /api/chat/{partner_email}/read',
    call: (actor, world) => ({ method: 'POST', path: `/api/chat/${enc(chatPartner(actor, world))}/read` }),
    expect: [401, 200, 200, 403, 403, 403],
    invalid: [401, 400, 400, 403, 403, 403],
  },
  {
    route: 'POST /api/chat/{partner_email}/messages/{message_id}/report',
    call: async (actor, world) => ({
      method: 'POST',
      path: `/api/chat/${enc(chatPartner(actor, world))}/messages/${await aMessage(world)}/report`,
      body: { reason: 'rude' },
    }),
    expect: [401, 201, 201, 403, 403, 403],
    invalid: [401, 400, 400, 403, 403, 403],
  },
  { route: 'GET /api/moderation', call: () => ({ method: 'GET', path: '/api/moderation' }), expect: ADMIN_ONLY },
  { route: 'GET /api/moderation/words', call: () => ({ method: 'GET', path: '/api/moderation/words' }), expect: ADMIN_ONLY },
  {
    route: 'PUT /api/moderation/words',
    call: () => ({ method: 'PUT', path: '/api/moderation/words', body: { add: ['matrix phrase'] } }),
    expect: ADMIN_ONLY,
    invalid: ADMIN_ONLY_INVALID,
  },
  {
    route: 'POST /api/moderation/{message_id}/approve',
    call: async (_actor, world) => ({ method: 'POST', path: `/api/moderation/${await aHeldMessage(world)}/approve` }),
    expect: ADMIN_ONLY,
    invalid: ADMIN_ONLY_INVALID,
  },
  {
    route: 'POST /api/moderation/{message_id}/reject',
    call: async (_actor, world) => ({ method: 'POST', path: `/api/moderation/${await aHeldMessage(world)}/reject`, body: { reason: 'no' } }),
    expect: ADMIN_ONLY,
    invalid: ADMIN_ONLY_INVALID,
  },
  { route: 'GET /api/programme/pairs', call: () => ({ method: 'GET', path: '/api/programme/pairs' }), expect: ADMIN_ONLY },
  { route: 'GET /api/programme/pairs.csv', call: () => ({ method: 'GET', path: '/api/programme/pairs.csv' }), expect: ADMIN_ONLY },
  { route: 'GET /api/programme/activity', call: () => ({ method: 'GET', path: '/api/programme/activity' }), expect: ADMIN_ONLY },
  { route: 'GET /api/admin/counts', call: () => ({ method: 'GET', path: '/api/admin/counts' }), expect: ADMIN_ONLY },
  {
    route: 'POST /api/programme/announcements',
    call: () => ({ method: 'POST', path: '/api/programme/announcements', body: { content: 'Hello, programme', audience: 'mentors' } }),
    expect: [401, 403, 403, 403, 403, 201],
    invalid: ADMIN_ONLY_INVALID,
  },
  { route: 'GET /api/announcements', call: () => ({ method: 'GET', path: '/api/announcements' }), expect: [401, 200, 200, 200, 200, 200] },
  { route: 'GET /api/reports', call: () => ({ method: 'GET', path: '/api/reports' }), expect: ADMIN_ONLY },
  {
    route: 'GET /api/reports/{report_id}',
    call: async (_actor, world) => ({ method: 'GET', path: `/api/reports/${await aReport(world)}` }),
    expect: ADMIN_ONLY,
  },
  {
    route: 'POST /api/reports/{report_id}/resolve',
    call: async (_actor, world) => ({ method: 'POST', path: `/api/reports/${await aReport(world)}/resolve`, body: { note: 'done' } }),
    expect: ADMIN_ONLY,
    invalid: ADMIN_ONLY_INVALID,
  },
  { route: 'GET /api/conversations', call: () => ({ method: 'GET', path: '/api/conversations' }), expect: ADMIN_ONLY },
  {
    // Under the default policy, private, content is closed to admins too.
    route: 'POST /api/conversations/{pair_id}/messages',
    call: async (_actor, world) => ({ method: 'POST', path: `/api/conversations/${(await thePair(world)).pairId}/messages` }),
    expect: [401, 403, 403, 403, 403, 403],
    invalid: [401, 403, 403, 403, 403, 400],
  },
  {
    route: 'GET /api/users/{email}/export',
    call: (_actor, world) => ({ method: 'GET', path: `/api/users/${enc(world.agents.mentee.email)}/export` }),
    expect: [401, 200, 403, 403, 403, 200],
  },
  {
    route: 'DELETE /api/users/{email}',
    call: async (_actor, world) => ({ method: 'DELETE', path: `/api/users/${enc((await createUser(world.admin, { role: 'MENTEE' })).email)}` }),
    expect: [401, 403, 403, 403, 403, 204],
  },
  { route: 'GET /api/audit', call: () => ({ method: 'GET', path: '/api/audit' }), expect: ADMIN_ONLY },
  {
    route: 'GET /api/webhooks/deliveries',
    call: () => ({ method: 'GET', path: '/api/webhooks/deliveries?status=failed' }),
    expect: [401, 403, 403, 403, 403, 200],
  },
  {
    route: 'POST /api/webhooks/deliveries/{id}/retry',
    call: () => ({ method: 'POST', path: '/api/webhooks/deliveries/evt_0123456789abcdef0123456789abcdef/retry' }),
    // The admin may call it; this delivery does not exist.
    expect: [401, 403, 403, 403, 403, 404],
  },
  { route: 'GET /healthz', call: () => ({ method: 'GET', path: '/healthz' }), expect: [200, 200, 200, 200, 200, 200] },
  { route: 'GET /readyz', call: () => ({ method: 'GET', path: '/readyz' }), expect: [200, 200, 200, 200, 200, 200] },
  // Not public: only the scraper's METRICS_TOKEN opens it (test/http.operator.test.ts), no user's session.
  { route: 'GET /metrics', call: () => ({ method: 'GET', path: '/metrics' }), expect: [401, 401, 401, 401, 401, 401] },
  { route: 'GET /api/openapi.json', call: () => ({ method: 'GET', path: '/api/openapi.json' }), expect: [200, 200, 200, 200, 200, 200] },
  // Last: it ends every session of the actor, the world's own included (each call signs in afresh).
  {
    route: 'DELETE /api/auth/sessions',
    call: () => ({ method: 'DELETE', path: '/api/auth/sessions', freshSession: true }),
    expect: [401, 204, 204, 204, 204, 204],
    invalid: [401, 400, 400, 400, 400, 400],
  },
];

/** The agent a cell runs as: a copy of the actor's session, or a session of its own. */
async function agentFor(actor: Actor, world: World, fresh: boolean): Promise<Agent> {
  const agent = new Agent(world.base);
  if (actor === 'anonymous') return agent;
  const known = world.agents[actor];
  if (!fresh) {
    agent.session = known.session;
    agent.email = known.email;
    return agent;
  }
  return agent.login(known.email, actor === 'admin' ? ADMIN.password : passwordOf(known.email));
}

it('authorization matrix: every endpoint × every kind of caller', async (t) => {
  const server = await startServer(t);
  const admin = await loginAdmin(server.http);
  const agents = {
    mentee: await createUser(admin, { role: 'MENTEE' }),
    mentor: await createUser(admin, { role: 'MENTOR' }),
    otherMentee: await createUser(admin, { role: 'MENTEE' }),
    otherMentor: await createUser(admin, { role: 'MENTOR' }),
    admin,
  };
  await match(admin, agents.mentor, agents.mentee);
  await match(admin, agents.otherMentor, agents.otherMentee);
  const world: World = { agents, admin, base: server.http, store: server.tandem.store };

  const document = (await new Agent(server.http).get('/api/openapi.json')).body;
  const operations = Object.entries(document.paths as Record<string, object>).flatMap(([path, item]) =>
    Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`),
  );
  assert.deepEqual(ROWS.map((row) => row.route).sort(), operations.sort(), 'the matrix has one row per documented operation');
  const withBody = Object.entries(document.paths as Record<string, Record<string, { requestBody?: unknown }>>).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([, operation]) => operation.requestBody)
      .map(([method]) => `${method.toUpperCase()} ${path}`),
  );
  assert.deepEqual(
    ROWS.filter((row) => row.invalid)
      .map((row) => row.route)
      .sort(),
    withBody.sort(),
    'every operation with a body has its invalid-body row',
  );

  const actual: Record<string, number[]> = {};
  const expected: Record<string, number[]> = {};
  for (const row of ROWS) {
    expected[row.route] = row.expect;
    actual[row.route] = [];
    for (const actor of ACTORS) {
      const call = await row.call(actor, world);
      const agent = await agentFor(actor, world, call.freshSession === true);
      const reply = await agent.request(call.method, call.path, call.body);
      actual[row.route]!.push(reply.status);
      if (reply.status >= 400) assert.equal(typeof reply.body?.error, 'string', `${row.route} as ${actor}: the error body`);
      if (reply.status < 300 && row.undo) await row.undo(world);
    }
    if (!row.invalid) continue;
    const key = `${row.route} with an invalid body`;
    expected[key] = row.invalid;
    actual[key] = [];
    for (const actor of ACTORS) {
      const call = await row.call(actor, world);
      const agent = await agentFor(actor, world, call.freshSession === true);
      const reply = await agent.request(call.method, call.path, INVALID_BODY);
      actual[key]!.push(reply.status);
      assert.equal(typeof reply.body?.error, 'string', `${key} as ${actor}: the error body`);
    }
  }
  assert.deepEqual(actual, expected);
});
