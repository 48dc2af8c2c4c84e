/**
 * One attempt: the body POSTed with the Standard Webhooks headers, signed with the
 * `standardwebhooks` package at the moment of sending (so `webhook-timestamp` is fresh on
 * every retry while `webhook-id` and the body stay the same). Node's own `http`/`https` with
 * a keep-alive agent rather than `fetch`: the sender shares the chat's event loop, and a
 * profile showed fetch's web streams and abort signals costing about a millisecond of CPU per
 * request, several times what the request itself does.
 */
import { Agent as HttpAgent, request as httpRequest, type ClientRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { Webhook } from 'standardwebhooks';

/** How an attempt went: a 2xx, or why not (status, timeout, refused connection). */
export type PostOutcome = { ok: true; status: number } | { ok: false; error: string };

export class WebhookPoster {
  private readonly signer: Webhook;
  private readonly target: URL;
  private readonly agent: HttpAgent;
  private readonly send: (options: RequestOptions, onResponse: (response: IncomingMessage) => void) => ClientRequest;

  constructor(
    url: string,
    secret: string,
    private readonly timeoutMs: number,
  ) {
    this.signer = new Webhook(secret);
    this.target = new URL(url);
    const secure = this.target.protocol === 'https:';
    this.agent = secure ? new HttpsAgent({ keepAlive: true }) : new HttpAgent({ keepAlive: true });
    this.send = secure ? httpsRequest : httpRequest;
  }

  /**
   * Posts `body` as event `eventId`; never rejects. The outcome is the status once the answer
   * has been read (or cut off), a timeout after `timeoutMs`, or the connection's error code.
   * An `abort` (shutdown) ends it early as a failure.
   */
  post(eventId: string, body: string, abort: AbortSignal): Promise<PostOutcome> {
    const now = new Date();
    const headers = {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(body),
      'user-agent': 'Tandem-Webhooks/1',
      'webhook-id': eventId,
      'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
      'webhook-signature': this.signer.sign(eventId, now, body),
    };
    return new Promise((resolve) => {
      let settled = false;
      const finish = (outcome: PostOutcome) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        abort.removeEventListener('abort', stop);
        resolve(outcome);
      };
      const request = this.send(
        {
          protocol: this.target.protocol,
          hostname: this.target.hostname,
          port: this.target.port,
          path: `${this.target.pathname}${this.target.search}`,
          method: 'POST',
          headers,
          agent: this.agent,
        },
        (response) => {
          const status = response.statusCode ?? 0;
          // The body is read only to free the connection for the next attempt.
          response.resume();
          response.once('close', () => finish(status >= 200 && status < 300 ? { ok: true, status } : { ok: false, error: `HTTP ${status}` }));
        },
      );
      const cut = (error: string) => {
        finish({ ok: false, error });
        request.destroy();
      };
      const timer = setTimeout(() => cut(`no answer within ${this.timeoutMs} ms`), this.timeoutMs);
      const stop = () => cut('stopped');
      abort.addEventListener('abort', stop, { once: true });
      request.on('error', (error: NodeJS.ErrnoException) => finish({ ok: false, error: error.code ?? error.message }));
      if (abort.aborted) stop();
      else request.end(body);
    });
  }

  /** Closes the kept-alive connections. */
  close(): void {
    this.agent.destroy();
  }
}
