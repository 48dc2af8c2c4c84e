/**
 * The web pages: the chat page at `/`, the admin page at `/admin`, and their assets, served
 * from the bundle the build writes to `dist/web/`. Files are read once and kept in memory.
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

export function webRoutes(app: FastifyInstance): void {
  const cache = new Map<string, Buffer | null>();

  async function serve(reply: FastifyReply, relative: string): Promise<FastifyReply> {
    const path = normalize(relative);
    const type = TYPES[extname(path)];
    if (path.startsWith('..') || !type) return sendError(reply, 'not_found');
    if (!cache.has(path)) cache.set(path, await readFile(join(WEB_ROOT, path)).catch(() => null));
    const body = cache.get(path);
    if (!body) return sendError(reply, 'not_found');
    return reply
      .header('content-type', type)
      .header('cache-control', type.startsWith('text/html') ? 'no-cache' : 'public, max-age=300')
      .header('x-content-type-options', 'nosniff')
      .send(body);
  }

  app.get('/', (_request, reply) => serve(reply, 'index.html'));
  app.get('/admin', (_request, reply) => serve(reply, 'admin.html'));
  app.get<{ Params: { '*': string } }>('/assets/*', (request, reply) => serve(reply, join('assets', request.params['*'])));
}
