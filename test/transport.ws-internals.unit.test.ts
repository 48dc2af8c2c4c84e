/**
 * src/transport/ws-internals.ts is the one file that reaches past ws's public API. This pins
 * it to the ws version in package-lock.json it was checked against (a lock file that moves
 * ws fails here until the file is read again against the new version), checks on a real
 * upgrade that the internals it uses are still there, and that no other file in src/ uses
 * them.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { it } from 'node:test';
import { WebSocket, WebSocketServer } from 'ws';
import { frameReceiver, takeSocketReaders, WS_VERSION_CHECKED } from '../src/transport/ws-internals.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

it('is checked against the ws version the lock file installs', () => {
  const lock = JSON.parse(readFileSync(`${root}package-lock.json`, 'utf8')) as { packages: Record<string, { version?: string }> };
  const locked = lock.packages['node_modules/ws']?.version;
  assert.equal(locked, WS_VERSION_CHECKED, `package-lock.json has ws ${locked}: read src/transport/ws-internals.ts against it, then set WS_VERSION_CHECKED`);
  const installed = (JSON.parse(readFileSync(`${root}node_modules/ws/package.json`, 'utf8')) as { version: string }).version;
  assert.equal(installed, WS_VERSION_CHECKED, 'the installed ws is the locked one');
});

it("finds ws's own readers on an upgraded socket and its frame receiver", async (t) => {
  const wss = new WebSocketServer({ noServer: true });
  const server = createServer();
  const seen = new Promise<{ data: string[]; end: string[]; left: number; receiver: unknown }>((resolve) => {
    server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
      wss.handleUpgrade(request, socket, head, (ws) => {
        const readers = takeSocketReaders(socket);
        const left = socket.listenerCount('data') + socket.listenerCount('end');
        // Put back, so that the connection closes as ws means it to.
        for (const listener of readers.data) socket.on('data', listener);
        for (const listener of readers.end) socket.on('end', listener);
        resolve({ data: readers.data.map((f) => f.name), end: readers.end.map((f) => f.name), left, receiver: frameReceiver(ws) });
      });
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.after(() => {
    for (const client of wss.clients) client.terminate();
    server.close();
  });
  const client = new WebSocket(`ws://127.0.0.1:${(server.address() as AddressInfo).port}/`);
  client.on('error', () => {});
  const { data, end, left, receiver } = await seen;
  assert.ok(data.includes('socketOnData'), `ws reads the socket through its data listener (found ${data.join(', ')})`);
  assert.ok(end.includes('socketOnEnd'), `ws hears the end of input through its end listener (found ${end.join(', ')})`);
  assert.equal(left, 0, 'every reader is taken off');
  assert.ok(receiver, 'ws keeps its frame receiver in _receiver');
  assert.equal((receiver as object).constructor.name, 'Receiver');
  assert.equal(typeof (receiver as { end?: unknown }).end, 'function');
  client.terminate();
});

it("is the only file in src/ that uses ws's internals", () => {
  const internals = /\._(receiver|sender|socket)\b|\.listeners\(\s*'(data|end)'/;
  const offenders: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(`${root}${dir}`, { withFileTypes: true })) {
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory()) walk(path);
      else if (path.endsWith('.ts') && path !== 'src/transport/ws-internals.ts' && internals.test(readFileSync(`${root}${path}`, 'utf8'))) offenders.push(path);
    }
  };
  walk('src');
  assert.deepEqual(offenders, []);
});
