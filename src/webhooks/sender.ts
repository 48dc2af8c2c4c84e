/**
 * The outbox sender: each instance claims due events in batches (leased, so that no other
 * instance sends them meanwhile), fixes each body at its first attempt, posts it, and records
 * the outcome: 2xx is delivered; anything else is retried after a backoff with full jitter
 * until the event's retry period is over, then it is failed. An instance that dies mid-way
 * leaves leases that run out, and another instance (or its restart) sends those events again:
 * delivery is at least once.
 */
import type { WebhookConfig } from '../config.js';
import { isAppError } from '../errors.js';
import { recordWebhook, setWebhookBacklog } from '../metrics.js';
import type { Store, WebhookEvent } from '../store/index.js';
import { fullJitter } from './backoff.js';
import { webhookBody } from './payload.js';
import { WebhookPoster } from './post.js';

/** Events claimed (and posted concurrently) per round. */
const BATCH = 50;
/** A lease outlives the attempt's deadline by this much: time to read facts and record the outcome. */
const LEASE_MARGIN_MS = 5000;

export interface SenderOptions {
  store: Store;
  config: WebhookConfig;
  onError: (error: unknown, context: string) => void;
  /** The jitter's source; tests may fix it. */
  random?: () => number;
}

export class WebhookSender {
  private readonly poster: WebhookPoster;
  private readonly abort = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  private round: Promise<void> | null = null;
  private stopped = false;

  constructor(private readonly options: SenderOptions) {
    this.poster = new WebhookPoster(options.config.url, options.config.secret, options.config.timeoutMs);
  }

  /** Starts the rounds; the first one at once. */
  start(): void {
    this.schedule(0);
  }

  /** Stops claiming and cuts attempts in flight (their leases run out and they are sent again); resolves once the round is over. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.abort.abort();
    await this.round;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.round = this.runRound().then((full) => {
        this.round = null;
        // A full batch suggests more are due: the next round starts at once.
        this.schedule(full ? 0 : this.options.config.pollIntervalMs);
      });
    }, delayMs);
  }

  /** One round; resolves with whether it claimed a full batch. Never rejects. */
  private async runRound(): Promise<boolean> {
    const { store, config } = this.options;
    try {
      const events = await store.claimWebhooks(BATCH, config.timeoutMs + LEASE_MARGIN_MS);
      await Promise.all(events.map((event) => this.deliver(event).catch((error: unknown) => this.report(error, 'sending a webhook'))));
      const backlog = await store.webhookBacklog();
      setWebhookBacklog(backlog.pending, backlog.oldestCreatedAt);
      return events.length === BATCH;
    } catch (error) {
      this.report(error, 'claiming webhooks');
      return false;
    }
  }

  private async deliver(event: WebhookEvent): Promise<void> {
    const { store, config } = this.options;
    let body = event.data;
    if (body === null) {
      const built = webhookBody(event, await store.webhookFacts(event));
      body = built === null ? null : JSON.stringify(built);
      if (body === null) recordWebhook(event.type, 'cancelled');
      await store.setWebhookData(event.id, body);
      if (body === null) return;
    }
    const outcome = await this.poster.post(event.eventId, body, this.abort.signal);
    // Cut by a shutdown: not an attempt of the receiver's; the lease runs out and it is sent again.
    if (this.stopped && !outcome.ok) return;
    // Counted before it is recorded: the attempt happened whatever becomes of the record,
    // and whoever sees the record then sees the count.
    if (outcome.ok) {
      recordWebhook(event.type, 'delivered');
      await store.recordWebhookAttempt(event.id, { delivered: true });
      return;
    }
    const waitMs = fullJitter(event.attempts + 1, config.backoffBaseMs, config.backoffMaxMs, this.options.random);
    const giveUp = Date.now() + waitMs > event.windowStart.getTime() + config.retryMs;
    recordWebhook(event.type, giveUp ? 'failed' : 'retried');
    await store.recordWebhookAttempt(event.id, { delivered: false, error: outcome.error, retryInMs: giveUp ? null : waitMs });
  }

  /** A database that is down is the readiness check's news; anything else is logged. */
  private report(error: unknown, context: string): void {
    if (isAppError(error) && error.code === 'unavailable') return;
    this.options.onError(error, context);
  }
}
