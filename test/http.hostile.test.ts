/**
 * Hostile requests get the documented error shape: what Fastify's router refuses (a path it
 * cannot decode, a parameter over 1024 characters) is `{error, message}` with X-Request-Id;
 * what Node's parser refuses before any request exists (a malformed request line, a 60 KB
 * cookie) is a short JSON body that echoes nothing of the input. API replies, errors
 * included, carry nosniff and no-store.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { ErrorCatalogue } from '../src/errors.js';
import { Agent, loginAdmin } from './helpers/http.js';
import { rawRequest, type RawReply } from './helpers/raw-http.js';
import { startServer, suiteCleanup, type TestServer } from './helpers/server.js';

function assertErrorBody(reply: RawReply, status: number, code: keyof typeof ErrorCatalogue, label: string): Record<string, unknown> {
  assert.equal(reply.status, status, label);
  assert.match(reply.headers['content-type'] ?? '', /^application\/json/, label);
  const body = JSON.parse(reply.body) as Record<string, unknown>;
  assert.deepEqual(Object.keys(body).sort(), ['error', 'message'], label);
  assert.equal(body.error, code, label);
  assert.equal(reply.headers['x-content-type-options'], 'nosniff', label);
  assert.equal(reply.headers['cache-control'], 'no-store', label);
  return body;
}

describe('hostile requests', () => {
  let server: TestServer;
  const cleanup = suiteCleanup();
  before(async () => {
    server = await startServer(cleanup);
  });

  it('400 invalid_request with X-Request-Id for a path that is not valid percent-encoding', async () => {
    const reply = await rawRequest(server.http, 'GET /api/chat/%ff/messages HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    const body = assertErrorBody(reply, 400, 'invalid_request', '%ff');
    assert.ok(!String(body.message).includes('%ff'), 'the input is not echoed');
    assert.ok(reply.headers['x-request-id'], 'a request id');
  });

  it('414 uri_too_long with X-Request-Id for a path parameter of 1025 characters', async () => {
    const long = 'a'.repeat(1025);
    const reply = await rawRequest(server.http, `GET /api/chat/${long}/messages HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
    const body = assertErrorBody(reply, 414, 'uri_too_long', '1025');
    assert.ok(!reply.body.includes(long), 'the input is not echoed');
    assert.equal(body.message, ErrorCatalogue.uri_too_long.message);
    assert.ok(reply.headers['x-request-id']);
  });

  it('431 headers_too_large for a 60 KB cookie, without an echo', async () => {
    const cookie = `sessionid=${'c'.repeat(60 * 1024)}`;
    const reply = await rawRequest(server.http, `GET /api/me HTTP/1.1\r\nHost: x\r\nCookie: ${cookie}\r\n\r\n`);
    assertErrorBody(reply, 431, 'headers_too_large', 'cookie');
    assert.ok(reply.body.length < 200 && !reply.body.includes('ccccc'));
  });

  it('400 invalid_request for a malformed request line, without an echo', async () => {
    for (const line of [
      'GET\r\n\r\n',
      'HELLO WORLD <script>\r\n\r\n',
      'GET /healthz HTTP/9.9\r\nHost: x\r\n\r\n',
      'GET /healthz HTTP/1.1\r\nBad Header\r\n\r\n',
    ]) {
      const reply = await rawRequest(server.http, line);
      const body = assertErrorBody(reply, 400, 'invalid_request', JSON.stringify(line));
      assert.ok(!reply.body.includes('script') && !reply.body.includes('HELLO'), 'the input is not echoed');
      assert.equal(typeof body.message, 'string');
    }
  });

  it('nosniff and no-store on API replies, successes and errors alike', async () => {
    const admin = await loginAdmin(server.http);
    const replies = [
      await admin.get('/api/me'),
      await new Agent(server.http).get('/api/me'),
      await new Agent(server.http).get('/no/such/route'),
      await new Agent(server.http).post('/api/auth/login', '{"broken'),
      await new Agent(server.http).get('/healthz'),
    ];
    for (const reply of replies) {
      assert.equal(reply.headers.get('x-content-type-options'), 'nosniff', String(reply.status));
      assert.equal(reply.headers.get('cache-control'), 'no-store', String(reply.status));
    }
  });
});
