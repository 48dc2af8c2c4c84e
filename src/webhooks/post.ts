/**
 * One attempt: the body POSTed with the Standard Webhooks headers, signed with the
 * `standardwebhooks` package at the moment of sending (so `webhook-timestamp` is fresh on
 * every retry while `webhook-id` and the body stay the same).
 */
import { Webhook } from 'standardwebhooks';

/** How an attempt went: a 2xx, or why not (status, timeout, refused connection). */
export type PostOutcome = { ok: true; status: number } | { ok: false; error: string };

export class WebhookPoster {
  private readonly signer: Webhook;

  constructor(private readonly url: string, secret: string, private readonly timeoutMs: number) {
    this.signer = new Webhook(secret);
  }

  /** Posts `body` as event `eventId`; never rejects. An `abort` (shutdown) ends it early as a failure. */
  async post(eventId: string, body: string, abort: AbortSignal): Promise<PostOutcome> {
    const now = new Date();
    const headers = {
      'content-type': 'application/json',
      'user-agent': 'Tandem-Webhooks/1',
      'webhook-id': eventId,
      'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
      'webhook-signature': this.signer.sign(eventId, now, body),
    };
    const timeout = AbortSignal.timeout(this.timeoutMs);
    try {
      const response = await fetch(this.url, { method: 'POST', headers, body, redirect: 'manual', signal: AbortSignal.any([timeout, abort]) });
      // The body is read only to free the connection for the next attempt.
      await response.arrayBuffer().catch(() => undefined);
      return response.status >= 200 && response.status < 300 ? { ok: true, status: response.status } : { ok: false, error: `HTTP ${response.status}` };
    } catch (error) {
      if (timeout.aborted) return { ok: false, error: `no answer within ${this.timeoutMs} ms` };
      if (abort.aborted) return { ok: false, error: 'stopped' };
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      return { ok: false, error: cause?.code ?? cause?.message ?? String(error) };
    }
  }
}
