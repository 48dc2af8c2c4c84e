/**
 * Logs: JSON lines (pino) with a request id on every request line, and never a password, a
 * session id or message content — even at level trace, through logins, failed logins, chat
 * traffic, history reads and logout.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { it } from 'node:test';
import { createTandem } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { Agent, loginAdmin, match } from './helpers/http.js';
import { ADMIN } from './helpers/server.js';
import { connectChat } from './helpers/socket.js';

it('logs JSON lines with request ids and no secrets or message content', async (t) => {
  const lines: string[] = [];
  const logStream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  const dir = mkdtempSync(join(tmpdir(), 'tandem-logs-'));
  const config = loadConfig({
    PORT: '0',
    LOG_LEVEL: 'trace',
    DATABASE_URL: `sqlite:${join(dir, 'tandem.db')}`,
    TANDEM_ADMIN_EMAIL: ADMIN.email,
    TANDEM_ADMIN_PASSWORD: ADMIN.password,
  });
  const tandem = await createTandem(config, { logStream });
  t.after(async () => {
    await tandem.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const { port } = await tandem.listen();
  const base = `http://127.0.0.1:${port}`;

  const secrets = { password: 'Sw0rdfish-password-71', wrong: 'Wr0ng-guess-password-93', content: 'confidential-content-5521' };
  const admin = await loginAdmin(base);
  const mentor = new Agent(base);
  const mentee = new Agent(base);
  for (const [agent, role] of [
    [mentor, 'MENTOR'],
    [mentee, 'MENTEE'],
  ] as const) {
    const email = `${role.toLowerCase()}.logs@tandem.test`;
    const body = { email, password: secrets.password, first_name: 'Log', last_name: 'Test', role };
    // A mentor is vetted: an admin creates them (SELF_REGISTRATION_ROLES); a mentee registers.
    assert.equal((role === 'MENTOR' ? await admin.post('/api/users', body) : await new Agent(base).post('/api/auth/register', body)).status, 201);
    await agent.login(email, secrets.password);
  }
  await new Agent(base).post('/api/auth/login', { email: mentee.email, password: secrets.wrong });
  await match(admin, mentor, mentee);
  const socket = await connectChat(`ws://127.0.0.1:${port}`, mentor.email, mentee.cookie);
  socket.send({ type: 'chat_message', content: secrets.content });
  await socket.until((frame) => frame.type === 'chat_message');
  await mentor.get(`/api/chat/${encodeURIComponent(mentee.email)}/messages`, { 'x-request-id': 'trace-me-42' });
  await mentor.post(`/api/chat/${encodeURIComponent(mentee.email)}/read`);
  await socket.close();
  const tokens = [mentor.session!, mentee.session!, admin.session!];
  await mentee.post('/api/auth/logout');

  assert.ok(lines.length > 20, `enough log lines to mean something (${lines.length})`);
  const entries = lines.map((line) => JSON.parse(line) as Record<string, any>);
  for (const line of lines) {
    for (const secret of [...Object.values(secrets), ...tokens]) assert.ok(!line.includes(secret), `a log line leaks "${secret}": ${line}`);
  }
  const requestLines = entries.filter((entry) => entry.req || entry.res);
  assert.ok(requestLines.length >= 20);
  for (const entry of requestLines) assert.equal(typeof entry.reqId, 'string', JSON.stringify(entry));
  const traced = entries.filter((entry) => entry.reqId === 'trace-me-42');
  assert.deepEqual(
    traced.map((entry) => entry.msg),
    ['incoming request', 'request completed'],
  );
  assert.equal(traced[1]!.res.statusCode, 200);
});
