/**
 * The HTTP side of Tandem: a Fastify instance with the API routes, JSON-only bodies, the
 * origin (CSRF) check on state-changing requests, CORS for configured origins, and one
 * error shape for everything.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import type { RouteContext } from './context.js';
import { errorHandler, sendError } from './errors.js';
import { isCorsOrigin, isOriginAllowed } from './origin.js';
import { authRoutes } from './routes/auth.js';
import { healthRoutes } from './routes/health.js';
import { matchRoutes } from './routes/matches.js';
import { userRoutes } from './routes/users.js';
import { webRoutes } from './routes/web.js';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const BODY_LIMIT_BYTES = 64 * 1024;

export function buildHttp(context: RouteContext): FastifyInstance {
  const app = Fastify({
    logger: { level: context.config.logLevel },
    bodyLimit: BODY_LIMIT_BYTES,
    // Unknown fields are refused, and a string never silently becomes a number.
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, allErrors: false } },
  });
  app.removeContentTypeParser('text/plain');
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler((_request, reply) => sendError(reply, 'not_found'));

  const allowed = context.config.allowedOrigins;
  app.addHook('onRequest', async (request, reply) => {
    const origin = request.headers.origin;
    if (isCorsOrigin(origin, allowed)) {
      reply.header('access-control-allow-origin', origin);
      reply.header('access-control-allow-credentials', 'true');
      reply.header('vary', 'Origin');
      if (request.method === 'OPTIONS') {
        reply.header('access-control-allow-methods', 'GET, POST, DELETE');
        reply.header('access-control-allow-headers', 'content-type');
        reply.header('access-control-max-age', '600');
        return reply.code(204).send();
      }
    }
    if (!SAFE_METHODS.has(request.method) && !isOriginAllowed(origin, request.headers.host, allowed)) {
      return sendError(reply, 'origin_not_allowed');
    }
  });

  authRoutes(app, context);
  userRoutes(app, context);
  matchRoutes(app, context);
  healthRoutes(app, context);
  webRoutes(app);
  return app;
}
