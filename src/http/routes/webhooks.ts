/**
 * The webhook outbox for operators: deliveries by status, and a manual retry of a failed one
 * (it becomes pending, due now, with a new retry period). Admins only; with API keys the
 * platform's backend may call them too.
 */
import type { FastifyInstance } from 'fastify';
import { AppError } from '../../errors.js';
import { WEBHOOK_EVENT_TYPES, WEBHOOK_STATUSES, type WebhookDelivery, type WebhookStatus } from '../../protocol/webhooks.js';
import type { WebhookEvent } from '../../store/index.js';
import { audit } from '../audit.js';
import type { RouteContext } from '../context.js';
import { signedIn, withErrors } from '../schemas.js';

const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 200;
const instant = { type: ['string', 'null'], format: 'date-time' } as const;

const deliverySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'type', 'status', 'attempts', 'created_at', 'next_attempt_at', 'last_error', 'finished_at'],
  properties: {
    id: { type: 'string', description: "The `webhook-id` of every attempt: the receiver's deduplication key" },
    type: { type: 'string', enum: [...WEBHOOK_EVENT_TYPES] },
    status: { type: 'string', enum: [...WEBHOOK_STATUSES] },
    attempts: { type: 'integer', minimum: 0 },
    created_at: { type: 'string', format: 'date-time' },
    next_attempt_at: { ...instant, description: 'When the next attempt is due (pending only)' },
    last_error: { type: ['string', 'null'], description: 'Why the last attempt failed: `HTTP 500`, a timeout, `ECONNREFUSED` …' },
    finished_at: { ...instant, description: 'When it was delivered, failed or cancelled' },
  },
} as const;

const idParam = {
  type: 'object',
  additionalProperties: false,
  required: ['id'],
  properties: { id: { type: 'string', pattern: '^evt_[0-9a-f]{32}$', description: "The delivery's `webhook-id`" } },
} as const;

function publicDelivery(event: WebhookEvent): WebhookDelivery {
  return {
    id: event.eventId,
    type: event.type,
    status: event.status,
    attempts: event.attempts,
    created_at: event.createdAt.toISOString(),
    next_attempt_at: event.status === 'pending' ? event.dueAt.toISOString() : null,
    last_error: event.lastError,
    finished_at: event.finishedAt === null ? null : event.finishedAt.toISOString(),
  };
}

export function webhookRoutes(app: FastifyInstance, context: RouteContext): void {
  const { store } = context;

  app.get<{ Querystring: { status?: WebhookStatus; limit?: string } }>(
    '/api/webhooks/deliveries',
    {
      config: { access: 'admin' },
      schema: {
        summary: 'Webhook deliveries by status',
        description: 'ADMIN only. Newest first. `failed` ones can be retried; `pending` ones include those waiting between retries.',
        tags: ['webhooks'],
        security: signedIn,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            status: { type: 'string', enum: [...WEBHOOK_STATUSES], description: 'Default `failed`' },
            limit: { type: 'string', pattern: '^[1-9][0-9]{0,2}$', description: `At most ${MAX_LIMIT}; default ${DEFAULT_LIMIT}` },
          },
        },
        response: withErrors(
          {
            200: {
              type: 'object',
              additionalProperties: false,
              required: ['deliveries'],
              properties: { deliveries: { type: 'array', items: deliverySchema } },
            },
          },
          ['forbidden'],
        ),
      },
    },
    async (request) => {
      const limit = Math.min(MAX_LIMIT, Number(request.query.limit ?? DEFAULT_LIMIT));
      const events = await store.outbox.list(request.query.status ?? 'failed', limit);
      return { deliveries: events.map(publicDelivery) };
    },
  );

  app.post<{ Params: { id: string } }>(
    '/api/webhooks/deliveries/:id/retry',
    {
      config: { access: 'admin' },
      schema: {
        summary: 'Retry a failed delivery',
        description: 'ADMIN only. The delivery becomes pending, due now, with the same `webhook-id` and body, and a new `WEBHOOK_RETRY_HOURS` period.',
        tags: ['webhooks'],
        security: signedIn,
        params: idParam,
        response: withErrors({ 200: { ...deliverySchema, description: 'The delivery, pending again' } }, [
          'forbidden',
          'delivery_not_found',
          'delivery_not_failed',
        ]),
      },
    },
    async (request) => {
      if (!(await store.outbox.retry(request.params.id))) {
        const event = await store.outbox.byEventId(request.params.id);
        throw new AppError(event === null ? 'delivery_not_found' : 'delivery_not_failed');
      }
      const retried = (await store.outbox.byEventId(request.params.id))!;
      await audit(context, request, 'retry_webhook', `webhook:${retried.eventId}`, { type: retried.type }, { pairId: retried.pairId });
      return publicDelivery(retried);
    },
  );
}
