/** The admin every test server creates at start (TANDEM_ADMIN_EMAIL / TANDEM_ADMIN_PASSWORD). */
export const ADMIN = { email: 'admin@tandem.test', password: 'Sw0rdfish-river-71' } as const;

/**
 * The password the test helpers give the user of `email`: derived from it, so any test can
 * sign in again, yet not containing its local part (which the password rules refuse).
 */
export const passwordOf = (email: string): string => `pw-${[...email].reverse().join('')}`;
