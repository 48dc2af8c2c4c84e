/** For operators and load balancers: liveness, readiness, Prometheus metrics. */
import type { FastifyInstance } from 'fastify';
import { metricsContentType, metricsText } from '../../metrics.js';
import type { RouteContext } from '../context.js';

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

export function healthRoutes(app: FastifyInstance, context: RouteContext): void {
  app.get('/healthz', {
    config: { access: 'none' },
    schema: {
      summary: 'Liveness',
      description: 'The process answers HTTP; says nothing about its backends.',
      tags: ['operations'],
      response: { 200: { type: 'object', additionalProperties: false, required: ['status'], properties: { status: { type: 'string', enum: ['ok'] } } } },
    },
  }, async () => ({ status: 'ok' }));

  app.get('/readyz', {
    config: { access: 'none' },
    schema: {
      summary: 'Readiness',
      description: 'The store and the channel layer both answer now; 503 names the one that does not.',
      tags: ['operations'],
      response: { 200: { ...readiness, description: 'Ready' }, 503: { ...readiness, description: 'A backend is unreachable' } },
    },
  }, async (_request, reply) => {
    const [store, layer] = await Promise.all([
      context.store.ping().then(() => 'ok', () => 'unavailable'),
      context.layer.ping().then(() => 'ok', () => 'unavailable'),
    ]);
    const ready = store === 'ok' && layer === 'ok';
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'unavailable', store, layer });
  });

  app.get('/metrics', {
    config: { access: 'none' },
    schema: {
      summary: 'Prometheus metrics',
      description: 'The text exposition format. Counts for this process; meant for a scraper on the internal network, not for the public.',
      tags: ['operations'],
      produces: ['text/plain'],
      response: { 200: { type: 'string', description: 'Prometheus text format 0.0.4' } },
    },
  }, async (_request, reply) => reply.header('content-type', metricsContentType).send(await metricsText()));
}
