/**
 * The error shape for what Fastify's routes never see. Node's parser refuses a malformed
 * request line, oversized headers or a request that took too long before any request
 * exists (`clientError`): those get a fixed JSON body, never an echo of the input. Fastify's
 * router refuses a URL it cannot decode or a parameter over `maxParamLength`: those get the
 * usual error body with the request id.
 */
import type { Socket } from 'node:net';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ErrorCatalogue, type ErrorCode } from '../errors.js';
import { sendError } from './errors.js';

/** Headers every API reply carries, errors included. */
export const API_HEADERS = { 'x-content-type-options': 'nosniff', 'cache-control': 'no-store' } as const;

const MALFORMED = 'The request could not be parsed';

/** Fastify's `clientErrorHandler`: answers once if the socket can still take an answer, then closes it. */
export function clientErrorHandler(error: NodeJS.ErrnoException, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  if (!socket.writable || (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage?.headersSent) {
    socket.destroy();
    return;
  }
  const code: ErrorCode =
    error.code === 'HPE_HEADER_OVERFLOW' ? 'headers_too_large' : error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 'request_timeout' : 'invalid_request';
  const entry = ErrorCatalogue[code];
  const body = JSON.stringify({ error: code, message: code === 'invalid_request' ? MALFORMED : entry.message });
  const head = [
    `HTTP/1.1 ${entry.status} ${code === 'invalid_request' ? 'Bad Request' : code === 'request_timeout' ? 'Request Timeout' : 'Request Header Fields Too Large'}`,
    'content-type: application/json; charset=utf-8',
    `content-length: ${Buffer.byteLength(body)}`,
    ...Object.entries(API_HEADERS).map(([name, value]) => `${name}: ${value}`),
    'connection: close',
  ];
  socket.end(`${head.join('\r\n')}\r\n\r\n${body}`);
}

/** Fastify's `frameworkErrors`: the router's refusals, in the error shape and with the request id. */
export function frameworkErrors(error: { code?: string }, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  reply.header('x-request-id', request.id).headers(API_HEADERS);
  if (error.code === 'FST_ERR_MAX_PARAM_LENGTH') return sendError(reply, 'uri_too_long');
  if (error.code === 'FST_ERR_BAD_URL') return sendError(reply, 'invalid_request', 'The URL is not validly percent-encoded');
  return sendError(reply, 'internal');
}
