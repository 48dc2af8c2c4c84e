/**
 * A chat socket that only has to exist — the connections scenario's ten thousand, the
 * storm's thousands — at next to no cost to its load client: the upgrade request is written
 * by hand, the `101` and its `Sec-WebSocket-Accept` checked, the first frame must be
 * `connection_established`, pings are answered, and `close()` is the close handshake. The
 * `ws` client costs its process about as much CPU per handshake as the server; on two cores
 * that load client, not the server, would set the handshake rate.
 *
 * Frames from the server are unmasked (RFC 6455 §5.1); the few this side sends (pong, close)
 * are masked, with a zero key: the payload goes out as it is.
 */
import { createHash } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { parseFrame } from './traffic.js';

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
/** Any 16 bytes in base64 will do (the server checks the form and hashes it back). */
const KEY = Buffer.from('tandem idle sock').toString('base64');
const ACCEPT = createHash('sha1')
  .update(KEY + GUID)
  .digest('base64');
const ACCEPT_HEADER = new RegExp(`\r\nsec-websocket-accept: *${ACCEPT.replace(/[+/=]/g, '\\$&')}\r\n`, 'i');
/** As `ws` does: a server that never ends the connection after the close handshake is cut off. */
const CLOSE_TIMEOUT_MS = 30_000;
const OPCODE = { text: 0x1, close: 0x8, ping: 0x9, pong: 0xa } as const;

export interface IdleEndpoint {
  wsBase: string;
  partnerEmail: string;
  sessionId: string;
}

/** A masked frame of this side's: FIN, `opcode`, a zero mask and `payload` (under 126 bytes). */
function clientFrame(opcode: number, payload: Buffer): Buffer {
  return Buffer.concat([Buffer.from([0x80 | opcode, 0x80 | payload.length, 0, 0, 0, 0]), payload]);
}

export class IdleSocket {
  private buffered: Buffer = Buffer.alloc(0);
  private upgraded = false;
  private established = false;
  private closing = false;
  private readonly closed: Promise<void>;

  private constructor(
    private readonly socket: Socket,
    private readonly ready: { resolve(): void; reject(error: Error): void },
  ) {
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
    socket.on('data', (chunk: Buffer) => this.read(chunk));
    socket.on('error', (error) => ready.reject(error));
    socket.once('close', () => ready.reject(new Error(this.upgraded ? 'closed before connection_established' : 'closed during the upgrade')));
  }

  /** Resolves once `connection_established` arrived; rejects on anything else, or after `timeoutMs`. */
  static open(endpoint: IdleEndpoint, timeoutMs: number): Promise<IdleSocket> {
    const { hostname, port } = new URL(endpoint.wsBase);
    const socket = connect(Number(port), hostname);
    socket.setNoDelay(true);
    const path = `/ws/chat/${encodeURIComponent(endpoint.partnerEmail)}/`;
    socket.write(
      `GET ${path} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
        `Sec-WebSocket-Key: ${KEY}\r\nSec-WebSocket-Version: 13\r\nCookie: sessionid=${endpoint.sessionId}\r\n\r\n`,
    );
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => fail(new Error(`no connection_established within ${timeoutMs} ms`)), timeoutMs);
      const fail = (error: Error) => {
        clearTimeout(timer);
        socket.destroy();
        reject(error);
      };
      const idle: IdleSocket = new IdleSocket(socket, {
        resolve: () => {
          clearTimeout(timer);
          resolve(idle);
        },
        reject: fail,
      });
    });
  }

  /** The close handshake (1000); resolves once the connection is closed. */
  close(): Promise<void> {
    if (!this.closing && !this.socket.destroyed) {
      this.closing = true;
      const payload = Buffer.alloc(2);
      payload.writeUInt16BE(1000);
      this.socket.write(clientFrame(OPCODE.close, payload));
      setTimeout(() => this.socket.destroy(), CLOSE_TIMEOUT_MS).unref();
    }
    return this.closed;
  }

  /** Ends the connection without a close handshake. */
  destroy(): void {
    this.socket.destroy();
  }

  private read(chunk: Buffer): void {
    this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
    if (!this.upgraded && !this.readUpgrade()) return;
    while (this.readFrame());
  }

  /** The `101` reply, once all of it arrived; false while it has not. */
  private readUpgrade(): boolean {
    const end = this.buffered.indexOf('\r\n\r\n');
    if (end < 0) return false;
    const head = this.buffered.subarray(0, end).toString('latin1');
    this.buffered = this.buffered.subarray(end + 4);
    const status = head.slice(0, head.indexOf('\r\n'));
    if (!status.startsWith('HTTP/1.1 101')) {
      this.ready.reject(new Error(`handshake refused: ${status}`));
      return false;
    }
    if (!ACCEPT_HEADER.test(`${head}\r\n`)) {
      this.ready.reject(new Error('handshake without the expected Sec-WebSocket-Accept'));
      return false;
    }
    this.upgraded = true;
    return true;
  }

  /** One whole frame off the buffer, acted on; false when the buffer holds none. */
  private readFrame(): boolean {
    const data = this.buffered;
    if (data.length < 2) return false;
    const opcode = data[0]! & 0x0f;
    let length = data[1]! & 0x7f;
    let offset = 2;
    if (length === 126) {
      if (data.length < 4) return false;
      length = data.readUInt16BE(2);
      offset = 4;
    } else if (length === 127) {
      if (data.length < 10) return false;
      length = Number(data.readBigUInt64BE(2));
      offset = 10;
    }
    if (data.length < offset + length) return false;
    const payload = data.subarray(offset, offset + length);
    this.buffered = data.subarray(offset + length);
    if (opcode === OPCODE.text && !this.established) {
      if (parseFrame(payload)?.type !== 'connection_established') this.ready.reject(new Error(`first frame was ${payload.toString('utf8').slice(0, 200)}`));
      else {
        this.established = true;
        this.ready.resolve();
      }
    } else if (opcode === OPCODE.ping) {
      this.socket.write(clientFrame(OPCODE.pong, Buffer.from(payload)));
    } else if (opcode === OPCODE.close) {
      // The server's close: answered (unless this side began it), then the server ends the TCP connection.
      if (!this.closing) {
        this.closing = true;
        this.socket.write(clientFrame(OPCODE.close, Buffer.from(payload.subarray(0, 2))));
      }
      this.socket.end();
    }
    return true;
  }
}
