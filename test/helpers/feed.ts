/**
 * The message feed's surroundings for its unit tests, without a socket or a store: a fake
 * `send` records frames and decides when each is written, and a tiny in-memory source
 * answers `messages.after` (the one store call the feed makes). Live frames are `L<seq>`,
 * frames read from the store `S<seq>`, anything else is an error frame or an answer.
 */
import { MessageFeed, type Gap } from '../../src/chat/message-feed.js';
import type { Message } from '../../src/store/index.js';

export const PAIR = 7;

/**
 * Reads a source answers at most: a feed that reads in a loop fails its test (a rejected
 * read) instead of holding the process in microtasks for ever.
 */
export const READ_CAP = 1000;

/** The pair's stored messages `1..count` but the `missing` ones, and a way to hold or fail the next reads. */
export class Source {
  readonly calls: Array<[number, number, number]> = [];
  failWith: Error | null = null;
  /** Seqs the store does not have, as an inconsistent store would answer. */
  readonly missing = new Set<number>();
  private gate: Promise<void> | null = null;
  private open: (() => void) | null = null;

  constructor(private count: number) {}

  /** Stores more messages, as the other side of the pair would. */
  grow(count: number): void {
    this.count = count;
  }

  /** Reads wait until `release`. */
  hold(): void {
    this.gate = new Promise((resolve) => (this.open = resolve));
  }

  release(): void {
    this.gate = null;
    this.open?.();
  }

  async after(pairId: number, afterSeq: number, limit: number): Promise<Message[]> {
    this.calls.push([pairId, afterSeq, limit]);
    if (this.calls.length > READ_CAP) throw new Error(`more than ${READ_CAP} reads`);
    if (this.gate) await this.gate;
    if (this.failWith) throw this.failWith;
    const messages: Message[] = [];
    for (let seq = afterSeq + 1; seq <= this.count && messages.length < limit; seq++) {
      if (this.missing.has(seq)) continue;
      messages.push({
        id: 100 + seq,
        pairId,
        seq,
        kind: 'message',
        senderId: 1,
        content: `m${seq}`,
        createdAt: new Date(0),
        isRead: false,
        clientId: null,
        editedAt: null,
        deleted: false,
        replyTo: null,
      });
    }
    return messages;
  }
}

/** The socket as the feed sees it: frames in order, and writes the test completes itself when `manual`. */
export class Wire {
  readonly frames: string[] = [];
  private readonly unwritten: Array<() => void> = [];

  constructor(private readonly manual = false) {}

  readonly send = (frame: string, written?: () => void): void => {
    this.frames.push(frame);
    if (!written) return;
    if (this.manual) this.unwritten.push(written);
    else written();
  };

  /** The socket takes everything sent so far. */
  writeAll(): void {
    for (const written of this.unwritten.splice(0)) written();
  }
}

export function feedOn(source: Source, wire: Wire, options: { pageSize?: number } = {}) {
  const failures: unknown[] = [];
  const gaps: Gap[] = [];
  const feed = new MessageFeed({
    source,
    pairId: PAIR,
    encode: (message) => `S${message.seq}`,
    send: wire.send,
    onFailure: (error) => failures.push(error),
    onGap: (gap) => gaps.push(gap),
    ...options,
  });
  return { feed, failures, gaps };
}

/** Lets every pending read and promise callback run. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
}
