/**
 * The ceilings: a relay that does only the work a chat message needs, run by the bench under
 * the same load as Tandem to show what the machine allows. One room index, one JSON parse and
 * one encode per message, no authorization after the handshake (the `sessionid` cookie *is*
 * the user's email), no rate limits, no metrics, no logs.
 *
 * It writes the way Tandem does: a socket's frames of one turn leave in one `writev` (Tandem's
 * own WriteCoalescer, flushed every FLUSH_SLICE_BYTES), since a ceiling that wrote frame by frame would
 * measure the system calls it makes, not what the machine allows.
 *
 * With env RELAY_DATABASE=<path> it is the durable ceiling: each event-loop turn's messages
 * are stored in one SQLite transaction (WAL, `synchronous=FULL`, as Tandem's store) with
 * each room's next `seq`, and echoed and delivered only after the commit. Without it, the
 * bare ceiling: `seq` is a counter and nothing is stored.
 *
 * `PORT=<port> node dist/bench/relay.js`; answers `GET /healthz` like Tandem.
 */
import { createServer, type IncomingMessage } from 'node:http';
import Database from 'better-sqlite3';
import type { Duplex } from 'node:stream';
import WebSocket, { WebSocketServer } from 'ws';
import { FLUSH_SLICE_BYTES, WriteCoalescer, type CorkedWrites } from '../src/transport/write-coalescer.js';

interface Peer {
  ws: WebSocket;
  writes: CorkedWrites;
  email: string;
  room: string;
}

interface Pending {
  peer: Peer;
  content: string;
}

const port = Number(process.env.PORT);
const databasePath = process.env.RELAY_DATABASE;
const rooms = new Map<string, Set<Peer>>();
const lastSeq = new Map<string, number>();
let lastId = 0;
const coalescer = new WriteCoalescer();

const database = databasePath ? new Database(databasePath) : null;
if (database) {
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = FULL');
  database.exec(
    'CREATE TABLE IF NOT EXISTS messages (id INTEGER PRIMARY KEY, room TEXT NOT NULL, seq INTEGER NOT NULL, sender TEXT NOT NULL, content TEXT NOT NULL, created_at TEXT NOT NULL, UNIQUE (room, seq))',
  );
}
const insert = database?.prepare('INSERT INTO messages (id, room, seq, sender, content, created_at) VALUES (?, ?, ?, ?, ?, ?)');
let pending: Pending[] = [];

/** Allocates the message's id and seq, and returns its wire frame, encoded once. */
function frameOf({ peer, content }: Pending, createdAt: string): { id: number; seq: number; text: string } {
  const seq = (lastSeq.get(peer.room) ?? 0) + 1;
  lastSeq.set(peer.room, seq);
  const id = ++lastId;
  const text = JSON.stringify({
    type: 'chat_message',
    message_id: String(id),
    seq,
    sender_email: peer.email,
    sender_name: peer.email,
    content,
    timestamp: createdAt,
  });
  return { id, seq, text };
}

function fanOut(room: string, text: string): void {
  for (const member of rooms.get(room) ?? []) {
    if (member.ws.readyState !== WebSocket.OPEN) continue;
    member.writes.cork();
    member.ws.send(text);
    if (member.ws.bufferedAmount > FLUSH_SLICE_BYTES) member.writes.flush();
  }
}

/** One transaction for the turn's messages, then their echoes: durable before anyone sees them. */
function commitTurn(): void {
  const batch = pending;
  pending = [];
  const createdAt = new Date().toISOString();
  const frames: Array<{ room: string; text: string }> = [];
  database!.transaction(() => {
    for (const item of batch) {
      const { id, seq, text } = frameOf(item, createdAt);
      insert!.run(id, item.peer.room, seq, item.peer.email, item.content, createdAt);
      frames.push({ room: item.peer.room, text });
    }
  })();
  for (const { room, text } of frames) fanOut(room, text);
}

function onFrame(peer: Peer, data: WebSocket.RawData): void {
  let frame: { type?: unknown; content?: unknown };
  try {
    frame = JSON.parse(data.toString()) as typeof frame;
  } catch {
    return;
  }
  if (frame.type !== 'chat_message' || typeof frame.content !== 'string') return;
  const item = { peer, content: frame.content };
  if (!database) return fanOut(peer.room, frameOf(item, new Date().toISOString()).text);
  if (pending.length === 0) setImmediate(commitTurn);
  pending.push(item);
}

const http = createServer((request, response) => {
  response.writeHead(request.url === '/healthz' ? 200 : 404, { 'content-type': 'text/plain' }).end();
});
const sockets = new WebSocketServer({ noServer: true, perMessageDeflate: false });
http.on('upgrade', (request, socket: Duplex, head: Buffer) => {
  sockets.handleUpgrade(request, socket, head, (ws) => onConnection(ws, request, coalescer.for(socket)));
});
function onConnection(ws: WebSocket, request: IncomingMessage, writes: CorkedWrites): void {
  const cookie = /(?:^|;\s*)sessionid=([^;]*)/.exec(request.headers.cookie ?? '');
  const partner = /^\/ws\/chat\/([^/]+)\/$/.exec(request.url ?? '');
  if (!cookie || !partner) return ws.close(4001, 'unauthenticated');
  const email = decodeURIComponent(cookie[1]!);
  const room = [email, decodeURIComponent(partner[1]!)].sort().join('\n');
  const peer: Peer = { ws, writes, email, room };
  let members = rooms.get(room);
  if (!members) rooms.set(room, (members = new Set()));
  members.add(peer);
  ws.on('message', (data) => onFrame(peer, data));
  ws.on('error', () => {});
  ws.on('close', () => {
    members!.delete(peer);
    if (members!.size === 0) rooms.delete(room);
  });
  ws.send(JSON.stringify({ type: 'connection_established', message: 'Connected to chat' }));
}
http.listen(port, '127.0.0.1');

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    if (pending.length > 0) commitTurn();
    database?.close();
    process.exit(0);
  });
}
