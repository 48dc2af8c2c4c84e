/**
 * PROTOCOL Part 2, "shutdown": SIGTERM in the middle of a send burst. The process stops
 * taking frames, finishes what is in flight, closes sockets with 1001 and exits 0; every
 * message that was echoed is in the store afterwards.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { it } from 'node:test';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { freePort } from './helpers/backends.js';
import { loginAdmin, matchedPair } from './helpers/http.js';
import { ADMIN, tempDir } from './helpers/server.js';
import { connectChat, type Frame } from './helpers/socket.js';
import { until } from './helpers/wait.js';

const MAIN = fileURLToPath(new URL('../src/main.js', import.meta.url));

it('SIGTERM mid-burst: close 1001, exit 0, every echoed message stored', async (t) => {
  const dir = tempDir(t);
  const port = await freePort();
  const databasePath = join(dir, 'shutdown.db');
  const child = spawn(process.execPath, [MAIN], {
    env: {
      ...process.env,
      PORT: String(port),
      DATABASE_URL: `sqlite:${databasePath}`,
      REDIS_URL: '',
      LOG_LEVEL: 'warn',
      TANDEM_ADMIN_EMAIL: ADMIN.email,
      TANDEM_ADMIN_PASSWORD: ADMIN.password,
      WS_RATE_PER_SECOND: '1000000',
      WS_RATE_BURST: '1000000',
      WS_USER_RATE_PER_SECOND: '1000000',
      WS_USER_RATE_BURST: '1000000',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  t.after(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  const http = `http://127.0.0.1:${port}`;
  await until('the child server to answer /healthz', async () => (await fetch(`${http}/healthz`).catch(() => null))?.ok === true);

  const admin = await loginAdmin(http);
  const { mentor, mentee } = await matchedPair(admin);
  const ws = `ws://127.0.0.1:${port}`;
  const menteeSocket = await connectChat(ws, mentor.email, mentee.cookie);
  const mentorSocket = await connectChat(ws, mentee.email, mentor.cookie);

  // The mentee keeps sending until its socket closes, so frames are still arriving when the
  // server starts to stop.
  let sent = 0;
  const sender = setInterval(() => {
    if (menteeSocket.ws.readyState !== menteeSocket.ws.OPEN) return clearInterval(sender);
    for (let i = 0; i < 20; i++, sent++) menteeSocket.send({ type: 'chat_message', content: `burst ${sent}`, client_id: `s${sent}` });
  }, 2);
  t.after(() => clearInterval(sender));
  const echoes: Frame[] = [];
  let signalled = false;
  const closing = menteeSocket.closed;
  for (;;) {
    const frame = await Promise.race([menteeSocket.next(), closing.then(() => null)]);
    if (frame === null) break;
    if (frame.type !== 'chat_message') continue;
    echoes.push(frame);
    if (echoes.length === 200 && !signalled) {
      signalled = true;
      child.kill('SIGTERM');
    }
  }
  const closed = await closing;
  assert.equal(closed.code, 1001, 'sockets close with 1001 (going away, resume later)');
  assert.equal((await mentorSocket.closedWithin()).code, 1001);
  const [code, signal] = await exited;
  assert.equal(signal, null, output);
  assert.equal(code, 0, output);
  assert.ok(echoes.length >= 200 && echoes.length < sent, `the burst was cut by the shutdown (${echoes.length} of ${sent} echoed)`);

  const db = new Database(databasePath, { readonly: true });
  t.after(() => db.close());
  const stored = new Map(
    (db.prepare('SELECT id, content, seq FROM messages').all() as { id: number; content: string; seq: number }[]).map((r) => [String(r.id), r]),
  );
  for (const echo of echoes) {
    const row = stored.get(echo.message_id);
    assert.ok(row, `echoed message ${echo.message_id} is stored`);
    assert.equal(row.content, echo.content);
    assert.equal(row.seq, echo.seq);
  }
  assert.deepEqual(
    echoes.map((e) => e.seq),
    Array.from({ length: echoes.length }, (_, i) => i + 1),
  );
});
