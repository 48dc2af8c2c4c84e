/**
 * The web pages: the chat page at `/`, the admin page at `/admin`, and their assets, served
 * by @fastify/static from the bundle `scripts/build-web.mjs` writes to `dist/web/`. Files
 * are read from disk on every request and nothing is kept per path, so no request can grow
 * the server's memory. Asset names carry a content hash, so they may be cached for good; the
 * pages are revalidated, and a Content-Security-Policy keeps them to their own origin's files.
 */
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

/** dist/src/http/routes/web.js → dist/web/ */
const WEB_ROOT = fileURLToPath(new URL('../../../web/', import.meta.url));

/** The types served; a file of any other type is not found, as if it were not there. */
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.map': 'application/json; charset=utf-8',
};

/** Scripts, styles and sockets from this origin only ('self' covers ws(s): of the same host). */
const PAGE_POLICY = [
  "default-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data:",
  "style-src 'self'",
  "script-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * A path relative to dist/web/ that may be sent: plain segments only (no `..`, no dotfiles,
 * no empty segment, no NUL) and a type from TYPES. @fastify/send would refuse the rest with
 * 403 or 400; Tandem answers 404, revealing nothing about what exists.
 */
function servable(path: string): boolean {
  return TYPES[extname(path)] !== undefined && !path.includes('\0') && path.split('/').every((segment) => segment !== '' && !segment.startsWith('.'));
}

/** Serves the pages and their assets; the routes are left out of the OpenAPI document. */
export function webRoutes(app: FastifyInstance): void {
  app.register(fastifyStatic, {
    root: WEB_ROOT,
    serve: false,
    allowedPath: servable,
    index: false,
    dotfiles: 'ignore',
    // Set below from Tandem's own table, which the tests pin; send's `mime` names differ (.js).
    contentType: false,
    cacheControl: false,
    // Only once the file is found, so that a 404 carries none of these.
    setHeaders(response, path) {
      const type = TYPES[extname(path)]!;
      const page = type.startsWith('text/html');
      if (page) {
        response.setHeader('content-security-policy', PAGE_POLICY);
        // For browsers that predate frame-ancestors.
        response.setHeader('x-frame-options', 'DENY');
        response.setHeader('referrer-policy', 'same-origin');
      }
      response.setHeader('content-type', type);
      response.setHeader('cache-control', page ? 'no-cache' : 'public, max-age=31536000, immutable');
      response.setHeader('x-content-type-options', 'nosniff');
    },
  });

  const page = { config: { access: 'none' as const }, schema: { hide: true } };
  app.get('/', page, (_request, reply) => reply.sendFile('index.html'));
  app.get('/admin', page, (_request, reply) => reply.sendFile('admin.html'));
  app.get('/reset-password', page, (_request, reply) => reply.sendFile('reset.html'));
  app.get<{ Params: { '*': string } }>('/assets/*', page, (request, reply) => reply.sendFile(`assets/${request.params['*']}`));
}
