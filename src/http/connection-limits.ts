/**
 * What one client, and everyone together, may hold of a listening port: a cap on open TCP
 * connections (WebSockets included, since an upgraded socket is the same connection) in
 * total and per peer address, and header, request and keep-alive timeouts shorter than
 * Node's, so that idle or half-sent connections (slowloris) are cut rather than kept. A
 * connection past a cap is destroyed on arrival, before any byte of it is read.
 */
import type { Server, ServerOptions } from 'node:http';
import type { Socket } from 'node:net';
import type { ConnectionLimits } from '../config.js';
import { recordConnectionRefused } from '../metrics.js';
import { clientKey } from './throttle.js';

/**
 * The options `http.createServer` needs for the timeouts. Node checks them only every
 * `connectionsCheckingInterval` (30 s by default), so that interval follows the header timeout.
 */
export function serverTimeouts(limits: ConnectionLimits): ServerOptions {
  return {
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(limits.headersTimeoutMs / 4))),
  };
}

/** Applies the connection caps to `server`; the timeouts come with `serverTimeouts` at creation. */
export function limitConnections(server: Server, limits: ConnectionLimits): void {
  server.maxConnections = limits.maxTotal;
  server.on('drop', () => recordConnectionRefused('total'));
  const open = new Map<string, number>();
  server.on('connection', (socket: Socket) => {
    const key = clientKey(socket.remoteAddress ?? '');
    const count = (open.get(key) ?? 0) + 1;
    if (count > limits.maxPerAddress) {
      recordConnectionRefused('per_address');
      socket.destroy();
      return;
    }
    open.set(key, count);
    socket.once('close', () => {
      const left = (open.get(key) ?? 1) - 1;
      if (left === 0) open.delete(key);
      else open.set(key, left);
    });
  });
}
