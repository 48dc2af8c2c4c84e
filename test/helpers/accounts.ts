/** The admin every test server creates at start (TANDEM_ADMIN_EMAIL / TANDEM_ADMIN_PASSWORD). */
export const ADMIN = { email: 'admin@tandem.test', password: 'Sw0rdfish-river-71' } as const;

/**
 * The password the test helpers give the user of `email`: derived from it, so any test can
 * sign in again, yet not containing its local part (which the password rules refuse).
 */
export const passwordOf = (email: string): string => `pw-${[...email].reverse().join('')}`;

/**
 * The scrypt cost the suite's servers hash at: the least PASSWORD_SCRYPT_N accepts, so the
 * hundreds of sign-ins of a run stay affordable on two cores. The default cost, and the
 * upgrade of a weaker hash at sign-in, are tested in test/passwords.test.ts.
 */
export const TEST_SCRYPT_N = '16384';

/** The METRICS_TOKEN of the suite's servers: /metrics is never public, so tests scrape with it. */
export const TEST_METRICS_TOKEN = 'suite-metrics-token-0123456789';
/** The header a scrape of the suite's servers sends. */
export const metricsAuth = { authorization: `Bearer ${TEST_METRICS_TOKEN}` } as const;
