import type { Migration } from './runner.js';

/**
 * The platform's key for a person (a token's `iss` and `sub`, the proxy's `id`), stored as
 * the platform gave it: accounts are found by it, so two platform identities whose emails
 * fold together (case, Unicode) never become one account. At most one account per key.
 */
export const platformIdentity: Migration = {
  version: 9,
  name: 'platform-identity',
  sqlite: `
    ALTER TABLE users ADD COLUMN platform_issuer TEXT;
    ALTER TABLE users ADD COLUMN platform_subject TEXT;
    CREATE UNIQUE INDEX users_by_platform_id ON users(platform_issuer, platform_subject) WHERE platform_subject IS NOT NULL;
  `,
  postgres: `
    ALTER TABLE users ADD COLUMN platform_issuer TEXT;
    ALTER TABLE users ADD COLUMN platform_subject TEXT;
    CREATE UNIQUE INDEX users_by_platform_id ON users(platform_issuer, platform_subject) WHERE platform_subject IS NOT NULL;
  `,
};
