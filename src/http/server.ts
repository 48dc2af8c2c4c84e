/**
 * The HTTP side of Tandem: a Fastify instance with the API routes, JSON-only bodies, the
 * origin (CSRF) check on state-changing requests, CORS for configured origins, one error
 * shape for everything (what Node's parser and Fastify's router refuse included), a request id
 * on every request and log line, request metrics, per-route access decided before the body is
 * read, connection limits and timeouts, and the OpenAPI document generated from the routes'
 * schemas.
 */
import { randomUUID } from 'node:crypto';
import fastifyCors from '@fastify/cors';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import { bearerToken } from '../auth/identity.js';
import { isOriginAllowed, originPolicy } from '../auth/origin.js';
import { recordHttpRequest } from '../metrics.js';
import { registerAccess } from './access.js';
import { API_HEADERS, clientErrorHandler, frameworkErrors } from './client-errors.js';
import { limitConnections, serverTimeouts } from './connection-limits.js';
import type { RouteContext } from './context.js';
import { errorHandler, sendError } from './errors.js';
import { hasBody, isFormMediaType, isJsonMediaType, isNdjsonMediaType } from './media-type.js';
import { registerOpenApi } from './openapi.js';
import { logStreamFor } from './log-format.js';
import { requireTextKinds, textKeyword } from './text-fields.js';
import { authRoutes } from './routes/auth.js';
import { passwordResetRoutes } from './routes/password-reset.js';
import { sessionRoutes } from './routes/sessions.js';
import { attachmentRoutes } from './routes/attachments.js';
import { chatRoutes } from './routes/chat.js';
import { dataRightsRoutes } from './routes/data-rights.js';
import { docsRoutes } from './routes/docs.js';
import { healthRoutes } from './routes/health.js';
import { importRoutes } from './routes/import.js';
import { matchRoutes } from './routes/matches.js';
import { moderationRoutes } from './routes/moderation.js';
import { wordRoutes } from './routes/words.js';
import { oversightRoutes } from './routes/oversight.js';
import { programmeRoutes } from './routes/programme.js';
import { announcementRoutes } from './routes/announcements.js';
import { adminCountRoutes } from './routes/admin-counts.js';
import { reportRoutes } from './routes/reports.js';
import { searchRoutes } from './routes/search.js';
import { userRoutes } from './routes/users.js';
import { webRoutes } from './routes/web.js';
import { webhookRoutes } from './routes/webhooks.js';
import { setupRoutes } from './routes/setup.js';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const BODY_LIMIT_BYTES = 64 * 1024;
/** A caller's `X-Request-Id` is reused when it is this tame; anything else gets a fresh UUID. */
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;

/**
 * Log fields that must never be written, should a serializer or a log call ever include
 * them: credentials, session ids and message content. (Fastify's request serializer logs
 * method, URL and addresses only; these paths are the second line of defence.)
 */
const REDACT = [
  'req.headers.cookie',
  'req.headers.authorization',
  'res.headers["set-cookie"]',
  'password',
  '*.password',
  'content',
  '*.content',
  'token',
  '*.token',
  'cookie',
  '*.cookie',
];

export interface HttpOptions {
  /** Where log lines go (default: stdout); tests read them here. */
  logStream?: NodeJS.WritableStream;
}

export function buildHttp(context: RouteContext, options: HttpOptions = {}): FastifyInstance {
  const app = Fastify({
    logger: {
      level: context.config.logLevel,
      redact: { paths: REDACT, censor: '[redacted]' },
      serializers: { req: serializeRequest },
      ...streamOption(options.logStream ?? logStreamFor(context.config.logFormat)),
    },
    genReqId: (request) => {
      const given = request.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
    trustProxy: trustProxy(context.config.trustProxy),
    bodyLimit: BODY_LIMIT_BYTES,
    http: serverTimeouts(context.config.connections),
    // Fastify sets these two on the server itself, over what `http` gave it.
    requestTimeout: context.config.connections.requestTimeoutMs,
    keepAliveTimeout: context.config.connections.keepAliveTimeoutMs,
    clientErrorHandler,
    frameworkErrors,
    // Long enough for any email in a path; the route schemas then bound it (400, not 404).
    routerOptions: { maxParamLength: 1024 },
    // Unknown fields are refused, and a string never silently becomes a number.
    // Every string is text of a kind (text-fields.ts).
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, allErrors: false }, plugins: [textKeyword] },
  });
  app.removeContentTypeParser('text/plain');
  // An empty JSON body is no body, so bodiless actions work with clients that always send the header.
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) =>
    body === '' ? done(null, null) : parseJson(request, body as string, done),
  );
  limitConnections(app.server, context.config.connections);
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler((_request, reply) => sendError(reply, 'not_found'));

  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  // Pages and assets set their own caching (web.ts, on the raw response); everything else is never stored.
  app.addHook('onSend', async (_request, reply, payload) => {
    reply.header('x-content-type-options', API_HEADERS['x-content-type-options']);
    if (!reply.hasHeader('cache-control') && !reply.raw.hasHeader('cache-control')) reply.header('cache-control', API_HEADERS['cache-control']);
    return payload;
  });
  const allowed = context.config.allowedOrigins;
  const origins = originPolicy(context.config);
  // CORS only for origins named in ALLOWED_ORIGINS; a function (not the list itself), so
  // that other requests get no CORS header at all. Its hook answers preflights.
  app.register(fastifyCors, {
    origin: allowed === null ? false : (origin, callback) => callback(null, origin !== undefined && allowed.includes(origin)),
    credentials: true,
    exposedHeaders: ['retry-after', 'x-request-id'],
    methods: ['GET', 'POST', 'PUT', 'DELETE'],
    allowedHeaders: ['content-type', 'authorization'],
    maxAge: 600,
    optionsSuccessStatus: 204,
    strictPreflight: false,
  });
  // The CSRF check, before any body is read; after CORS (onRequest), so that a refusal
  // sent to an allowed origin carries its CORS headers and the page can read it.
  // A request that carries a bearer and no cookie is the platform's backend or a token
  // holder: no browser attaches either by itself, so there is nothing to forge.
  app.addHook('preParsing', async (request, reply, payload) => {
    if (SAFE_METHODS.has(request.method)) return payload;
    const bearerOnly = bearerToken(request.headers.authorization) !== null && request.headers.cookie === undefined;
    if (!bearerOnly && !isOriginAllowed(request.headers, origins)) return sendError(reply, 'origin_not_allowed');
    const contentType = request.headers['content-type'];
    const bodyType = request.routeOptions.config.bodyType;
    const ndjson = bodyType === 'ndjson';
    if (bodyType === 'file') {
      if (isFormMediaType(contentType)) return sendError(reply, 'unsupported_media_type', 'A file is sent as the body itself, not as a form');
      return payload;
    }
    if (hasBody(request.headers) && !(ndjson ? isNdjsonMediaType(contentType) : isJsonMediaType(contentType))) {
      return sendError(reply, 'unsupported_media_type', ndjson ? 'The body must be application/x-ndjson' : undefined);
    }
    return payload;
  });
  // An absent body is `null`, so that a route may declare "absent or {}" (schemas.emptyBody).
  app.addHook('preValidation', async (request) => {
    if (request.body === undefined && !SAFE_METHODS.has(request.method)) request.body = null;
  });
  app.addHook('onResponse', async (request, reply) => {
    recordHttpRequest(request.method, request.routeOptions.url ?? '(unmatched)', reply.statusCode, reply.elapsedTime / 1000);
  });

  registerOpenApi(app);
  registerAccess(app, context);
  requireTextKinds(app);
  // In a plugin, so that the routes are added once @fastify/swagger is loaded.
  app.register(async (api) => {
    authRoutes(api, context);
    sessionRoutes(api, context);
    passwordResetRoutes(api, context);
    userRoutes(api, context);
    matchRoutes(api, context);
    importRoutes(api, context);
    chatRoutes(api, context);
    attachmentRoutes(api, context);
    searchRoutes(api, context);
    reportRoutes(api, context);
    moderationRoutes(api, context);
    wordRoutes(api, context);
    oversightRoutes(api, context);
    programmeRoutes(api, context);
    announcementRoutes(api, context);
    adminCountRoutes(api, context);
    dataRightsRoutes(api, context);
    webhookRoutes(api, context);
    healthRoutes(api, context, { metrics: context.config.metrics.port === null ? 'public' : 'off' });
    docsRoutes(api);
    webRoutes(api);
    setupRoutes(api, context);
  });
  return app;
}

function streamOption(stream: NodeJS.WritableStream | undefined): { stream?: NodeJS.WritableStream } {
  return stream ? { stream } : {};
}

/**
 * The operators' listener (METRICS_PORT): `/metrics`, `/healthz` and `/readyz` only, on its
 * own port, so that probes and scrapes still answer while the public port's connection
 * limits bite, and metrics need not be public. Logs through `log`.
 */
export function buildOperatorHttp(context: RouteContext, log: FastifyInstance['log']): FastifyInstance {
  const app = Fastify({ loggerInstance: log, http: serverTimeouts(context.config.connections), clientErrorHandler, frameworkErrors });
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler((_request, reply) => sendError(reply, 'not_found'));
  app.addHook('onSend', async (_request, reply, payload) => {
    reply.headers(API_HEADERS);
    return payload;
  });
  app.register(async (operator) => healthRoutes(operator, context, { metrics: 'internal' }));
  return app;
}

/**
 * What a request's log lines say of it: Fastify's fields, with the value of a `token` query
 * parameter replaced, so that a token put in a URL never reaches the log.
 */
function serializeRequest(request: FastifyRequest): Record<string, unknown> {
  return {
    method: request.method,
    url: redactToken(request.url),
    host: request.host,
    remoteAddress: request.ip,
    remotePort: request.socket?.remotePort,
  };
}

/** `url` with every `token=` query value replaced by `[redacted]`. */
export function redactToken(url: string): string {
  const query = url.indexOf('?');
  if (query < 0) return url;
  return url.slice(0, query) + url.slice(query).replace(/([?&;](?:access_)?token=)[^&;#]*/gi, '$1[redacted]');
}

/** Fastify's `trustProxy`; a hop count becomes the function Fastify would build from it (its types omit numbers). */
function trustProxy(setting: boolean | number | string[]): boolean | string[] | ((address: string, hop: number) => boolean) {
  return typeof setting === 'number' ? (_address, hop) => hop < setting : setting;
}
