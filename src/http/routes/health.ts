/** For operators and load balancers: liveness, readiness, Prometheus metrics. */
import type { FastifyInstance } from 'fastify';
import { metricsContentType, metricsText } from '../../metrics.js';
import type { RouteContext } from '../context.js';

/** Each backend's ping gets this long, so /readyz answers within a second whatever the backends do. */
const PING_TIMEOUT_MS = 750;

/** 'ok' when `ping` resolves within PING_TIMEOUT_MS, else 'unavailable'. */
function probe(ping: () => Promise<void>): Promise<'ok' | 'unavailable'> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve('unavailable'), PING_TIMEOUT_MS);
    ping().then(() => resolve('ok'), () => resolve('unavailable')).finally(() => clearTimeout(timer));
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

export function healthRoutes(app: FastifyInstance, context: RouteContext): void {
  app.get('/healthz', {
    schema: {
      summary: 'Liveness',
      description: 'The process answers HTTP; says nothing about its backends.',
      tags: ['operations'],
      response: { 200: { type: 'object', additionalProperties: false, required: ['status'], properties: { status: { type: 'string', enum: ['ok'] } } } },
    },
  }, async () => ({ status: 'ok' }));

  app.get('/readyz', {
    schema: {
      summary: 'Readiness',
      description: 'The store and the channel layer both answer now (each within 750 ms); 503 names the one that does not.',
      tags: ['operations'],
      response: { 200: { ...readiness, description: 'Ready' }, 503: { ...readiness, description: 'A backend is unreachable' } },
    },
  }, async (_request, reply) => {
    const [store, layer] = await Promise.all([probe(() => context.store.ping()), probe(() => context.layer.ping())]);
    const ready = store === 'ok' && layer === 'ok';
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'unavailable', store, layer });
  });

  app.get('/metrics', {
    schema: {
      summary: 'Prometheus metrics',
      description: 'The text exposition format. Counts for this process; meant for a scraper on the internal network, not for the public.',
      tags: ['operations'],
      produces: ['text/plain'],
      response: { 200: { type: 'string', description: 'Prometheus text format 0.0.4' } },
    },
  }, async (_request, reply) => reply.header('content-type', metricsContentType).send(await metricsText()));
}
