/**
 * The bench's webhook receiver (`--webhooks`): a plain HTTP server in the bench process
 * that answers 204 at once and counts the `message.created` events it receives, so that the
 * run with webhooks on also tells when the outbox had sent every message's event.
 */
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';

export class BenchReceiver {
  readonly secret = `whsec_${randomBytes(32).toString('base64')}`;
  /** Distinct `webhook-id`s of message.created events received. */
  readonly messageEvents = new Set<string>();
  requests = 0;
  /** `performance.now()` of the last request. */
  lastAt = 0;
  private readonly waiters: Array<{ count: number; resolve: () => void }> = [];

  private constructor(
    private readonly server: ReturnType<typeof createServer>,
    readonly url: string,
  ) {}

  static async start(): Promise<BenchReceiver> {
    let receiver: BenchReceiver | undefined;
    const server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        response.writeHead(204).end();
        receiver!.record(String(request.headers['webhook-id']), Buffer.concat(chunks).toString());
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    receiver = new BenchReceiver(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`);
    return receiver;
  }

  /** The settings that point the instances here: the defaults but a short poll, as a deployment wanting prompt events would set. */
  env(): Record<string, string> {
    return { WEBHOOK_URL: this.url, WEBHOOK_SECRET: this.secret, WEBHOOK_POLL_INTERVAL_MS: '100' };
  }

  /** Resolves once `count` distinct message.created events have arrived. */
  until(count: number): Promise<void> {
    if (this.messageEvents.size >= count) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ count, resolve }));
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private record(id: string, body: string): void {
    this.requests++;
    this.lastAt = performance.now();
    if (body.startsWith('{"type":"message.created"')) this.messageEvents.add(id);
    for (const waiter of [...this.waiters]) {
      if (this.messageEvents.size < waiter.count) continue;
      this.waiters.splice(this.waiters.indexOf(waiter), 1);
      waiter.resolve();
    }
  }
}
