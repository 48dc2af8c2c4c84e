/**
 * Who may call a route, declared on the route (`config: { access: 'user' }`) and decided
 * before its body is read or validated (CORS preflights excepted): the caller is resolved in a `preParsing` hook, after
 * the origin check and before parsing, so an anonymous caller gets 401 and a wrong role 403
 * whatever the body — the schema never speaks to someone who may not call the route. Every
 * route must declare its access; a route without it fails at start.
 */
import type { FastifyInstance, FastifyRequest, RouteOptions } from 'fastify';
import type { Pair, User } from '../store/index.js';
import type { CallerMethod } from './caller.js';
import { requireAdmin, requireArchive, requirePair, requireUser, type RouteContext } from './context.js';

/**
 * `none`: anyone; `user`: signed in (any identity method); `admin`: an ADMIN or an API key;
 * `pair`: a participant of the active pair named by `:partner_email`; `archive`: the same, or
 * of that pair within `ARCHIVE_DAYS` of its unmatch (reading, and reporting what was said).
 */
export type Access = 'none' | 'user' | 'admin' | 'pair' | 'archive';

/**
 * The caller of a route whose access is not `none`. `user.email` names the actor (an API key
 * acts as `api:<name>`); `method` says what proved it.
 */
export interface Caller {
  user: User;
  sessionHash: string;
  method: CallerMethod;
  expiresAt: Date | null;
}

/** The caller of a `pair` route, with the partner and their active pair. */
export interface PairCaller extends Caller {
  partner: User;
  pair: Pair;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
    /** A route whose body is not JSON says so: the import (`ndjson`), an upload (`file`, any type but a form's); see server.ts. */
    bodyType?: 'ndjson' | 'file';
  }
  interface FastifyRequest {
    caller: Caller | PairCaller | null;
  }
  interface FastifyInstance {
    /** Every route's access rule, `METHOD /path/{param}` → rule: what docs/security.md's table is checked against. */
    accessRules: ReadonlyMap<string, Access>;
  }
}

/** Adds the access hook to every route registered on `app` after this call. */
export function registerAccess(app: FastifyInstance, context: RouteContext): void {
  const rules = new Map<string, Access>();
  app.decorate('accessRules', rules);
  app.decorateRequest('caller', null);
  app.addHook('onRoute', (route: RouteOptions) => {
    const access = (route.config as { access?: Access } | undefined)?.access;
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    // @fastify/cors's preflight route: its hook answers before any body or caller matters.
    if (access === undefined && methods.every((method) => method === 'OPTIONS')) return;
    if (access === undefined) throw new Error(`${methods.join(',')} ${route.url} declares no access`);
    const path = route.url.replace(/:(\w+)/g, '{$1}');
    for (const method of methods) if (method !== 'HEAD') rules.set(`${method} ${path}`, access);
    if (!route.schema?.hide && (access !== 'none') !== Boolean(route.schema?.security)) {
      throw new Error(`${methods.join(',')} ${route.url}: its OpenAPI security must match access "${access}"`);
    }
    if (access === 'none') return;
    const hook = async (request: FastifyRequest, _reply: unknown, payload: unknown) => {
      const partnerEmail = (request.params as { partner_email?: string }).partner_email ?? '';
      request.caller =
        access === 'pair'
          ? await requirePair(context, request, partnerEmail)
          : access === 'archive'
            ? await requireArchive(context, request, partnerEmail)
            : access === 'admin'
              ? await requireAdmin(context, request)
              : await requireUser(context, request);
      return payload;
    };
    const existing = route.preParsing === undefined ? [] : Array.isArray(route.preParsing) ? route.preParsing : [route.preParsing];
    route.preParsing = [hook as never, ...existing];
  });
}

/** The caller resolved by the access hook; only for routes whose access is not `none`. */
export function callerOf(request: FastifyRequest): Caller {
  if (!request.caller) throw new Error(`${request.method} ${request.routeOptions.url} reads a caller it does not declare`);
  return request.caller;
}

/** The caller of a `pair` route. */
export function pairOf(request: FastifyRequest): PairCaller {
  const caller = callerOf(request) as Partial<PairCaller>;
  if (!caller.pair) throw new Error(`${request.method} ${request.routeOptions.url} is not a pair route`);
  return caller as PairCaller;
}
