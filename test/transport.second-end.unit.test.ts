/**
 * `skipSecondEnds` on a real ws connection over loopback: a graceful close still completes on
 * both sides with the peer's code, a second end() without a callback is a quiet no-op, and one
 * with a callback still hears Node's own error.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import type { Socket } from 'node:net';
import { describe, it } from 'node:test';
import { WebSocket, WebSocketServer } from 'ws';
import { skipSecondEnds } from '../src/transport/second-end.js';

async function connectedPair(): Promise<{ server: WebSocketServer; serverSide: WebSocket; socket: Socket; client: WebSocket }> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await once(server, 'listening');
  const accepted = once(server, 'connection') as Promise<[WebSocket, { socket: Socket }]>;
  const client = new WebSocket(`ws://127.0.0.1:${(server.address() as AddressInfo).port}/`);
  const [serverSide, request] = await accepted;
  skipSecondEnds(request.socket, serverSide);
  await once(client, 'open');
  return { server, serverSide, socket: request.socket, client };
}

describe('skipSecondEnds', () => {
  it('leaves the close handshake whole: both sides close with the code the client sent', async () => {
    const { server, serverSide, client } = await connectedPair();
    const serverClosed = once(serverSide, 'close');
    const clientClosed = once(client, 'close');
    client.close(4321, 'done');
    const [[serverCode, serverReason], [clientCode]] = await Promise.all([serverClosed, clientClosed]);
    assert.equal(serverCode, 4321);
    assert.equal(String(serverReason), 'done');
    assert.equal(clientCode, 4321);
    server.close();
  });

  it("keeps what end() on the finished socket answers: the socket itself, and Node's own error to a callback", async () => {
    const { server, serverSide, socket, client } = await connectedPair();
    const closed = once(serverSide, 'close');
    client.close(1000);
    await closed;
    assert.ok(socket.writableFinished || socket.destroyed);
    assert.equal(socket.end(), socket);
    const error = await new Promise<unknown>((resolve) => (socket.end as (callback: (error?: unknown) => void) => void)((e) => resolve(e)));
    assert.match(String((error as { code?: string } | undefined)?.code), /^ERR_STREAM_(ALREADY_FINISHED|DESTROYED)$/);
    server.close();
  });
});
