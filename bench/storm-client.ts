/**
 * The storm's sockets, in a process of their own (forked by `storm.ts`). Opening and closing
 * thousands of sockets costs the client too; done in the process that times the pairs' echoes,
 * that cost would show as the server's latency (and they are raw sockets, see idle-socket.ts,
 * so that it stays small on two cores). Over IPC: `{ open: endpoints }` → opens them
 * all at once and answers `{ opened }`; `{ close: true }` → closes them all at once and answers
 * `{ closed: true }` when every one has closed.
 */
import { IdleSocket, type IdleEndpoint } from './idle-socket.js';

export type StormEndpoint = IdleEndpoint;

export type StormRequest = { open: StormEndpoint[] } | { close: true };
export type StormAnswer = { opened: number } | { closed: true };

const sockets: IdleSocket[] = [];
/** A storm's handshakes wait their turn behind each other: far longer than one alone. */
const OPEN_TIMEOUT_MS = 120_000;

/** Resolves true once `connection_established` arrived, false if refused or failed. */
function open(endpoint: StormEndpoint): Promise<boolean> {
  return IdleSocket.open(endpoint, OPEN_TIMEOUT_MS).then(
    (socket) => {
      sockets.push(socket);
      return true;
    },
    () => false,
  );
}

async function closeAll(): Promise<void> {
  await Promise.all(sockets.map((socket) => socket.close()));
}

function answer(message: StormAnswer): void {
  process.send!(message);
}

process.on('message', (request: StormRequest) => {
  if ('open' in request) {
    void Promise.all(request.open.map(open)).then((outcomes) => answer({ opened: outcomes.filter(Boolean).length }));
  } else {
    void closeAll().then(() => answer({ closed: true }));
  }
});
process.on('disconnect', () => {
  for (const socket of sockets) socket.destroy();
  process.exit(0);
});
