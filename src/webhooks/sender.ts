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
import type { Store, WebhookEvent, WebhookOutcome } from '../store/index.js';
import { fullJitter } from './backoff.js';
import { webhookBody } from './payload.js';
import { WebhookPoster, type PostOutcome } from './post.js';

/** Events claimed (and posted concurrently) per round. */
const BATCH = 50;
/** Claimed per round while a backlog lasts (the round before was full): the store's costs of a round are shared by more events. */
const BACKLOG_BATCH = 250;
/** A lease outlives the attempt's deadline by this much: time to read facts and record the outcome. */
const LEASE_MARGIN_MS = 5000;

export interface SenderOptions {
  store: Store;
  config: WebhookConfig;
  onError: (error: unknown, context: string) => void;
  /** Called after a round that gave up on an event (it is failed now): admins are told. */
  onFailed?: () => void;
  /** The jitter's source; tests may fix it. */
  random?: () => number;
}

export class WebhookSender {
  private readonly poster: WebhookPoster;
  private readonly abort = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  private round: Promise<void> | null = null;
  private stopped = false;
  /** Whether the last round was full: more are due, and the next round claims more. */
  private backlog = false;
  private backlogReadAt = Number.NEGATIVE_INFINITY;

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
    this.poster.close();
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

  /**
   * One round, its store calls made once for all of its events: the claim, the facts of
   * those first attempted (their bodies fixed in one transaction before any is posted, so a
   * retry sends the same bytes), the posts in parallel, then every outcome in one
   * transaction. A round that fails part-way leaves its events leased: they are sent again
   * once the lease runs out (at least once). Resolves with whether it claimed a full batch;
   * never rejects.
   */
  private async runRound(): Promise<boolean> {
    const { store, config } = this.options;
    const limit = this.backlog ? BACKLOG_BATCH : BATCH;
    try {
      const claimed = await store.outbox.claim(limit, config.timeoutMs + LEASE_MARGIN_MS);
      const events = await this.withBodies(claimed);
      const outcomes = await Promise.all(
        events.map(async (event) => ({ event, outcome: await this.poster.post(event.eventId, event.data!, this.abort.signal) })),
      );
      const attempts = outcomes.flatMap(({ event, outcome }) => this.attempt(event, outcome));
      await store.outbox.recordAttempts(attempts);
      if (attempts.some(({ attempt }) => !attempt.delivered && attempt.retryInMs === null)) this.options.onFailed?.();
      await this.refreshBacklog();
      this.backlog = claimed.length === limit;
      return this.backlog;
    } catch (error) {
      this.report(error, 'sending webhooks');
      this.backlog = false;
      return false;
    }
  }

  /** `events` with their bodies: those first attempted are built and saved (nothing owed: cancelled, left out; not saved: left out). */
  private async withBodies(events: readonly WebhookEvent[]): Promise<WebhookEvent[]> {
    const fresh = events.filter((event) => event.data === null);
    if (fresh.length === 0) return [...events];
    const facts = await this.options.store.outbox.facts(fresh);
    const bodies = new Map(
      fresh.map((event, at) => {
        const built = webhookBody(event, facts[at]!);
        return [event.id, built === null ? null : JSON.stringify(built)];
      }),
    );
    const saved = await this.options.store.outbox.saveBodies(
      fresh.map((event, at) => ({ id: event.id, data: bodies.get(event.id)!, erased: facts[at]!.erased })),
    );
    const owed: WebhookEvent[] = [];
    for (const event of events) {
      if (event.data !== null) owed.push(event);
      else if (bodies.get(event.id) === null) recordWebhook(event.type, 'cancelled');
      // Not saved (a user of the pair was erased meanwhile): not sent either; once its lease
      // runs out it is built again from what the erasure left.
      else if (saved.has(event.id)) owed.push({ ...event, data: bodies.get(event.id)! });
    }
    return owed;
  }

  /** What to record of one post: nothing when a shutdown cut it (its lease runs out and it is sent again). */
  private attempt(event: WebhookEvent, outcome: PostOutcome): WebhookOutcome[] {
    const { config } = this.options;
    if (this.stopped && !outcome.ok) return [];
    // Counted before it is recorded: the attempt happened whatever becomes of the record,
    // and whoever sees the record then sees the count.
    if (outcome.ok) {
      recordWebhook(event.type, 'delivered');
      return [{ id: event.id, attempt: { delivered: true } }];
    }
    const waitMs = fullJitter(event.attempts + 1, config.backoffBaseMs, config.backoffMaxMs, this.options.random);
    const giveUp = Date.now() + waitMs > event.windowStart.getTime() + config.retryMs;
    recordWebhook(event.type, giveUp ? 'failed' : 'retried');
    return [{ id: event.id, attempt: { delivered: false, error: outcome.error, retryInMs: giveUp ? null : waitMs } }];
  }

  /** The pending gauges, read at most once per poll interval: a count over a backlog is not free. */
  private async refreshBacklog(): Promise<void> {
    const now = Date.now();
    if (now - this.backlogReadAt < this.options.config.pollIntervalMs) return;
    this.backlogReadAt = now;
    const backlog = await this.options.store.outbox.backlog();
    setWebhookBacklog(backlog.pending, backlog.oldestCreatedAt);
  }

  /** A database that is down is the readiness check's news; anything else is logged. */
  private report(error: unknown, context: string): void {
    if (isAppError(error) && error.code === 'unavailable') return;
    this.options.onError(error, context);
  }
}
