/**
 * Log lines a person can read: pino writes JSON lines, and on a terminal this stream turns
 * each into one short line — `12:02:09 INFO  Tandem is listening  port=8000`, a finished
 * request as `GET /api/me 200 3ms`, an error with its stack under it — coloured by level.
 * Anything that is not a JSON object is passed through as it came. Elsewhere (a pipe, a
 * file, a collector) the JSON lines are kept (`LOG_FORMAT`, see logStreamFor).
 */
import { Writable } from 'node:stream';

const LEVELS: Record<number, { name: string; color: string }> = {
  10: { name: 'TRACE', color: '90' },
  20: { name: 'DEBUG', color: '90' },
  30: { name: 'INFO', color: '32' },
  40: { name: 'WARN', color: '33' },
  50: { name: 'ERROR', color: '31' },
  60: { name: 'FATAL', color: '35' },
};

/** Fields shown in their own way, or not at all (the same on every line). */
const OWN_FIELDS = new Set(['level', 'time', 'pid', 'hostname', 'msg', 'reqId', 'req', 'res', 'responseTime', 'err']);

/** How many requests in flight the stream remembers, to name them on their "request completed" line. */
const MAX_OPEN_REQUESTS = 1000;

export interface FormatOptions {
  color: boolean;
}

type Fields = Record<string, unknown>;

const paint = (text: string, code: string, options: FormatOptions): string => (options.color ? `\u001b[${code}m${text}\u001b[0m` : text);

function clock(time: unknown): string {
  const date = typeof time === 'number' ? new Date(time) : new Date();
  return [date.getHours(), date.getMinutes(), date.getSeconds()].map((part) => String(part).padStart(2, '0')).join(':');
}

function value(field: unknown): string {
  if (typeof field === 'string') return /^[^\s"=]*$/.test(field) && field !== '' ? field : JSON.stringify(field);
  return JSON.stringify(field) ?? String(field);
}

function request(fields: Fields): string | null {
  const req = fields.req as { method?: unknown; url?: unknown } | undefined;
  return req && typeof req.method === 'string' && typeof req.url === 'string' ? `${req.method} ${req.url}` : null;
}

/**
 * One JSON log line as a readable line (no trailing newline), or null for a line not worth
 * a line of its own (a request's arrival: its completion names it). `requests` maps request
 * ids to `METHOD url` between the two.
 */
export function formatLogLine(line: string, options: FormatOptions, requests: Map<string, string> = new Map()): string | null {
  let fields: Fields;
  try {
    const parsed: unknown = JSON.parse(line);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return line;
    fields = parsed as Fields;
  } catch {
    return line;
  }
  const level = LEVELS[Number(fields.level)] ?? { name: 'LOG', color: '37' };
  const reqId = typeof fields.reqId === 'string' ? fields.reqId : null;
  let message = typeof fields.msg === 'string' ? fields.msg : '';
  const arriving = request(fields);
  if (arriving !== null && message === 'incoming request' && level.name === 'INFO') {
    if (reqId !== null) {
      if (requests.size >= MAX_OPEN_REQUESTS) requests.delete(requests.keys().next().value!);
      requests.set(reqId, arriving);
    }
    return null;
  }
  const res = fields.res as { statusCode?: unknown } | undefined;
  if (message === 'request completed' && res && typeof res.statusCode === 'number') {
    const name = (reqId !== null ? requests.get(reqId) : undefined) ?? 'request';
    if (reqId !== null) requests.delete(reqId);
    const took = typeof fields.responseTime === 'number' ? ` ${Math.round(fields.responseTime)}ms` : '';
    message = `${name} ${res.statusCode}${took}`;
  } else if (arriving !== null) {
    message = `${message} (${arriving})`;
  }
  const extras = Object.entries(fields)
    // A field the message already says (the listening address, the setup link) is said once.
    .filter(([key, field]) => !OWN_FIELDS.has(key) && !message.includes(String(field)))
    .map(([key, field]) => `${key}=${value(field)}`);
  const head = `${paint(clock(fields.time), '2', options)} ${paint(level.name.padEnd(5), level.color, options)} ${message}`;
  let text = extras.length > 0 ? `${head}  ${paint(extras.join(' '), '2', options)}` : head;
  const err = fields.err as { message?: unknown; stack?: unknown } | undefined;
  if (err && typeof err === 'object') {
    const detail = typeof err.stack === 'string' ? err.stack : typeof err.message === 'string' ? err.message : JSON.stringify(err);
    text += `\n${paint(detail.replace(/^/gm, '    '), level.color, options)}`;
  }
  return text;
}

/** A pino destination that writes readable lines to `out`. */
export function readableLogStream(out: NodeJS.WritableStream, options: FormatOptions): Writable {
  const requests = new Map<string, string>();
  let partial = '';
  return new Writable({
    decodeStrings: false,
    write(chunk: string | Buffer, _encoding, done) {
      const lines = (partial + chunk.toString()).split('\n');
      partial = lines.pop()!;
      const shown = lines.map((line) => formatLogLine(line, options, requests)).filter((line) => line !== null);
      if (shown.length > 0) out.write(`${shown.join('\n')}\n`);
      done();
    },
  });
}

/**
 * The log destination `LOG_FORMAT` asks for: readable lines for `pretty`, and for `auto`
 * when stdout is a terminal; undefined (pino's JSON lines on stdout) otherwise.
 */
export function logStreamFor(format: 'auto' | 'json' | 'pretty', stdout: NodeJS.WriteStream = process.stdout): Writable | undefined {
  const readable = format === 'pretty' || (format === 'auto' && stdout.isTTY === true);
  if (!readable) return undefined;
  return readableLogStream(stdout, { color: stdout.isTTY === true && stdout.hasColors() });
}
