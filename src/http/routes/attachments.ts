/**
 * Files in a conversation (PROTOCOL.md Part 8): a participant uploads one (its type decided
 * by its bytes, an image stripped of its metadata, bounded in size and per day), then sends
 * it with a message; the pair downloads it, served so that a browser never runs it.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Readable } from 'node:stream';
import { ATTACHMENT_MEDIA_TYPES, isImageType, keepFile } from '../../attachments/file-kind.js';
import { toWireAttachment } from '../../chat/wire-message.js';
import { AppError } from '../../errors.js';
import type { AttachmentFile, User } from '../../store/index.js';
import { callerOf, pairOf } from '../access.js';
import { isArchived, type RouteContext } from '../context.js';
import { attachmentSchema, emailParam, messageIdSchema, signedIn, withErrors } from '../schemas.js';

const DAY_MS = 24 * 3600 * 1000;
/** Unsent uploads swept per upload: enough to keep up, bounded so an upload never waits long. */
const SWEEP_LIMIT = 100;

const uploadQuery = {
  type: 'object',
  additionalProperties: false,
  required: ['name'],
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 255, 'x-text': 'label', description: 'The file name, shown to the pair; never used to decide the type' },
  },
} as const;

export function attachmentRoutes(app: FastifyInstance, context: RouteContext): void {
  const { store, config } = context;

  app.register(async (files) => {
    // The body is the file itself, whatever its type: read here as a bounded stream.
    files.removeAllContentTypeParsers();
    files.addContentTypeParser('*', (_request, payload, done) => done(null, payload));

    files.post<{ Params: { partner_email: string }; Querystring: { name: string } }>(
      '/api/chat/:partner_email/attachments',
      {
        config: { access: 'pair', bodyType: 'file' },
        schema: {
          summary: 'Upload a file to send in the conversation',
          description:
            'The pair only. The body is the file (any `Content-Type` but a form’s; at most `ATTACHMENT_MAX_BYTES`, else 413 before more is read). Its type is decided by its bytes: ' +
            '`ATTACHMENT_TYPES` (JPEG, PNG, WebP, GIF, PDF, UTF-8 text by default), else 415. Images lose their metadata (EXIF and its GPS position, XMP, IPTC, comments) before they are stored. ' +
            'A user stores at most `ATTACHMENT_DAILY_BYTES` in 24 hours (429). The file is unsent until a `chat_message` carries its id in `attachments`; unsent files are removed after a day.',
          tags: ['chat'],
          security: signedIn,
          params: emailParam('partner_email', "The email of the signed-in user's current partner"),
          querystring: uploadQuery,
          response: withErrors({ 201: attachmentSchema }, [
            'not_matched',
            'attachment_too_large',
            'attachment_type',
            'attachment_malformed',
            'attachment_quota',
          ]),
        },
      },
      async (request, reply) => {
        const { user, pair } = pairOf(request);
        const bytes = await readBounded(request, config.attachments.maxBytes);
        const kept = await keepFile(bytes, config.attachments.types);
        if (!kept.ok) throw new AppError(kept.refusal === 'unsupported' ? 'attachment_type' : 'attachment_malformed', kept.message);
        await store.attachments.deleteUnsentBefore(new Date(context.clock().getTime() - DAY_MS), SWEEP_LIMIT);
        const file = await store.attachments.create({
          pairId: pair.id,
          uploaderId: user.id,
          name: request.query.name,
          contentType: kept.type,
          bytes: kept.bytes,
          dailyLimitBytes: config.attachments.dailyBytes,
        });
        reply.code(201);
        return toWireAttachment(file);
      },
    );
  });

  app.get<{ Params: { attachment_id: string } }>(
    '/api/attachments/:attachment_id',
    {
      config: { access: 'user' },
      schema: {
        summary: 'Download a file',
        description:
          'The pair of the conversation it was sent in (also in the archive); an unsent or held file only its uploader; admins wherever they may see its message (a report of it; ' +
          'any conversation under `oversight`; also held messages under `moderated`). Anyone else: 404, as for a file that does not exist. Served with its decided type, ' +
          '`X-Content-Type-Options: nosniff`, `Content-Security-Policy: sandbox` and `Content-Disposition: attachment` (images: `inline`).',
        tags: ['chat'],
        security: signedIn,
        params: {
          type: 'object',
          additionalProperties: false,
          required: ['attachment_id'],
          properties: { attachment_id: messageIdSchema },
        },
        response: withErrors(
          {
            200: {
              description: 'The file, as its decided type (text as `text/plain; charset=utf-8`)',
              content: Object.fromEntries(ATTACHMENT_MEDIA_TYPES.map((type) => [type, { schema: { type: 'string', format: 'binary' } }])),
            },
          },
          ['attachment_not_found'],
        ),
      },
    },
    async (request, reply) => {
      const { user } = callerOf(request);
      const file = await store.attachments.byId(Number(request.params.attachment_id));
      if (!file || !(await maySee(context, user, file))) throw new AppError('attachment_not_found');
      return sendFile(reply, file);
    },
  );
}

/** Whether `user` may download `file` (see the route's description). */
async function maySee(context: RouteContext, user: User, file: AttachmentFile): Promise<boolean> {
  const sent = file.messageId !== null;
  if (file.uploaderId === user.id) return true;
  if (user.role === 'ADMIN') {
    const policy = context.config.safeguarding.policy;
    if (sent && (policy !== 'private' || (await context.store.reports.isReported(file.messageId!)))) return true;
    return file.heldId !== null && policy === 'moderated';
  }
  if (!sent) return false;
  const pair = await context.store.matches.pairById(file.pairId);
  if (!pair || (pair.mentorId !== user.id && pair.menteeId !== user.id)) return false;
  return pair.active || isArchived(context, pair);
}

function sendFile(reply: FastifyReply, file: AttachmentFile) {
  const type = file.contentType === 'text/plain' ? 'text/plain; charset=utf-8' : file.contentType;
  reply.header('content-type', type);
  reply.header('x-content-type-options', 'nosniff');
  reply.header('content-security-policy', 'sandbox');
  reply.header('content-disposition', contentDisposition(isImageType(file.contentType) ? 'inline' : 'attachment', file.name));
  reply.header('cache-control', 'private, no-store');
  return reply.send(Buffer.from(file.bytes));
}

/** RFC 6266: an ASCII fallback with anything risky replaced, and the exact name as RFC 8187 UTF-8. */
export function contentDisposition(kind: 'inline' | 'attachment', name: string): string {
  let fallback = '';
  for (const char of name) fallback += char >= ' ' && char <= '~' && char !== '"' && char !== '\\' && char !== '%' ? char : '_';
  const encoded = encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `${kind}; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}

/** The request body, refused with 413 as soon as it passes `limit` (or announces it will): never more is held. */
async function readBounded(request: FastifyRequest, limit: number): Promise<Uint8Array> {
  const announced = Number(request.headers['content-length'] ?? 0);
  if (announced > limit) throw new AppError('attachment_too_large');
  const body = request.body as Readable | null;
  if (!body) return new Uint8Array(0);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += (chunk as Buffer).length;
    if (size > limit) {
      body.destroy();
      throw new AppError('attachment_too_large');
    }
    chunks.push(chunk as Buffer);
  }
  return new Uint8Array(Buffer.concat(chunks, size));
}
