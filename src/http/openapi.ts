/**
 * The OpenAPI 3.1 document of the HTTP API, generated from the routes' own JSON schemas as
 * they are registered (fastify's `onRoute` hook), so the document cannot drift from what
 * Fastify validates and serializes. The hook also gives every route the error responses
 * that Tandem's shared hooks can answer (origin, media type, body size, authentication,
 * internal), so that serialization and the document list them too.
 */
import { readFileSync } from 'node:fs';
import type { FastifyInstance, RouteOptions } from 'fastify';
import type { ErrorCode } from '../errors.js';
import { withErrors } from './schemas.js';

declare module 'fastify' {
  interface FastifySchema {
    /** One line for the operation list. */
    summary?: string;
    /** Who may call it and what it does, in Markdown. */
    description?: string;
    tags?: readonly string[];
    /** OpenAPI security requirements; present means "needs the session cookie". */
    security?: ReadonlyArray<Record<string, readonly string[]>>;
    /** Media type of the success body when it is not JSON. */
    produces?: readonly string[];
    /** Left out of the document (the web pages). */
    hide?: boolean;
  }
}

type Json = Record<string, unknown>;
interface CollectedRoute {
  method: string;
  url: string;
  schema: Json;
}

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const VERSION = readVersion();

/**
 * Registers the collecting hook on `app` (call before any route) and returns the function
 * that builds the document; it is built once, on first use, after every route exists.
 * Every visible route must declare its responses: a route without them fails at start.
 */
export function collectOpenApi(app: FastifyInstance): () => Json {
  const routes: CollectedRoute[] = [];
  app.addHook('onRoute', (route: RouteOptions) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    if (route.schema?.hide || methods.every((method) => method === 'HEAD')) return;
    const schema = (route.schema ?? {}) as Json;
    if (!schema.response) throw new Error(`${methods.join(',')} ${route.url} has no response schema`);
    const codes: ErrorCode[] = ['internal', 'unavailable'];
    if (schema.body || schema.querystring || schema.params) codes.push('invalid_request');
    if (schema.security) codes.push('unauthenticated');
    if (methods.some((method) => STATE_CHANGING.has(method))) {
      codes.push('origin_not_allowed', 'unsupported_media_type', 'body_too_large', 'invalid_json');
    }
    route.schema = { ...route.schema, response: withErrors(schema.response as Json, codes) };
    for (const method of methods) {
      if (method !== 'HEAD') routes.push({ method, url: route.url, schema: route.schema as Json });
    }
  });
  let document: Json | undefined;
  return () => (document ??= buildDocument(routes));
}

function buildDocument(routes: readonly CollectedRoute[]): Json {
  const paths: Record<string, Json> = {};
  for (const route of routes) {
    const path = route.url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
    (paths[path] ??= {})[route.method.toLowerCase()] = operation(route, path);
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Tandem HTTP API',
      version: VERSION,
      description:
        'JSON in and out, cookie sessions (`sessionid`, set by login). State-changing requests must be ' +
        '`application/json` (or bodiless) and, when they carry an `Origin` header, come from an allowed origin. ' +
        'Every error is `{"error": "<code>", "message": "<text>"}`.',
    },
    components: { securitySchemes: { session: { type: 'apiKey', in: 'cookie', name: 'sessionid' } } },
    paths,
  };
}

function operation(route: CollectedRoute, path: string): Json {
  const { schema } = route;
  const op: Json = {
    operationId: route.method.toLowerCase() + path.replace(/[{}]/g, '').split(/[^A-Za-z0-9]+/).map(capitalize).join(''),
  };
  for (const key of ['summary', 'description', 'tags', 'security'] as const) if (schema[key] !== undefined) op[key] = schema[key];
  const parameters = [...parametersOf(schema.params as Json | undefined, 'path'), ...parametersOf(schema.querystring as Json | undefined, 'query')];
  if (parameters.length > 0) op.parameters = parameters;
  if (schema.body) {
    const body = schema.body as Json;
    const type = body.type;
    op.requestBody = {
      required: !(Array.isArray(type) && type.includes('null')),
      content: { 'application/json': { schema: body } },
    };
  }
  const responses: Json = {};
  const produces = (schema.produces as string[] | undefined)?.[0] ?? 'application/json';
  for (const [status, response] of Object.entries(schema.response as Record<string, Json>)) {
    const { description, ...body } = response;
    const mediaType = status.startsWith('2') ? produces : 'application/json';
    responses[status] =
      body.type === 'null'
        ? { description: description ?? 'No content' }
        : { description: description ?? (status.startsWith('2') ? 'Success' : 'Error'), content: { [mediaType]: { schema: body } } };
  }
  op.responses = responses;
  return op;
}

function parametersOf(schema: Json | undefined, where: 'path' | 'query'): Json[] {
  const properties = (schema?.properties ?? {}) as Record<string, Json>;
  const required = new Set((schema?.required ?? []) as string[]);
  return Object.entries(properties).map(([name, property]) => {
    const { description, ...rest } = property;
    const parameter: Json = { name, in: where, required: where === 'path' || required.has(name), schema: rest };
    if (description !== undefined) parameter.description = description;
    return parameter;
  });
}

function capitalize(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

/** The package version, from the package.json next to dist/ (dist/src/http/ → ./). */
function readVersion(): string {
  try {
    return (JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  } catch {
    return '0.0.0';
  }
}
