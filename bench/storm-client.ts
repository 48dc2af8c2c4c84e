/**
 * The storm's sockets, in a process of their own (forked by `storm.ts`). Opening and closing
 * thousands of sockets costs the client too; done in the process that times the pairs' echoes,
 * that cost would show as the server's latency. Over IPC: `{ open: endpoints }` → opens them
 * all at once and answers `{ opened }`; `{ close: true }` → closes them all at once and answers
 * `{ closed: true }` when every one has closed.
 */
import WebSocket from 'ws';
import { parseFrame } from './traffic.js';

export interface StormEndpoint {
  wsBase: string;
  partnerEmail: string;
  sessionId: string;
}

export type StormRequest = { open: StormEndpoint[] } | { close: true };
export type StormAnswer = { opened: number } | { closed: true };

const sockets: WebSocket[] = [];

/** Resolves true once `connection_established` arrived, false if refused or failed. */
function open(endpoint: StormEndpoint): Promise<boolean> {
  const ws = new WebSocket(`${endpoint.wsBase}/ws/chat/${encodeURIComponent(endpoint.partnerEmail)}/`, {
    headers: { cookie: `sessionid=${endpoint.sessionId}` },
    perMessageDeflate: false,
  });
  sockets.push(ws);
  ws.on('error', () => {});
  return new Promise((resolve) => {
    ws.once('message', (data) => resolve(parseFrame(data)?.type === 'connection_established'));
    ws.once('close', () => resolve(false));
  });
}

async function closeAll(): Promise<void> {
  const closed = sockets.map((ws) => new Promise<void>((resolve) => (ws.readyState === WebSocket.CLOSED ? resolve() : ws.once('close', () => resolve()))));
  for (const ws of sockets) ws.close(1000, 'storm over');
  await Promise.all(closed);
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
  for (const ws of sockets) ws.terminate();
  process.exit(0);
});
