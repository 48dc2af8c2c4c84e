/**
 * Every use Tandem makes of `ws` beyond its public API, in one place. The read budget must run
 * ws's own readers of an upgraded socket (its `data` and `end` listeners) in its own time, and
 * a graceful close must spare ws's frame receiver a second end(); ws offers neither. What is
 * used here was read in ws `WS_VERSION_CHECKED`; test/transport.ws-internals.unit.test.ts fails
 * when package-lock.json moves ws to another version, or when these internals are gone.
 */
import type { Duplex, Writable } from 'node:stream';
import type { WebSocket } from 'ws';

/** The ws version whose internals this file was checked against (package-lock.json). */
export const WS_VERSION_CHECKED = '8.23.0';

type DataListener = (this: Duplex, chunk: Buffer) => void;
type EndListener = (this: Duplex) => void;

/** The readers of a socket's input, taken off it so that the caller decides when they run. */
export interface SocketReaders {
  data: DataListener[];
  end: EndListener[];
}

/**
 * Removes every `data` and `end` listener `socket` has now and returns them. Once ws has
 * taken the socket (`handleUpgrade`'s callback) these are ws's own (`socketOnData`,
 * `socketOnEnd`) and Node's. ws removes its `data` listener itself on a close frame or a
 * receiver error; taken off here, that removal finds nothing and the caller's listener stays.
 */
export function takeSocketReaders(socket: Duplex): SocketReaders {
  const data = socket.listeners('data') as DataListener[];
  for (const listener of data) socket.removeListener('data', listener);
  const end = socket.listeners('end') as EndListener[];
  for (const listener of end) socket.removeListener('end', listener);
  return { data, end };
}

/** ws's frame receiver of `ws` (its private `_receiver`), when it has one. */
export function frameReceiver(ws: WebSocket): Writable | undefined {
  const receiver = (ws as unknown as { _receiver?: Writable | null })._receiver;
  return receiver && typeof receiver.end === 'function' ? receiver : undefined;
}
