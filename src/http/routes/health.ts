/**
 * For operators and load balancers: liveness, readiness, Prometheus metrics. `/metrics` is
 * left out when it is served on the metrics port instead; with `METRICS_TOKEN` it needs
 * `Authorization: Bearer <token>`, compared in constant time.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from '../../errors.js';
import { metricsContentType, metricsText } from '../../metrics.js';
import type { RouteContext } from '../context.js';
import { withErrors } from '../schemas.js';

/** Each backend's ping gets this long, so /readyz answers within a second whatever the backends do. */
const PING_TIMEOUT_MS = 750;

/** 'ok' when `ping` resolves within PING_TIMEOUT_MS, else 'unavailable'. */
function probe(ping: () => Promise<void>): Promise<'ok' | 'unavailable'> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve('unavailable'), PING_TIMEOUT_MS);
    ping()
      .then(
        () => resolve('ok'),
        () => resolve('unavailable'),
      )
      .finally(() => clearTimeout(timer));
  });
}

const readiness = {
  type: 'object',
  additionalProperties: false,
  required: ['status', 'store', 'layer'],
  properties: {
    status: { type: 'string', enum: ['ready', 'unavailable'] },
    store: { type: 'string', enum: ['ok', 'unavailable'] },
    layer: { type: 'string', enum: ['ok', 'unavailable'] },
  },
} as const;

/**
 * Where `/metrics` is served: `public` (the API's port: a token is always needed, and without
 * METRICS_TOKEN nobody reads it), `internal` (METRICS_PORT: the token is needed when set),
 * `off` (not here).
 */
export type MetricsExposure = 'public' | 'internal' | 'off';

export function healthRoutes(app: FastifyInstance, context: RouteContext, options: { metrics: MetricsExposure }): void {
  app.get(
    '/healthz',
    {
      config: { access: 'none' },
      schema: {
        summary: 'Liveness',
        description: 'The process answers HTTP; says nothing about its backends.',
        tags: ['operations'],
        response: { 200: { type: 'object', additionalProperties: false, required: ['status'], properties: { status: { type: 'string', enum: ['ok'] } } } },
      },
    },
    async () => ({ status: 'ok' }),
  );

  app.get(
    '/readyz',
    {
      config: { access: 'none' },
      schema: {
        summary: 'Readiness',
        description: 'The store and the channel layer both answer now (each within 750 ms); 503 names the one that does not.',
        tags: ['operations'],
        response: { 200: { ...readiness, description: 'Ready' }, 503: { ...readiness, description: 'A backend is unreachable' } },
      },
    },
    async (_request, reply) => {
      const [store, layer] = await Promise.all([probe(() => context.store.ping()), probe(() => context.layer.ping())]);
      const ready = store === 'ok' && layer === 'ok';
      return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'unavailable', store, layer });
    },
  );

  if (options.metrics === 'off') return;
  const token = context.config.metrics.token;
  // Counts of logins, sockets and webhooks tell an outsider how a programme is used: never public by default.
  const closed = options.metrics === 'public' && token === null;
  app.get(
    '/metrics',
    {
      config: { access: 'none' },
      schema: {
        summary: 'Prometheus metrics',
        description:
          'The text exposition format. Counts for this process; meant for a scraper on the internal network, not for the public: ' +
          'with `METRICS_PORT` it is served there and not here; on this port it needs `Authorization: Bearer <METRICS_TOKEN>`, and ' +
          'without `METRICS_TOKEN` it answers 403 to everyone.',
        tags: ['operations'],
        produces: ['text/plain'],
        response: withErrors(
          { 200: { type: 'string', description: 'Prometheus text format 0.0.4' } },
          closed ? ['forbidden'] : token === null ? [] : ['unauthenticated'],
        ),
      },
    },
    async (request, reply) => {
      if (closed) throw new AppError('forbidden', 'Metrics are not public: set METRICS_TOKEN to read them here, or METRICS_PORT for an internal listener');
      if (token !== null && !bearerMatches(request, token)) throw new AppError('unauthenticated', 'A valid metrics token is required');
      return reply.header('content-type', metricsContentType).send(await metricsText());
    },
  );
}

/** Digests first, so that the comparison takes the same time whatever the length of the guess. */
function bearerMatches(request: FastifyRequest, token: string): boolean {
  const given = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1] ?? '';
  const digest = (text: string) => createHash('sha256').update(text).digest();
  return timingSafeEqual(digest(given), digest(token));
}
