/** Raw HTTP over `node:net`, for requests `fetch` refuses to send (bad request lines, huge headers, half-sent requests). */
import { connect, type Socket } from 'node:net';

export interface RawReply {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Sends `bytes` as they are and resolves with the reply once the server closes or has sent the whole body. */
export function rawRequest(base: string, bytes: string): Promise<RawReply> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    let text = '';
    const finish = () => {
      socket.destroy();
      const parsed = parseReply(text);
      if (parsed) resolve(parsed);
      else reject(new Error(`no HTTP reply, got ${JSON.stringify(text.slice(0, 200))}`));
    };
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      text += chunk;
      const parsed = parseReply(text);
      if (parsed && Buffer.byteLength(parsed.body, 'latin1') >= Number(parsed.headers['content-length'] ?? Infinity)) finish();
    });
    socket.on('close', finish);
    socket.on('error', () => undefined);
    socket.write(bytes, 'latin1');
  });
}

function parseReply(text: string): RawReply | null {
  const end = text.indexOf('\r\n\r\n');
  if (end < 0) return null;
  const [statusLine, ...lines] = text.slice(0, end).split('\r\n');
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine ?? '')?.[1]);
  if (!status) return null;
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { status, headers, body: text.slice(end + 4) };
}

/** Opens a TCP connection and resolves once it is established (it may still be closed by the server right after). */
export function openSocket(base: string, localAddress?: string): Promise<Socket> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const socket = connect({ port: Number(port), host: hostname, ...(localAddress ? { localAddress } : {}) });
    socket.once('connect', () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Resolves when the server has closed `socket` (or it was never open). */
export function closedByServer(socket: Socket): Promise<void> {
  if (socket.destroyed || socket.readyState === 'closed') return Promise.resolve();
  return new Promise((resolve) => socket.once('close', () => resolve()));
}
