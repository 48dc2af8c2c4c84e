/** The admin every test server creates at start (TANDEM_ADMIN_EMAIL / TANDEM_ADMIN_PASSWORD). */
export const ADMIN = { email: 'admin@tandem.test', password: 'admin-password-1' } as const;
