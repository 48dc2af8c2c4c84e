/**
 * scrypt's cost N for password hashes, as PASSWORD_SCRYPT_N sets it: OWASP's minimum for
 * r=8, p=1 by default, within the bounds scrypt is safe and affordable at. Its own module,
 * so that the settings can name it without importing the hashing (and what that imports).
 */
export const DEFAULT_SCRYPT_N = 2 ** 17;
export const MIN_SCRYPT_N = 2 ** 14;
/** 1 GiB of memory a hash. */
export const MAX_SCRYPT_N = 2 ** 20;
