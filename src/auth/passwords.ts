/**
 * Password hashing with node:crypto scrypt: a random 16-byte salt per password, the
 * parameters stored beside the hash, compared in constant time. The cost N follows
 * `PASSWORD_SCRYPT_N` (default 2^17 with r=8, p=1: OWASP's Password Storage Cheat Sheet);
 * a hash made at a lower cost verifies as before and is made again at the next sign-in.
 */
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { recordPasswordWork, type PasswordWork } from '../metrics.js';

const KEY_LENGTH = 64;
const BLOCK_SIZE = 8;
import { DEFAULT_SCRYPT_N, MAX_SCRYPT_N } from './scrypt-cost.js';

export { DEFAULT_SCRYPT_N } from './scrypt-cost.js';

interface Params {
  N: number;
  r: number;
  p: number;
}

function derive(password: string, salt: Buffer, params: Params, operation: PasswordWork): Promise<Buffer> {
  recordPasswordWork(operation);
  // scrypt needs 128·N·r bytes; the limit leaves room for Node's own bookkeeping.
  const options: ScryptOptions = { ...params, maxmem: 256 * params.N * params.r };
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFKC'), salt, KEY_LENGTH, options, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

/** Hashes a password at cost `n`: `scrypt$N$r$p$salt$key`, base64url parts. Runs on the libuv pool. */
export async function hashPassword(password: string, n = DEFAULT_SCRYPT_N): Promise<string> {
  const salt = randomBytes(16);
  const params = { N: n, r: BLOCK_SIZE, p: 1 };
  const key = await derive(password, salt, params, 'hash');
  return ['scrypt', params.N, params.r, params.p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

/** The parameters of a stored hash; null when it is not one Tandem made (it then never matches). */
function paramsOf(stored: string): (Params & { salt: Buffer; key: Buffer }) | null {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return null;
  const [N, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  const powerOfTwo = Number.isInteger(N) && N >= 2 && (N & (N - 1)) === 0;
  if (!powerOfTwo || N > MAX_SCRYPT_N || !Number.isInteger(r) || r < 1 || r > 32 || !Number.isInteger(p) || p < 1 || p > 16) return null;
  return { N, r, p, salt: Buffer.from(parts[4]!, 'base64url'), key: Buffer.from(parts[5]!, 'base64url') };
}

/** True when `password` matches `stored`; a malformed `stored` never matches. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const params = paramsOf(stored);
  if (!params) return false;
  const actual = await derive(password, params.salt, params, 'verify');
  return actual.length === params.key.length && timingSafeEqual(actual, params.key);
}

/** True when `stored` was made at less than cost `n` (or not by Tandem): the next sign-in makes it again. */
export function needsRehash(stored: string, n = DEFAULT_SCRYPT_N): boolean {
  const params = paramsOf(stored);
  return !params || params.N * params.r * params.p < n * BLOCK_SIZE;
}

const dummyHashes = new Map<number, Promise<string>>();

/**
 * Spends the same work as a real verification at cost `n`, so that an unknown email and a
 * wrong password take the same time to refuse.
 */
export async function verifyAgainstNothing(password: string, n = DEFAULT_SCRYPT_N): Promise<false> {
  let dummy = dummyHashes.get(n);
  if (!dummy) dummyHashes.set(n, (dummy = hashPassword('tandem-timing-equaliser', n)));
  await verifyPassword(password, await dummy);
  return false;
}
