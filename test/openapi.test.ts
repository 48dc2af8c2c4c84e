/**
 * The OpenAPI document at /api/openapi.json describes the API as it behaves: every real
 * response of a scenario that reaches every operation (successes and refusals) validates
 * against the document's schema for its path, method and status, with the ajv that Fastify
 * itself validates with. A status the document does not list fails the test.
 */
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { it } from 'node:test';
import { Agent, createUser, loginAdmin, matchedPair, uniqueEmail } from './helpers/http.js';
import { ADMIN, startServer } from './helpers/server.js';
import { Receiver, webhookEnv } from './helpers/receiver.js';
import { connectChat } from './helpers/socket.js';
import { until } from './helpers/wait.js';
import { metricsAuth } from './helpers/accounts.js';
import { textKeyword } from '../src/http/text-fields.js';

// Loaded as Fastify's own ajv compiler loads it (CommonJS); 2020-12 is OpenAPI 3.1's dialect.
const require = createRequire(import.meta.url);
type Validate = ((data: unknown) => boolean) & { errors?: unknown };
const Ajv2020 = require('ajv/dist/2020').default as new (options: object) => { compile(schema: object): Validate; addKeyword(definition: never): unknown };
const addFormats = require('ajv-formats') as (ajv: object) => void;

type Json = Record<string, any>;

class Conformance {
  private readonly ajv = new Ajv2020({ strict: true, allowUnionTypes: true });
  private readonly operations: Array<{ pattern: RegExp; method: string; key: string; op: Json }> = [];
  readonly seen = new Map<string, Set<string>>();

  constructor(readonly document: Json) {
    addFormats(this.ajv);
    textKeyword(this.ajv);
    for (const [path, item] of Object.entries(document.paths as Json)) {
      const pattern = new RegExp(`^${path.replace(/\{[^}]+\}/g, '[^/]+')}$`);
      for (const [method, op] of Object.entries(item as Json)) {
        const key = `${method.toUpperCase()} ${path}`;
        this.operations.push({ pattern, method: method.toUpperCase(), key, op });
        this.seen.set(key, new Set());
      }
    }
  }

  /** Sends the request and checks the request body and the reply against the document. */
  async request(agent: Agent, method: string, url: string, body?: unknown, headers?: Record<string, string>) {
    const path = url.split('?')[0]!;
    const found = this.operations.find((candidate) => candidate.method === method && candidate.pattern.test(path));
    assert.ok(found, `${method} ${path} is in the document`);
    const reply = await agent.request(method, url, body, headers);
    const status = String(reply.status);
    const response = found.op.responses[status] as Json | undefined;
    assert.ok(response, `${found.key} documents status ${status} (${JSON.stringify(reply.body)})`);
    assert.equal(typeof response.description, 'string');
    this.seen.get(found.key)!.add(status);
    if (!response.content) {
      assert.equal(reply.body, undefined, `${found.key} ${status} has no body`);
      return reply;
    }
    const [mediaType, { schema }] = Object.entries(response.content as Json)[0]!;
    assert.ok((reply.headers.get('content-type') ?? '').startsWith(mediaType), `${found.key} ${status} is ${mediaType}`);
    const validate = this.ajv.compile(schema);
    assert.ok(validate(reply.body), `${found.key} ${status}: ${JSON.stringify(validate.errors)}\n${JSON.stringify(reply.body)}`);
    if (reply.status < 300 && body !== undefined && found.op.requestBody) {
      const accepts = this.ajv.compile(found.op.requestBody.content['application/json'].schema);
      assert.ok(accepts(typeof body === 'string' ? JSON.parse(body) : body), `${found.key}: the document accepts the request that succeeded`);
    }
    return reply;
  }
}

it('every response of every operation conforms to /api/openapi.json', async (t) => {
  // Moderated, so that every safeguarding operation can answer its success; a webhook receiver
  // that always fails, and a retry period that ends at once: deliveries fail, to be listed and retried.
  const receiver = await Receiver.start(t);
  receiver.answer = () => 500;
  const server = await startServer(t, {
    MENTOR_CAPACITY: '2',
    LOGIN_FAILURES_PER_ACCOUNT: '1',
    CONVERSATION_POLICY: 'moderated',
    ...webhookEnv(receiver, { WEBHOOK_RETRY_HOURS: '0.000001' }),
  });
  const anonymous = new Agent(server.http);
  const docReply = await anonymous.get('/api/openapi.json');
  assert.equal(docReply.status, 200);
  const document = docReply.body as Json;
  assert.equal(document.openapi, '3.1.0');
  assert.deepEqual(document.components.securitySchemes.session, { type: 'apiKey', in: 'cookie', name: 'sessionid' });
  for (const [path, item] of Object.entries(document.paths as Json)) {
    for (const [method, op] of Object.entries(item as Json)) {
      assert.ok(op.summary && op.operationId, `${method} ${path} has a summary and an operationId`);
      assert.ok(
        Object.keys(op.responses).some((status) => status.startsWith('2')),
        `${method} ${path} documents its success`,
      );
      assert.ok(op.responses['500'], `${method} ${path} documents 500`);
      if (op.security) assert.ok(op.responses['401'], `${method} ${path} documents 401`);
      for (const name of path.match(/\{([^}]+)\}/g) ?? []) {
        assert.ok(
          op.parameters?.some((p: Json) => `{${p.name}}` === name && p.in === 'path'),
          `${method} ${path} declares ${name}`,
        );
      }
    }
  }
  const api = new Conformance(document);
  const call = api.request.bind(api);

  // The first run's route, on a server that starts with no admin.
  const fresh = await startServer(t, { TANDEM_ADMIN_EMAIL: '', TANDEM_ADMIN_PASSWORD: '' });
  const firstAdmin = { email: 'first@tandem.test', password: ADMIN.password, first_name: 'First', last_name: 'Admin' };
  const newcomer = new Agent(fresh.http);
  await call(newcomer, 'POST', '/api/setup', { ...firstAdmin, token: 'not-the-token' });
  await call(newcomer, 'POST', '/api/setup', { ...firstAdmin, token: fresh.tandem.setupToken });
  await call(newcomer, 'POST', '/api/setup', { ...firstAdmin, token: fresh.tandem.setupToken });

  const admin = await loginAdmin(server.http);
  await call(anonymous, 'GET', '/healthz');
  await call(anonymous, 'GET', '/readyz');
  await call(anonymous, 'GET', '/metrics');
  await call(anonymous, 'GET', '/metrics', undefined, metricsAuth);
  await call(anonymous, 'GET', '/api/openapi.json');

  const registered = { email: uniqueEmail('reg'), password: 'long enough', first_name: 'Reg', last_name: 'Istered', role: 'MENTEE' };
  await call(anonymous, 'POST', '/api/auth/register', registered);
  await call(anonymous, 'POST', '/api/auth/register', registered);
  await call(anonymous, 'POST', '/api/auth/register', { ...registered, email: 'nope' });
  await call(anonymous, 'POST', '/api/auth/register', '{"email":', { 'content-type': 'application/json' });
  await call(anonymous, 'POST', '/api/auth/register', 'a=b', { 'content-type': 'application/x-www-form-urlencoded' });
  await call(anonymous, 'POST', '/api/auth/register', { ...registered, padding: 'x'.repeat(70_000) });
  await call(anonymous, 'POST', '/api/auth/register', registered, { origin: 'https://evil.example' });
  const user = new Agent(server.http);
  await call(user, 'POST', '/api/auth/login', { email: registered.email, password: registered.password });
  await call(anonymous, 'POST', '/api/auth/register', { ...registered, email: uniqueEmail('reg'), role: 'MENTOR' });
  const resetPath = `/api/users/${encodeURIComponent(registered.email)}/password-reset`;
  const link = await call(admin, 'POST', resetPath);
  await call(admin, 'POST', `/api/users/${encodeURIComponent(uniqueEmail('nobody'))}/password-reset`);
  await call(user, 'POST', resetPath);
  const token = new URL(link.body.url).hash.slice('#token='.length);
  await call(anonymous, 'POST', '/api/auth/password-reset', { token, password: 'password1' });
  await call(anonymous, 'POST', '/api/auth/password-reset', { token, password: registered.password });
  await call(anonymous, 'POST', '/api/auth/password-reset', { token, password: registered.password });
  await user.login(registered.email, registered.password); // the reset ended its session
  // A wrong password, then the account's lock (LOGIN_FAILURES_PER_ACCOUNT=1): after the re-login above, so it locks nobody out.
  await call(anonymous, 'POST', '/api/auth/login', { email: registered.email, password: 'wrong password' });
  await call(anonymous, 'POST', '/api/auth/login', { email: registered.email, password: registered.password });
  await call(user, 'GET', '/api/me');
  await call(anonymous, 'GET', '/api/me');
  await call(user, 'GET', '/api/auth/session');
  await call(anonymous, 'GET', '/api/auth/session');
  await call(user, 'GET', '/api/auth/sessions');
  await call(anonymous, 'GET', '/api/auth/sessions');
  await call(user, 'POST', '/api/auth/logout');
  await call(user, 'POST', '/api/auth/logout');

  await call(admin, 'POST', '/api/users', { email: uniqueEmail('adm'), password: 'long enough', first_name: 'A', last_name: 'D', role: 'ADMIN' });
  await call(admin, 'POST', '/api/users', { email: ADMIN.email, password: 'long enough', first_name: 'A', last_name: 'D', role: 'ADMIN' });
  const { mentor, mentee } = await matchedPair(admin);
  await call(await createUser(admin, { role: 'MENTEE' }), 'DELETE', '/api/auth/sessions');
  await call(anonymous, 'DELETE', '/api/auth/sessions');
  await call(mentor, 'POST', '/api/users', { email: uniqueEmail('x'), password: 'long enough', first_name: 'A', last_name: 'D', role: 'MENTEE' });
  const second = await createUser(admin, { role: 'MENTEE' });
  const third = await createUser(admin, { role: 'MENTEE' });
  await call(admin, 'POST', '/api/matches', { mentor_email: mentor.email, mentee_email: second.email });
  await call(admin, 'POST', '/api/matches', { mentor_email: mentor.email, mentee_email: third.email });
  await call(admin, 'POST', '/api/matches', { mentor_email: mentor.email, mentee_email: mentee.email });
  await call(admin, 'POST', '/api/matches', { mentor_email: mentee.email, mentee_email: third.email });
  await call(admin, 'POST', '/api/matches', { mentor_email: uniqueEmail('ghost'), mentee_email: third.email });
  await call(mentee, 'POST', '/api/matches', { mentor_email: mentor.email, mentee_email: third.email });
  await call(admin, 'GET', '/api/matches');
  await call(mentor, 'GET', '/api/matches');
  await call(admin, 'POST', `/api/matches/${encodeURIComponent(mentee.email)}/pause`);
  await call(admin, 'POST', `/api/matches/${encodeURIComponent(mentee.email)}/resume`, {});
  await call(admin, 'POST', `/api/matches/${encodeURIComponent(mentor.email)}/pause`);
  await call(mentee, 'POST', `/api/matches/${encodeURIComponent(mentee.email)}/pause`);
  await call(admin, 'GET', '/api/users?limit=2');
  await call(admin, 'GET', '/api/users?status=unmatched&role=MENTEE&q=person');
  await call(admin, 'GET', '/api/users?status=waiting');
  await call(mentor, 'GET', '/api/users');

  await call(mentor, 'GET', '/api/chat/reactions');
  await call(mentor, 'GET', '/api/chat/conversations');
  await call(mentor, 'GET', '/api/chat/conversations?include=archived');
  await call(mentor, 'GET', '/api/chat/conversations?include=everything');
  const socket = await connectChat(server.ws, mentor.email, mentee.cookie);
  socket.send({ type: 'chat_message', content: 'hello', client_id: 'c-1' });
  const hello = (await socket.until((frame) => frame.type === 'chat_message')).frame;
  await call(mentor, 'GET', '/api/chat/conversations');
  await call(mentee, 'GET', `/api/chat/${encodeURIComponent(mentor.email)}/messages?limit=5`);
  await call(mentee, 'GET', `/api/chat/${encodeURIComponent(mentor.email)}/messages?limit=five`);
  await call(third, 'GET', `/api/chat/${encodeURIComponent(mentor.email)}/messages`);
  await call(anonymous, 'GET', `/api/chat/${encodeURIComponent(mentor.email)}/messages`);
  await call(mentor, 'POST', `/api/chat/${encodeURIComponent(mentee.email)}/read`, {});
  await call(third, 'POST', `/api/chat/${encodeURIComponent(mentee.email)}/read`);
  await call(mentor, 'POST', `/api/chat/${encodeURIComponent(mentee.email)}/read`, { everything: true });

  socket.send({ type: 'chat_message', content: 'call 07911 123456' });
  const held = (await socket.until((frame) => frame.type === 'chat_message' && frame.status === 'held')).frame;
  socket.send({ type: 'chat_message', content: 'jo@example.com' });
  const rejected = (await socket.until((frame) => frame.type === 'chat_message' && frame.status === 'held')).frame;
  await call(mentee, 'GET', `/api/chat/${encodeURIComponent(mentor.email)}/messages`);
  await call(admin, 'GET', '/api/moderation?limit=10');
  await call(mentor, 'GET', '/api/moderation');
  await call(admin, 'GET', '/api/moderation/words');
  await call(admin, 'PUT', '/api/moderation/words', { add: ['conformance phrase'], remove: ['send pics'] });
  await call(admin, 'PUT', '/api/moderation/words', { add: ['  '] });
  await call(mentor, 'PUT', '/api/moderation/words', { add: ['x'] });
  await call(admin, 'POST', `/api/moderation/${held.message_id}/approve`);
  await call(admin, 'POST', `/api/moderation/${held.message_id}/approve`);
  await call(admin, 'POST', `/api/moderation/${rejected.message_id}/reject`, { reason: 'no contact details' });
  await call(admin, 'POST', '/api/moderation/h999999/reject', { reason: 'no' });
  await call(admin, 'POST', `/api/moderation/${rejected.message_id}/reject`, {});
  const report = await call(mentor, 'POST', `/api/chat/${encodeURIComponent(mentee.email)}/messages/${hello.message_id}/report`, { reason: 'rude' });
  await call(mentor, 'POST', `/api/chat/${encodeURIComponent(mentee.email)}/messages/999999/report`, { reason: 'rude' });
  await call(third, 'POST', `/api/chat/${encodeURIComponent(mentor.email)}/messages/${hello.message_id}/report`, { reason: 'rude' });
  const chatWith = `/api/chat/${encodeURIComponent(mentor.email)}`;
  const file = await call(mentee, 'POST', `${chatWith}/attachments?name=notes.txt`, 'plain words', { 'content-type': 'text/plain' });
  await call(mentee, 'POST', `${chatWith}/attachments`, 'no name', { 'content-type': 'text/plain' });
  await call(mentee, 'POST', `${chatWith}/attachments?name=x.bin`, '\u0000\u0001', { 'content-type': 'application/octet-stream' });
  await call(third, 'POST', `${chatWith}/attachments?name=a.txt`, 'words', { 'content-type': 'text/plain' });
  await call(mentee, 'GET', `/api/attachments/${file.body.attachment_id}`);
  await call(mentor, 'GET', `/api/attachments/${file.body.attachment_id}`);
  await call(mentee, 'GET', `${chatWith}/search?q=hello`);
  await call(mentee, 'GET', `${chatWith}/search?q=${encodeURIComponent('!?')}`);
  await call(third, 'GET', `${chatWith}/search?q=hello`);
  await call(admin, 'GET', '/api/reports?status=all');
  await call(admin, 'GET', `/api/reports/${report.body.report_id}`);
  await call(admin, 'GET', '/api/reports/999999');
  await call(admin, 'GET', `/api/reports/${'1'.repeat(1100)}`);
  await call(admin, 'GET', `/api/users/${'a'.repeat(1100)}/export`);
  await call(admin, 'POST', `/api/reports/${report.body.report_id}/resolve`, { note: 'talked to them' });
  await call(admin, 'POST', `/api/reports/${report.body.report_id}/resolve`, { note: 'again' });
  const conversations = await call(admin, 'GET', '/api/conversations');
  await call(admin, 'POST', `/api/conversations/${conversations.body.conversations[0].pair_id}/messages`, { limit: '5' });
  await call(admin, 'POST', '/api/conversations/999999/messages');
  await call(admin, 'GET', '/api/audit?limit=3');
  await call(mentee, 'GET', '/api/audit');
  await call(mentee, 'GET', `/api/users/${encodeURIComponent(mentee.email)}/export`);
  await call(mentee, 'GET', `/api/users/${encodeURIComponent(mentor.email)}/export`);
  await call(admin, 'GET', `/api/users/${encodeURIComponent(uniqueEmail('ghost'))}/export`);
  const doomed = await createUser(admin, { role: 'MENTEE' });
  await call(admin, 'DELETE', `/api/users/${encodeURIComponent(doomed.email)}`);
  await call(admin, 'DELETE', `/api/users/${encodeURIComponent(uniqueEmail('ghost'))}`);
  await call(mentor, 'DELETE', `/api/users/${encodeURIComponent(doomed.email)}`);
  await socket.close();

  const synced = uniqueEmail('sync');
  const syncMentor = await createUser(admin, { role: 'MENTOR' });
  await call(admin, 'PUT', `/api/users/${encodeURIComponent(synced)}`, { first_name: 'Sy', last_name: 'Nc', role: 'MENTEE' });
  await call(admin, 'PUT', `/api/users/${encodeURIComponent(synced)}`, { first_name: 'Sy', last_name: 'Nc', role: 'MENTEE' });
  await call(mentor, 'PUT', `/api/users/${encodeURIComponent(synced)}`, { first_name: 'Sy', last_name: 'Nc', role: 'MENTEE' });
  await call(admin, 'PUT', `/api/matches/${encodeURIComponent(synced)}`, { mentor_email: syncMentor.email });
  await call(admin, 'PUT', `/api/matches/${encodeURIComponent(synced)}`, { mentor_email: syncMentor.email });
  await call(admin, 'PUT', `/api/matches/${encodeURIComponent(synced)}`, { mentor_email: mentor.email });
  await call(admin, 'PUT', `/api/matches/${encodeURIComponent(synced)}`, { mentor_email: second.email });
  await call(admin, 'PUT', `/api/matches/${encodeURIComponent(uniqueEmail('ghost'))}`, { mentor_email: mentor.email });
  await call(admin, 'POST', '/api/import');
  await call(mentor, 'POST', '/api/import');
  await call(admin, 'POST', '/api/import', '{"kind":"user"}', { 'content-type': 'application/x-ndjson' });
  await call(third, 'DELETE', `/api/matches/${encodeURIComponent(mentee.email)}`);
  await call(mentee, 'DELETE', `/api/matches/${encodeURIComponent(mentee.email)}`);
  await call(admin, 'DELETE', `/api/matches/${encodeURIComponent(mentee.email)}`);
  await call(mentee, 'GET', '/api/chat/conversations?include=archived');
  await call(mentee, 'GET', `/api/chat/${encodeURIComponent(mentor.email)}/messages`);

  await receiver.until((requests) => requests.length > 0);
  let failed: Json[] = [];
  await until('a failed delivery', async () => {
    failed = (await call(admin, 'GET', '/api/webhooks/deliveries?status=failed')).body.deliveries as Json[];
    return failed.length > 0;
  });
  await call(admin, 'GET', '/api/webhooks/deliveries?status=sent');
  await call(admin, 'GET', '/api/programme/pairs?at_risk=false&sort=quiet&limit=5');
  await call(admin, 'GET', '/api/programme/pairs?limit=0');
  await call(admin, 'GET', '/api/programme/pairs.csv?sort=mentor');
  await call(admin, 'GET', '/api/programme/activity?weeks=4');
  await call(admin, 'GET', '/api/admin/counts');
  await call(admin, 'POST', '/api/programme/announcements', { content: 'Welcome to the programme', audience: 'all' });
  await call(admin, 'POST', '/api/programme/announcements', { content: '', audience: 'all' });
  await call(admin, 'GET', '/api/announcements?after=0&limit=5');
  await call(mentor, 'GET', '/api/webhooks/deliveries');
  await call(admin, 'POST', `/api/webhooks/deliveries/${failed[0]!.id}/retry`);
  await call(admin, 'POST', `/api/webhooks/deliveries/${failed[0]!.id}/retry`);
  await call(admin, 'POST', '/api/webhooks/deliveries/evt_0123456789abcdef0123456789abcdef/retry');
  await call(admin, 'POST', '/api/webhooks/deliveries/42/retry');

  const untested = [...api.seen].filter(([, statuses]) => ![...statuses].some((status) => status.startsWith('2'))).map(([key]) => key);
  assert.deepEqual(untested, [], 'every operation answered at least one success');
});
