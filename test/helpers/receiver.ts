/**
 * A webhook receiver the test starts: a real HTTP server on port 0 that records every
 * request and answers as the test says (a status, or holding the request open). Tests wait
 * on its requests, never on time.
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import type { WebhookBody } from '../../src/protocol/webhooks.js';
import type { Hooks } from './server.js';

export interface Received {
  id: string;
  timestamp: string;
  signature: string;
  /** The raw body, as the signature covers it. */
  raw: string;
  body: WebhookBody;
  headers: Record<string, string>;
}

/** What to do with a request: answer with this status, or `hold` it (never answer while the server runs). */
export type Answer = number | 'hold';

export class Receiver {
  readonly requests: Received[] = [];
  /** A fresh Standard Webhooks secret for the Tandem under test. */
  readonly secret = `whsec_${randomBytes(32).toString('base64')}`;
  answer: (request: Received, index: number) => Answer = () => 200;
  private readonly waiters: Array<{ check: () => boolean; resolve: () => void }> = [];
  private readonly held = new Set<ServerResponse>();

  private constructor(
    private readonly server: ReturnType<typeof createServer>,
    readonly url: string,
  ) {}

  static async start(t: Hooks): Promise<Receiver> {
    let receiver: Receiver | undefined;
    const server = createServer((request, response) => void receiver!.handle(request, response));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    receiver = new Receiver(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`);
    t.after(() => receiver!.close());
    return receiver;
  }

  /** Resolves once `check` holds over the requests received so far (checked at each request). */
  until(check: (requests: readonly Received[]) => boolean): Promise<void> {
    if (check(this.requests)) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ check: () => check(this.requests), resolve }));
  }

  /** The requests of event `type` so far. */
  of(type: WebhookBody['type']): Received[] {
    return this.requests.filter((request) => request.body.type === type);
  }

  /** Answers every held request with `status` (so a sender cut off mid-request does not linger). */
  release(status = 200): void {
    for (const response of this.held) response.writeHead(status).end();
    this.held.clear();
  }

  async close(): Promise<void> {
    for (const response of this.held) response.destroy();
    this.held.clear();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString();
    const headers = Object.fromEntries(Object.entries(request.headers).map(([name, value]) => [name, String(value)]));
    const received: Received = {
      id: headers['webhook-id'] ?? '',
      timestamp: headers['webhook-timestamp'] ?? '',
      signature: headers['webhook-signature'] ?? '',
      raw,
      body: JSON.parse(raw) as WebhookBody,
      headers,
    };
    this.requests.push(received);
    const answer = this.answer(received, this.requests.length - 1);
    if (answer === 'hold') this.held.add(response);
    else response.writeHead(answer).end();
    for (const waiter of [...this.waiters]) {
      if (!waiter.check()) continue;
      this.waiters.splice(this.waiters.indexOf(waiter), 1);
      waiter.resolve();
    }
  }
}

/** The settings that point a Tandem at `receiver`, with short polls and backoffs so tests run quickly. */
export function webhookEnv(receiver: Receiver, extra: Record<string, string> = {}): Record<string, string> {
  return {
    WEBHOOK_URL: receiver.url,
    WEBHOOK_SECRET: receiver.secret,
    WEBHOOK_POLL_INTERVAL_MS: '50',
    WEBHOOK_BACKOFF_BASE_MS: '20',
    WEBHOOK_BACKOFF_MAX_MS: '200',
    WEBHOOK_TIMEOUT_MS: '2000',
    ...extra,
  };
}
