/**
 * The origin rule against DNS rebinding and scheme confusion, on both doors (the HTTP API
 * and the WebSocket handshake). With PUBLIC_ORIGIN set, only it (and ALLOWED_ORIGINS) may
 * act with a cookie, whatever `Host` says; without it the Host rule holds, and behind a
 * trusted proxy it compares the scheme from X-Forwarded-Proto too.
 */
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { it } from 'node:test';
import { uniqueEmail } from './helpers/http.js';
import { startWithPair } from './helpers/pair.js';
import { startServer } from './helpers/server.js';
import { chatUrl, TestSocket } from './helpers/socket.js';

const PUBLIC = 'https://chat.example.org';

/** POST /api/auth/register with exactly these headers (fetch would not send our Host). */
function register(base: string, headers: Record<string, string>): Promise<{ status: number; body: any }> {
  const body = JSON.stringify({ email: uniqueEmail('origin'), password: 'long enough', first_name: 'O', last_name: 'R', role: 'MENTEE' });
  return new Promise((resolve, reject) => {
    const req = request(`${base}/api/auth/register`, { method: 'POST', agent: false, headers: { 'content-type': 'application/json', ...headers } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** How a handshake with these headers ends: `open`, or the HTTP status it was refused with. */
async function handshake(url: string, cookie: string | undefined, headers: Record<string, string>): Promise<'open' | number> {
  const socket = new TestSocket(url, { cookie, headers });
  try {
    await socket.opened;
    await socket.close();
    return 'open';
  } catch (error) {
    return Number(/HTTP (\d{3})/.exec(String(error))?.[1]);
  }
}

it('PUBLIC_ORIGIN: a rebinding page (Host and Origin evil.example) is refused; the public origin is served', async (t) => {
  const open = await startServer(t);
  const rebinding = { host: 'evil.example', origin: 'http://evil.example' };
  assert.equal((await register(open.http, rebinding)).status, 201, 'without PUBLIC_ORIGIN the Host rule is all there is');

  const server = await startServer(t, { PUBLIC_ORIGIN: PUBLIC });
  const refused = await register(server.http, rebinding);
  assert.deepEqual([refused.status, refused.body], [403, { error: 'origin_not_allowed', message: 'Origin not allowed' }]);
  assert.equal((await register(server.http, { host: 'chat.example.org', origin: 'http://chat.example.org' })).status, 403, 'the wrong scheme');
  assert.equal((await register(server.http, { host: 'evil.example', origin: PUBLIC })).status, 201);
  assert.equal((await register(server.http, {})).status, 201, 'no Origin: not a browser acting for a page');
});

it('without PUBLIC_ORIGIN, behind a trusted proxy, the Origin must have the scheme of X-Forwarded-Proto', async (t) => {
  const server = await startServer(t, { TRUST_PROXY: 'true' });
  const host = new URL(server.http).host;
  const https = { host, 'x-forwarded-proto': 'https' };
  const mismatch = await register(server.http, { ...https, origin: `http://${host}` });
  assert.deepEqual([mismatch.status, mismatch.body.error], [403, 'origin_not_allowed']);
  assert.equal((await register(server.http, { ...https, origin: `https://${host}` })).status, 201);
  assert.equal((await register(server.http, { host, 'x-forwarded-proto': 'http', origin: `https://${host}` })).status, 403);
  assert.equal((await register(server.http, { host, origin: `http://${host}` })).status, 201, 'no X-Forwarded-Proto: the host alone decides');
});

it('the WebSocket handshake follows the same rule: rebinding and scheme mismatch get HTTP 403', async (t) => {
  const { server, mentor, mentee } = await startWithPair(t, { PUBLIC_ORIGIN: PUBLIC });
  const url = chatUrl(server.ws, mentor.email);
  assert.equal(await handshake(url, mentee.cookie, { host: 'evil.example', origin: 'http://evil.example' }), 403);
  assert.equal(await handshake(url, mentee.cookie, { origin: 'http://chat.example.org' }), 403);
  assert.equal(await handshake(url, mentee.cookie, { host: 'evil.example', origin: PUBLIC }), 'open');

  const proxied = await startWithPair(t, { TRUST_PROXY: 'true' });
  const host = new URL(proxied.server.http).host;
  const proxiedUrl = chatUrl(proxied.server.ws, proxied.mentor.email);
  assert.equal(await handshake(proxiedUrl, proxied.mentee.cookie, { 'x-forwarded-proto': 'https', origin: `http://${host}` }), 403);
  assert.equal(await handshake(proxiedUrl, proxied.mentee.cookie, { 'x-forwarded-proto': 'https', origin: `https://${host}` }), 'open');
});
