/**
 * Maps every error to the reply body `{"error": code, "message": text}`. AppErrors carry
 * their own code; Fastify's own 4xx errors (validation, body parsing) get a catalogue code;
 * anything else is logged with its cause and answered `internal` without details.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { ErrorCatalogue, isAppError, type ErrorCode } from '../errors.js';

export function sendError(reply: FastifyReply, code: ErrorCode, message?: string): FastifyReply {
  return reply.code(ErrorCatalogue[code].status).send({ error: code, message: message ?? ErrorCatalogue[code].message });
}

export function errorHandler(error: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (isAppError(error)) return sendError(reply, error.code, error.message);
  if (error.validation) {
    const where = error.validationContext ?? 'request';
    return sendError(reply, 'invalid_request', `Invalid ${where}: ${error.message.replace(/^(body|querystring|params|headers)\s*/, '')}`);
  }
  const status = error.statusCode ?? 500;
  if (status === 413) return sendError(reply, 'body_too_large');
  if (status === 415) return sendError(reply, 'unsupported_media_type');
  if (status >= 400 && status < 500) {
    const code: ErrorCode = /JSON/i.test(error.code ?? '') ? 'invalid_json' : status === 404 ? 'not_found' : 'invalid_request';
    return sendError(reply, code, error.message);
  }
  request.log.error({ err: error }, 'unhandled error');
  return sendError(reply, 'internal');
}
