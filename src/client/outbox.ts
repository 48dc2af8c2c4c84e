/**
 * Messages written but not yet acknowledged. Each carries a `client_id`, so that sending it
 * again — after a reconnect, a refused attempt or a page reload — stores it at most once
 * (PROTOCOL.md Part 2, idempotent send). The outbox may be persisted in a
 * `localStorage`-like store so that what was written offline survives a reload.
 */
import { ErrorText } from '../protocol/frames.js';
import { parseFrame } from '../protocol/parse.js';

/** A message waiting for its echo. `failed` ones were refused for good and are never resent. */
export interface PendingMessage {
  readonly client_id: string;
  /** Trimmed as the server will store it. */
  readonly content: string;
  /** Ids of the user's uploads sent with it (see `TandemApi.uploadAttachment`). */
  readonly attachments?: readonly string[];
  /** ISO-8601, when it was written. */
  readonly created_at: string;
  /** The message it answers (PROTOCOL.md Part 8). */
  reply_to?: string;
  state: 'queued' | 'sent' | 'failed';
  /** Why it failed, in the server's words. */
  error?: string;
}

/** What may go with a message: the message it answers (PROTOCOL.md Part 8), the ids of files uploaded for it. */
export interface SendOptions {
  replyTo?: string;
  attachments?: readonly string[];
}

/** The subset of the Web Storage API the outbox uses (`localStorage` fits). */
export interface KeyValueStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

/** A random `client_id` (128 bits, hex). `getRandomValues` works in insecure contexts too, unlike `randomUUID`. */
export function newClientId(): string {
  const bytes = new Uint8Array(16);
  globalThis.crypto.getRandomValues(bytes);
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
}

/**
 * Checks `raw` with the server's own parser, so that a message the server would refuse
 * (without telling which one: parse errors carry no `client_id`) is never queued.
 * Returns the content as it will be stored, or the server's error text.
 */
export function validateContent(raw: string, attachments?: readonly string[]): { ok: true; content: string } | { ok: false; error: string } {
  const parsed = parseFrame(JSON.stringify({ type: 'chat_message', content: raw, ...(attachments?.length ? { attachments } : {}) }));
  if (!parsed.ok) return { ok: false, error: parsed.error };
  if (parsed.frame.type !== 'chat_message') return { ok: false, error: ErrorText.unknownType };
  return { ok: true, content: parsed.frame.content };
}

/** The ordered outbox of one conversation. Order of `add` is the order of sending. */
export class Outbox {
  private items: PendingMessage[];

  /** Loads what `storage` kept under `key` (a reload's unsent messages come back as queued). */
  constructor(
    private readonly storage: KeyValueStorage | null = null,
    private readonly key = '',
  ) {
    this.items = storage ? load(storage, key) : [];
  }

  /** Every pending message, oldest first, failed ones included. */
  get all(): readonly PendingMessage[] {
    return this.items;
  }

  /** Messages that still have to reach the server, oldest first. */
  get unsent(): PendingMessage[] {
    return this.items.filter((item) => item.state !== 'failed');
  }

  add(content: string, options: SendOptions = {}): PendingMessage {
    const item: PendingMessage = {
      client_id: newClientId(),
      content,
      ...(options.attachments?.length ? { attachments: [...options.attachments] } : {}),
      created_at: new Date().toISOString(),
      state: 'queued',
    };
    if (options.replyTo !== undefined) item.reply_to = options.replyTo;
    this.items.push(item);
    this.save();
    return item;
  }

  has(clientId: string): boolean {
    return this.items.some((item) => item.client_id === clientId);
  }

  /** Removes the message the server echoed; true when it was here. */
  acknowledge(clientId: string): boolean {
    const before = this.items.length;
    this.items = this.items.filter((item) => item.client_id !== clientId);
    if (this.items.length === before) return false;
    this.save();
    return true;
  }

  mark(clientId: string, state: PendingMessage['state'], error?: string): void {
    const item = this.items.find((candidate) => candidate.client_id === clientId);
    if (!item) return;
    item.state = state;
    if (error === undefined) delete item.error;
    else item.error = error;
    this.save();
  }

  /** Forgets a failed message (the user dismissed it). */
  discard(clientId: string): void {
    this.acknowledge(clientId);
  }

  private save(): void {
    if (!this.storage) return;
    try {
      if (this.items.length === 0) this.storage.removeItem(this.key);
      else this.storage.setItem(this.key, JSON.stringify(this.items));
    } catch {
      // Storage full or disabled: the outbox still works for this page's lifetime.
    }
  }
}

function load(storage: KeyValueStorage, key: string): PendingMessage[] {
  try {
    const raw = storage.getItem(key);
    const parsed: unknown = raw ? JSON.parse(raw) : [];
    if (!Array.isArray(parsed)) return [];
    return parsed
      .filter((item): item is PendingMessage => typeof item?.client_id === 'string' && typeof item?.content === 'string')
      .map((item) => ({ ...item, state: item.state === 'failed' ? 'failed' : 'queued' }));
  } catch {
    return [];
  }
}
