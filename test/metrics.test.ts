/**
 * /metrics: Prometheus text with every Tandem metric, moving after real traffic. Metrics are
 * per process, so every assertion is on an increase over a scrape taken before the traffic.
 *
 * The block "chat-side metrics" asserts what src/chat records through src/metrics.ts
 * (messages delivered, frames rejected by reason, store→fan-out latency): it fails until
 * those recording calls are wired into src/chat.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import type { RedisLayer } from '../src/layer/redis.js';
import { freshRedisPrefix, killClients, testRedisUrl, withBackends } from './helpers/backends.js';
import { Agent, loginAdmin, matchedPair } from './helpers/http.js';
import { startServer, suiteCleanup, type TestServer } from './helpers/server.js';
import { connectChat } from './helpers/socket.js';
import { until } from './helpers/wait.js';
import { metricsAuth } from './helpers/accounts.js';

/** The samples of one scrape, keyed `name{label="value",…}` as Prometheus prints them. */
async function scrape(base: string): Promise<Map<string, number>> {
  const reply = await fetch(`${base}/metrics`, { headers: metricsAuth });
  assert.equal(reply.status, 200);
  assert.match(reply.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
  const samples = new Map<string, number>();
  for (const line of (await reply.text()).split('\n')) {
    const match = /^([a-z_:]+(?:\{[^}]*\})?) (\S+)$/.exec(line);
    if (match) samples.set(match[1]!, Number(match[2]));
  }
  return samples;
}

const value = (samples: Map<string, number>, key: string) => samples.get(key) ?? 0;
const increase = (before: Map<string, number>, after: Map<string, number>, key: string) => value(after, key) - value(before, key);

const TANDEM_METRICS = [
  'tandem_open_connections',
  'tandem_messages_stored_total',
  'tandem_messages_delivered_total',
  'tandem_frames_rejected_total',
  'tandem_store_duration_seconds',
  'tandem_store_errors_total',
  'tandem_fanout_latency_seconds',
  'tandem_layer_reconnects_total',
  'tandem_http_requests_total',
  'tandem_http_request_duration_seconds',
  'tandem_login_attempts_total',
  'tandem_message_gaps_unfilled_total',
];

describe('metrics', () => {
  let server: TestServer;
  let admin: Agent;
  const cleanup = suiteCleanup();
  before(async () => {
    server = await startServer(cleanup);
    admin = await loginAdmin(server.http);
  });

  it('serves every Tandem metric, with help and type, and the process metrics', async () => {
    const text = await (await fetch(`${server.http}/metrics`, { headers: metricsAuth })).text();
    for (const name of TANDEM_METRICS) {
      assert.match(text, new RegExp(`^# HELP ${name} \\S`, 'm'), name);
      assert.match(text, new RegExp(`^# TYPE ${name} (counter|gauge|histogram)$`, 'm'), name);
    }
    assert.match(text, /^process_cpu_user_seconds_total /m);
    assert.match(text, /^nodejs_eventloop_lag_seconds /m);
    assert.match(text, /^tandem_frames_rejected_total\{reason="invalid_json"\} \d+$/m, 'every reason is there from the start');
  });

  it('moves after traffic: connections, stored messages, store latency, HTTP requests', async () => {
    const { mentor, mentee } = await matchedPair(admin);
    const start = await scrape(server.http);
    const menteeSocket = await connectChat(server.ws, mentor.email, mentee.cookie);
    const mentorSocket = await connectChat(server.ws, mentee.email, mentor.cookie);
    const open = await scrape(server.http);
    assert.equal(increase(start, open, 'tandem_open_connections'), 2);

    for (let i = 0; i < 3; i++) menteeSocket.send({ type: 'chat_message', content: `counted ${i}` });
    for (let i = 0; i < 3; i++) await mentorSocket.until((frame) => frame.type === 'chat_message');
    await mentee.get(`/api/chat/${encodeURIComponent(mentor.email)}/messages`);
    await new Agent(server.http).get('/api/me');
    const after = await scrape(server.http);
    assert.equal(increase(start, after, 'tandem_messages_stored_total'), 3);
    assert.ok(increase(start, after, 'tandem_store_duration_seconds_count{operation="messages.append"}') >= 3);
    assert.ok(increase(start, after, 'tandem_store_duration_seconds_count{operation="messages.history"}') >= 1);
    assert.equal(increase(start, after, 'tandem_http_requests_total{method="GET",route="/api/chat/:partner_email/messages",status="200"}'), 1);
    assert.equal(increase(start, after, 'tandem_http_requests_total{method="GET",route="/api/me",status="401"}'), 1);
    assert.ok(increase(start, after, 'tandem_http_request_duration_seconds_count{method="GET",route="/api/me"}') >= 1);

    await Promise.all([menteeSocket.close(), mentorSocket.close()]);
    await until('connections to close', async () => increase(start, await scrape(server.http), 'tandem_open_connections') === 0);
  });

  it('counts logins by outcome', async () => {
    const start = await scrape(server.http);
    await loginAdmin(server.http);
    await new Agent(server.http).post('/api/auth/login', { email: admin.email, password: 'not the password' });
    const after = await scrape(server.http);
    assert.equal(increase(start, after, 'tandem_login_attempts_total{outcome="success"}'), 1);
    assert.equal(increase(start, after, 'tandem_login_attempts_total{outcome="failure"}'), 1);
  });

  describe('chat-side metrics (fail until src/chat calls the recording functions of src/metrics.ts)', () => {
    it('counts messages delivered to connections and observes store→fan-out latency', async () => {
      const { mentor, mentee } = await matchedPair(admin);
      const menteeSocket = await connectChat(server.ws, mentor.email, mentee.cookie);
      const mentorSocket = await connectChat(server.ws, mentee.email, mentor.cookie);
      const start = await scrape(server.http);
      for (let i = 0; i < 3; i++) menteeSocket.send({ type: 'chat_message', content: `delivered ${i}` });
      for (let i = 0; i < 3; i++) {
        await mentorSocket.until((frame) => frame.type === 'chat_message');
        await menteeSocket.until((frame) => frame.type === 'chat_message');
      }
      const after = await scrape(server.http);
      assert.equal(increase(start, after, 'tandem_messages_delivered_total{path="live"}'), 6, '3 messages × 2 connections');
      assert.ok(increase(start, after, 'tandem_fanout_latency_seconds_count') >= 3, 'one observation per message fanned out');
      await Promise.all([menteeSocket.close(), mentorSocket.close()]);
    });

    it('counts refused frames by reason', async () => {
      const { mentor, mentee } = await matchedPair(admin);
      const socket = await connectChat(server.ws, mentor.email, mentee.cookie);
      const start = await scrape(server.http);
      socket.send('not json');
      socket.send({ type: 'chat_message', content: '   ' });
      socket.send({ type: 'dance' });
      for (let i = 0; i < 3; i++) await socket.until((frame) => frame.type === 'error');
      const after = await scrape(server.http);
      for (const reason of ['invalid_json', 'empty_content', 'unknown_type']) {
        assert.equal(increase(start, after, `tandem_frames_rejected_total{reason="${reason}"}`), 1, reason);
      }
      await socket.close();
    });
  });
});

withBackends('metrics with Redis', { redis: true }, () => {
  it('counts channel-layer reconnects', async (t) => {
    const server = await startServer(t, { REDIS_URL: testRedisUrl!, REDIS_PREFIX: freshRedisPrefix() });
    const redis = new Redis(testRedisUrl!);
    t.after(() => redis.quit());
    const start = await scrape(server.http);
    assert.ok((await killClients(redis, (server.tandem.layer as RedisLayer).connectionNames.sub)) > 0);
    await until('the layer to reconnect', async () => increase(start, await scrape(server.http), 'tandem_layer_reconnects_total') >= 1);
  });
});
