/**
 * The web pages: the chat page at `/`, the admin page at `/admin`, and their assets, served
 * from the bundle `scripts/build-web.mjs` writes to `dist/web/`. Files are read once and kept
 * in memory. Asset names carry a content hash, so they may be cached for good; the pages are
 * revalidated, and a Content-Security-Policy keeps them to their own origin's files.
 */
import { readFile } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { sendError } from '../errors.js';

/** dist/src/http/routes/web.js → dist/web/ */
const WEB_ROOT = fileURLToPath(new URL('../../../web/', import.meta.url));

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

/** Serves the pages and their assets. */
export function webRoutes(app: FastifyInstance): void {
  const cache = new Map<string, Buffer | null>();

  async function serve(reply: FastifyReply, relative: string): Promise<FastifyReply> {
    const path = normalize(relative);
    const type = TYPES[extname(path)];
    if (path.startsWith('..') || !type) return sendError(reply, 'not_found');
    if (!cache.has(path)) cache.set(path, await readFile(join(WEB_ROOT, path)).catch(() => null));
    const body = cache.get(path);
    if (!body) return sendError(reply, 'not_found');
    const page = type.startsWith('text/html');
    if (page) reply.header('content-security-policy', PAGE_POLICY).header('referrer-policy', 'same-origin');
    return reply
      .header('content-type', type)
      .header('cache-control', page ? 'no-cache' : 'public, max-age=31536000, immutable')
      .header('x-content-type-options', 'nosniff')
      .send(body);
  }

  // Pages, not API: left out of the OpenAPI document.
  const page = { schema: { hide: true } };
  app.get('/', page, (_request, reply) => serve(reply, 'index.html'));
  app.get('/admin', page, (_request, reply) => serve(reply, 'admin.html'));
  app.get<{ Params: { '*': string } }>('/assets/*', page, (request, reply) => serve(reply, join('assets', request.params['*'])));
}
