/**
 * `npm run demo`: a demo programme in its own database, with every kind of data the pages
 * show, and the credentials it prints sign in. With DATABASE_URL set it refuses to run and
 * leaves that store alone.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { TEST_SCRYPT_N } from './helpers/accounts.js';
import { Agent } from './helpers/http.js';
import { freePort } from './helpers/ports.js';
import { tempDir } from './helpers/server.js';
import { until } from './helpers/wait.js';

const DEMO = fileURLToPath(new URL('../src/demo/main.js', import.meta.url));

it('serves a demo programme whose printed credentials sign in', async (t) => {
  const dir = tempDir(t);
  const port = await freePort();
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(port), PASSWORD_SCRYPT_N: TEST_SCRYPT_N };
  delete env.DATABASE_URL;
  const child = spawn(process.execPath, [DEMO, '--dir', dir], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = once(child, 'exit');
  t.after(async () => {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await exited;
    }
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  await until('the demo to print its address', () => {
    if (child.exitCode !== null) throw new Error(`the demo exited:\n${output}`);
    return output.includes('Ctrl+C');
  });
  const base = /Tandem demo at (http:\/\/\S+)/.exec(output)![1]!;
  assert.equal(base, `http://127.0.0.1:${port}`);
  assert.ok(existsSync(`${dir}/demo.db`), 'its own database, in the folder given');
  const credentials = [...output.matchAll(/^ {2}(ADMIN|MENTOR|MENTEE) +(\S+@\S+) +(\S+)$/gm)].map(([, role, email, password]) => ({
    role: role!,
    email: email!,
    password: password!,
  }));
  assert.deepEqual(
    credentials.map((c) => c.role),
    ['ADMIN', 'MENTOR', 'MENTOR', 'MENTEE', 'MENTEE', 'MENTEE'],
  );

  const signedIn = async (email: string) => new Agent(base).login(email, credentials.find((c) => c.email === email)!.password);
  const admin = await signedIn(credentials[0]!.email);
  const held = await admin.get('/api/moderation');
  assert.equal(held.status, 200);
  assert.equal(held.body.held.length, 1, 'one held message');
  const matches = await admin.get('/api/matches');
  assert.equal(matches.body.matches.length, 3);

  const mentor = await signedIn(credentials[1]!.email);
  const me = await mentor.get('/api/me');
  assert.equal(me.body.partners.length, 2, 'the first mentor has two mentees');
  const partner = me.body.partners[0].email as string;
  const history = await mentor.get(`/api/chat/${encodeURIComponent(partner)}/messages`);
  assert.equal(history.status, 200);
  const messages = history.body.messages as Array<{ timestamp: string; is_read: boolean; sender_email: string }>;
  assert.ok(messages.length >= 3, 'a few days of history');
  const days = new Set(messages.map((m) => m.timestamp.slice(0, 10)));
  assert.ok(days.size >= 2, 'over several days');
  assert.ok(
    messages.some((m) => m.is_read),
    'some read',
  );
  assert.equal(messages.at(-1)!.is_read, false, 'the newest is unread');
});

it('refuses to run with DATABASE_URL set, and leaves that store alone', (t) => {
  const dir = tempDir(t);
  const real = `${dir}/real.db`;
  writeFileSync(real, 'the real store');
  const result = spawnSync(process.execPath, [DEMO, '--dir', dir], { env: { ...process.env, DATABASE_URL: `sqlite:${real}` }, encoding: 'utf8' });
  assert.equal(result.status, 2);
  assert.match(result.stderr, /never touches the one DATABASE_URL names/);
  assert.equal(readFileSync(real, 'utf8'), 'the real store');
  assert.equal(existsSync(`${dir}/demo.db`), false);
});
