/**
 * Maps every error to the reply body `{"error": code, "message": text}`. AppErrors carry
 * their own code (a backend that cannot be reached is the store's `unavailable`, 503, logged
 * with its cause); Fastify's own 4xx errors (validation, body parsing) get a catalogue code;
 * anything else is logged with its cause and answered `internal` without details.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { ErrorCatalogue, isAppError, type ErrorCode } from '../errors.js';

/** Sends the error body of `code`, with `message` or the catalogue's text. */
export function sendError(reply: FastifyReply, code: ErrorCode, message?: string): FastifyReply {
  return reply.code(ErrorCatalogue[code].status).send({ error: code, message: message ?? ErrorCatalogue[code].message });
}

/** Fastify's error handler: every error becomes the error body; only unexpected ones are logged. */
export function errorHandler(error: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (isAppError(error)) {
    if (error.code === 'unavailable') request.log.error({ err: error }, 'backend unavailable');
    if (error.retryAfterSeconds !== undefined) reply.header('retry-after', String(error.retryAfterSeconds));
    return sendError(reply, error.code, error.message);
  }
  if (error.validation) {
    const where = error.validationContext ?? 'request';
    return sendError(reply, 'invalid_request', `Invalid ${where}: ${error.message.replace(/^(body|querystring|params|headers)\/?\s*/, '')}`);
  }
  const status = error.statusCode ?? 500;
  if (status === 413) return sendError(reply, 'body_too_large');
  if (status === 415) return sendError(reply, 'unsupported_media_type');
  // The parser's own message quotes the body: never echoed (nor logged).
  if (status === 400 && /JSON/i.test(error.code ?? '')) return sendError(reply, 'invalid_json');
  if (status >= 400 && status < 500) return sendError(reply, status === 404 ? 'not_found' : 'invalid_request', error.message);
  request.log.error({ err: error }, 'unhandled error');
  return sendError(reply, 'internal');
}
