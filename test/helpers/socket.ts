/**
 * A test WebSocket: real `ws` client with the session cookie, frames queued so a test can
 * await them one by one. Every wait has a timeout that fails the test instead of hanging.
 */
import WebSocket from 'ws';
import type { OutboundFrame } from '../../src/protocol/frames.js';
import type { UserStreamOutbound } from '../../src/protocol/user-stream.js';

const WAIT_MS = 5000;

export type Frame = (OutboundFrame | UserStreamOutbound) & Record<string, any>;

export interface SocketOptions {
  cookie?: string | undefined;
  origin?: string;
  headers?: Record<string, string>;
  /** False plays a dead peer: pings go unanswered. */
  autoPong?: boolean;
}

export class TestSocket {
  readonly ws: WebSocket;
  readonly frames: Frame[] = [];
  /** The `connection_established` frame, once `connectChat` read it. */
  established: Frame | undefined;
  private readonly waiters: Array<(frame: Frame) => void> = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  readonly opened: Promise<void>;

  constructor(url: string, options: SocketOptions = {}) {
    const headers: Record<string, string> = { ...options.headers };
    if (options.cookie) headers.cookie = options.cookie;
    if (options.origin) headers.origin = options.origin;
    this.ws = new WebSocket(url, { headers, autoPong: options.autoPong ?? true });
    this.opened = new Promise((resolve, reject) => {
      this.ws.once('open', () => resolve());
      this.ws.once('unexpected-response', (_req, res) => reject(new Error(`handshake refused with HTTP ${res.statusCode}`)));
      this.ws.once('error', reject);
    });
    this.opened.catch(() => {});
    this.ws.on('error', () => {}); // surfaced through `opened` and `closed`
    this.closed = new Promise((resolve) => this.ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));
    this.ws.on('message', (data) => {
      const frame = JSON.parse(data.toString()) as Frame;
      const waiter = this.waiters.shift();
      if (waiter) waiter(frame);
      else this.frames.push(frame);
    });
  }

  /**
   * The next frame (queued or future). `timeoutMs` only guards against a hang: a test that
   * streams megabytes through a loaded machine passes a longer one than the default.
   */
  next(timeoutMs = WAIT_MS): Promise<Frame> {
    const queued = this.frames.shift();
    if (queued) return Promise.resolve(queued);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        const index = this.waiters.indexOf(waiter);
        if (index >= 0) this.waiters.splice(index, 1);
        reject(new Error(`no frame within ${timeoutMs} ms`));
      }, timeoutMs);
      const waiter = (frame: Frame) => {
        clearTimeout(timer);
        resolve(frame);
      };
      this.waiters.push(waiter);
    });
  }

  /** The next frame, which must be of `type`. */
  async expect<T extends Frame['type']>(type: T, timeoutMs = WAIT_MS): Promise<Extract<Frame, { type: T }> & Record<string, any>> {
    const frame = await this.next(timeoutMs);
    if (frame.type !== type) throw new Error(`expected a ${type} frame, got ${JSON.stringify(frame)}`);
    return frame as any;
  }

  /** Frames until one satisfies `predicate`; returns it and the ones skipped. */
  async until(predicate: (frame: Frame) => boolean): Promise<{ frame: Frame; skipped: Frame[] }> {
    const skipped: Frame[] = [];
    for (;;) {
      const frame = await this.next();
      if (predicate(frame)) return { frame, skipped };
      skipped.push(frame);
    }
  }

  /**
   * Proves that nothing arrived before a marker the test sent after the frames it expected:
   * reads up to the frame `isMarker` accepts and fails on anything in between. Reading the
   * queue at once would pass a late duplicate that is still on its way.
   */
  async nothingBefore(isMarker: (frame: Frame) => boolean, what = 'the marker'): Promise<Frame> {
    const { frame, skipped } = await this.until(isMarker);
    if (skipped.length > 0) throw new Error(`expected nothing before ${what}, got ${JSON.stringify(skipped)}`);
    return frame;
  }

  send(frame: unknown): void {
    this.ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  /** Resolves with the close code and reason, or fails after the timeout. */
  async closedWithin(): Promise<{ code: number; reason: string }> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`socket not closed within ${WAIT_MS} ms`)), WAIT_MS);
    });
    try {
      return await Promise.race([this.closed, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  close(): Promise<{ code: number; reason: string }> {
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING) this.ws.close();
    return this.closedWithin();
  }
}

/** Opens `/ws/chat/<partner>/` as `cookie`; `connected` waits for `connection_established`. */
export function chatUrl(wsBase: string, partnerEmail: string, query = ''): string {
  return `${wsBase}/ws/chat/${encodeURIComponent(partnerEmail)}/${query}`;
}

export async function connectChat(
  wsBase: string,
  partnerEmail: string,
  cookie: string | undefined,
  options: { query?: string; autoPong?: boolean } = {},
): Promise<TestSocket> {
  const socket = new TestSocket(chatUrl(wsBase, partnerEmail, options.query), { cookie, autoPong: options.autoPong ?? true });
  await socket.opened;
  const first = await socket.next();
  if (first.type !== 'connection_established') throw new Error(`expected connection_established, got ${JSON.stringify(first)}`);
  socket.established = first;
  return socket;
}

/** Opens the user's event stream `/ws/me/` as `cookie` and waits for its `connection_established`. */
export async function connectStream(wsBase: string, cookie: string | undefined): Promise<TestSocket> {
  const socket = new TestSocket(`${wsBase}/ws/me/`, { cookie });
  await socket.opened;
  const first = await socket.next();
  if (first.type !== 'connection_established') throw new Error(`expected connection_established, got ${JSON.stringify(first)}`);
  socket.established = first;
  return socket;
}

/** A chat message whose content is `content`: the usual marker sent after the frames a test expected. */
export function chatWith(content: string): (frame: Frame) => boolean {
  return (frame) => frame.type === 'chat_message' && frame.content === content;
}
