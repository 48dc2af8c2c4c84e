/**
 * A graceful close ends the same streams twice: ws ends the socket after its close reply and
 * again when the peer's FIN arrives, and ends its frame receiver on the FIN and again on the
 * socket's close. Node answers end() on a stream that has already finished by building an
 * error (`ERR_STREAM_ALREADY_FINISHED`, its stack captured without a depth limit) that nobody
 * sees when end() was given no callback. That is a large share of what a close costs, and a
 * storm of thousands of closes pays it in one turn, so here such an end() does nothing.
 */
import type { Duplex, Writable } from 'node:stream';
import type { WebSocket } from 'ws';
import { frameReceiver } from './ws-internals.js';

type End = (...args: unknown[]) => Writable;

function skipSecondEnd(stream: Writable): void {
  const end = stream.end as End;
  stream.end = function (this: Writable, ...args: unknown[]): Writable {
    if (args.length === 0 && (this.writableFinished || this.destroyed)) return this;
    return end.apply(this, args);
  } as Writable['end'];
}

/** Makes a second end() without a callback a no-op on the upgraded socket and on `ws`'s receiver. */
export function skipSecondEnds(socket: Duplex, ws: WebSocket): void {
  skipSecondEnd(socket);
  // Without ws's receiver (not part of its API) only the socket is spared.
  const receiver = frameReceiver(ws);
  if (receiver) skipSecondEnd(receiver);
}
