/**
 * The parsers of the settings whose check is more than their type's (config-read.ts): each
 * takes one setting's text, pushes a readable problem for anything wrong and returns a usable
 * value, so that every problem is listed at once.
 */
import { DEFAULT_REACTIONS } from './config-table-conversation.js';
import { accessSync, constants } from 'node:fs';
import { isIP } from 'node:net';
import { isSupportedCountry } from 'libphonenumber-js/max';
import type { ConversationPolicy, DatabaseConfig, LayerConfig, SafeguardingConfig } from './config-types.js';

/** `DATABASE_URL`: `sqlite:<path>` or `postgres://…`, with the pool size for PostgreSQL. */
export function parseDatabaseUrl(url: string, poolSize: number, problems: string[]): DatabaseConfig {
  if (url.startsWith('sqlite:')) {
    const path = url.slice('sqlite:'.length);
    if (path === '') problems.push('DATABASE_URL "sqlite:" needs a path, e.g. sqlite:./data/tandem.db');
    return { kind: 'sqlite', path };
  }
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) {
    return { kind: 'postgres', url, poolSize };
  }
  problems.push(`DATABASE_URL must start with sqlite: or postgres://, got "${url.split(':')[0]}:…"`);
  return { kind: 'sqlite', path: '' };
}

/** `REDIS_URL`: unset for the in-memory layer, or `redis(s)://…` with the channel prefix. */
export function parseRedisUrl(url: string | null, prefix: string, problems: string[]): LayerConfig {
  if (url === null) return { kind: 'memory' };
  if (!url.startsWith('redis://') && !url.startsWith('rediss://')) {
    problems.push('REDIS_URL must start with redis:// or rediss://');
  }
  return { kind: 'redis', url, prefix };
}

/** `ALLOWED_ORIGINS`: comma-separated bare origins; `null` when unset (the request's own host is allowed). */
export function parseOrigins(value: string | null, problems: string[]): string[] | null {
  if (value === null) return null;
  const origins = value
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
  for (const origin of origins) {
    try {
      const parsed = new URL(origin);
      if (parsed.origin !== origin) problems.push(`ALLOWED_ORIGINS entry "${origin}" must be a bare origin like ${parsed.origin}`);
    } catch {
      problems.push(`ALLOWED_ORIGINS entry "${origin}" is not a URL origin`);
    }
  }
  return origins;
}

/** `PUBLIC_ORIGIN`: one bare http(s) origin, or `null` when unset. */
export function parsePublicOrigin(text: string | null, problems: string[]): string | null {
  if (text === null) return null;
  try {
    const parsed = new URL(text);
    if (parsed.origin !== text || !['http:', 'https:'].includes(parsed.protocol)) {
      problems.push(`PUBLIC_ORIGIN must be a bare http(s) origin like ${parsed.origin}, got "${text}"`);
    }
  } catch {
    problems.push(`PUBLIC_ORIGIN must be an origin like https://chat.example.org, got "${text}"`);
  }
  return text;
}

/**
 * `false` (the default: the peer is the client), `true` (believe every proxy), a hop count,
 * or the comma-separated addresses/CIDRs of the proxies to believe. Throttling keys on the
 * client address, so behind a proxy this must be set or every client shares one address.
 */
/** `TRUST_PROXY`: `true`/`false`, a hop count, or proxy addresses and CIDRs, as Fastify takes them. */
export function parseTrustProxy(value: string, problems: string[]): boolean | number | string[] {
  const text = value.trim().toLowerCase();
  if (text === 'false') return false;
  if (text === 'true') return true;
  if (/^\d{1,2}$/.test(text)) return Number(text);
  const entries = text
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
  const bad = entries.filter((entry) => {
    const [address, bits, ...rest] = entry.split('/');
    const version = isIP(address ?? '');
    if (version === 0 || rest.length > 0) return true;
    return bits !== undefined && !(/^\d{1,3}$/.test(bits) && Number(bits) <= (version === 4 ? 32 : 128));
  });
  if (entries.length === 0 || bad.length > 0) {
    problems.push(`TRUST_PROXY must be true, false, a hop count, or proxy addresses/CIDRs, got "${value}"`);
    return false;
  }
  return entries;
}

/** `MODERATION_WORDS_FILE` (must be readable) and `MODERATION_PHONE_COUNTRIES`, with the policy and the retention read by their types. */
export function parseSafeguarding(
  policy: ConversationPolicy,
  wordsFile: string | null,
  countries: string,
  retentionDays: number | null,
  problems: string[],
): SafeguardingConfig {
  if (wordsFile !== null) {
    try {
      accessSync(wordsFile, constants.R_OK);
    } catch {
      problems.push(`MODERATION_WORDS_FILE "${wordsFile}" cannot be read`);
    }
  }
  const codes = countries
    .split(',')
    .map((code) => code.trim().toUpperCase())
    .filter((code) => code !== '');
  const unknown = codes.filter((code) => !isSupportedCountry(code));
  if (codes.length === 0 || unknown.length > 0) {
    problems.push(`MODERATION_PHONE_COUNTRIES must be comma-separated ISO 3166 country codes, got "${countries}"`);
  }
  return { policy, wordsFile, phoneCountries: unknown.length > 0 ? ['GB'] : codes, retentionDays };
}

/** `WEBHOOK_SECRET`: `whsec_` and the base64 of 24 to 64 random bytes (Standard Webhooks); never echoed in a problem. */
export function parseWebhookSecret(value: string | null, problems: string[]): string {
  const text = value ?? '';
  const key = text.startsWith('whsec_') ? text.slice('whsec_'.length) : '';
  const bytes = /^[A-Za-z0-9+/]+={0,2}$/.test(key) ? Buffer.from(key, 'base64').length : 0;
  if (bytes < 24 || bytes > 64) problems.push('WEBHOOK_SECRET must be whsec_ followed by the base64 of 24 to 64 random bytes');
  return text;
}

/** `REACTIONS`: 1 to 20 distinct emoji, comma-separated, each 1 to 16 characters with no control character or space. */
export function parseReactions(value: string, problems: string[]): string[] {
  const reactions = [...new Set(value.split(',').map((emoji) => emoji.trim()))].filter((emoji) => emoji !== '');
  const fits = (emoji: string) => emoji.length <= 16 && [...emoji].every((char) => char.codePointAt(0)! > 0x20 && char.codePointAt(0) !== 0x7f);
  if (reactions.length === 0 || reactions.length > 20 || !reactions.every(fits)) {
    problems.push(`REACTIONS must be a comma-separated list of 1 to 20 emoji, each at most 16 characters, got "${value}"`);
    return DEFAULT_REACTIONS.split(',');
  }
  return reactions;
}

/** The longest `SAFEGUARDING_CONTACT` (code points): a line or two on a phone. */
const SAFEGUARDING_CONTACT_MAX = 300;

/** `SAFEGUARDING_CONTACT`: plain text shown to participants; blank counts as unset; no control characters. */
export function parseSafeguardingContact(value: string | null, problems: string[]): string | null {
  const text = value?.trim() ?? '';
  if (text === '') return null;
  if ([...text].length > SAFEGUARDING_CONTACT_MAX) problems.push(`SAFEGUARDING_CONTACT must be at most ${SAFEGUARDING_CONTACT_MAX} characters`);
  else if (/[\u0000-\u001f\u007f]/u.test(text)) problems.push('SAFEGUARDING_CONTACT must be one line of text without control characters');
  else return text;
  return null;
}
