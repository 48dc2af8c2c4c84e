/**
 * The socket server on real loopback sockets, without chat: a paced handshake upgrades and
 * the socket is read under the budget (ws's own reader is no longer on it) while frames go
 * both ways; an upgrade refused before it happens gets its bare HTTP status; the sockets of a
 * ping round are the ones `pinged` names; `close` waits for the peer's close handshake.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, request as httpRequest, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { it, type TestContext } from 'node:test';
import { WebSocket } from 'ws';
import { refuseUpgrade, SocketServer, type Pinged } from '../src/transport/socket-server.js';

const LIMITS = { maxFrameBytes: 1024, readsPerTurn: 2, pingIntervalMs: 60_000 };

async function listen(t: TestContext, onUpgrade: (request: IncomingMessage, socket: Duplex, head: Buffer) => void): Promise<number> {
  const server = createServer();
  server.on('upgrade', onUpgrade);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.after(() => server.close());
  return (server.address() as AddressInfo).port;
}

it('upgrades a paced handshake, reads under the budget, and closes after the peer answers', async (t) => {
  const errors: unknown[] = [];
  const sockets = new SocketServer(
    LIMITS,
    () => [],
    (error) => errors.push(error),
  );
  let dataListeners: string[] = [];
  const port = await listen(t, (request, socket, head) => {
    sockets.pace(() => {
      const writes = sockets.corkedWrites(socket);
      sockets.upgrade(request, socket, head, (ws) => {
        dataListeners = socket.listeners('data').map((f) => f.name);
        ws.on('message', (data) => ws.send(`echo ${String(data)}`));
        ws.send('hello');
        writes.flush();
      });
    });
  });
  const client = new WebSocket(`ws://127.0.0.1:${port}/`);
  const [hello] = (await once(client, 'message')) as [Buffer];
  assert.equal(String(hello), 'hello');
  assert.ok(!dataListeners.includes('socketOnData'), 'ws reads only through the budget');
  client.send('one');
  const [echo] = (await once(client, 'message')) as [Buffer];
  assert.equal(String(echo), 'echo one');
  const clientClosed = once(client, 'close') as Promise<[number]>;
  client.close(1000);
  await sockets.close(60_000);
  assert.equal((await clientClosed)[0], 1000, 'the close handshake was answered, not cut off');
  assert.deepEqual(errors, []);
});

it('refuses before upgrading with a bare HTTP status', async (t) => {
  const port = await listen(t, (_request, socket) => refuseUpgrade(socket, 403, 'Forbidden'));
  const request = httpRequest({ host: '127.0.0.1', port, headers: { Connection: 'Upgrade', Upgrade: 'websocket' } });
  request.end();
  const [response] = (await once(request, 'response')) as [IncomingMessage];
  assert.equal(response.statusCode, 403);
  assert.equal(response.headers['content-length'], '0');
  response.resume();
});

it('pings what `pinged` names at every interval, a bounded number per turn, until told to stop', async (t) => {
  // Only the interval is mocked: the slices run in real turns, stepped through here.
  t.mock.timers.enable({ apis: ['setInterval'] });
  const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));
  const beats: string[] = [];
  const peers: Pinged[] = ['a', 'b', 'c'].map((name) => ({ heartbeat: () => beats.push(name) }));
  const sockets = new SocketServer(
    LIMITS,
    () => peers,
    () => {},
  );
  t.mock.timers.tick(LIMITS.pingIntervalMs);
  assert.deepEqual(beats, [], "sliced: none in the interval's own turn");
  await nextTurn();
  assert.deepEqual(beats, ['a', 'b'], `${LIMITS.readsPerTurn} a turn`);
  await nextTurn();
  assert.deepEqual(beats, ['a', 'b', 'c']);
  sockets.stopPings();
  t.mock.timers.tick(LIMITS.pingIntervalMs * 3);
  await nextTurn();
  await nextTurn();
  assert.equal(beats.length, 3);
});
