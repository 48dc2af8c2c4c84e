/** Liveness and readiness for operators and load balancers. */
import type { FastifyInstance } from 'fastify';
import type { RouteContext } from '../context.js';

export function healthRoutes(app: FastifyInstance, context: RouteContext): void {
  app.get('/healthz', async () => ({ status: 'ok' }));

  app.get('/readyz', async (_request, reply) => {
    const [store, layer] = await Promise.all([
      context.store.ping().then(() => 'ok', () => 'unavailable'),
      context.layer.ping().then(() => 'ok', () => 'unavailable'),
    ]);
    const ready = store === 'ok' && layer === 'ok';
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'unavailable', store, layer });
  });
}
