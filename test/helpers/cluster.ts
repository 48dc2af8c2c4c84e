/** Several Tandem instances sharing a fresh PostgreSQL database and a Redis prefix of their own. */
import { freshDatabase, freshRedisPrefix, testRedisUrl } from './backends.js';
import type { TandemOptions } from '../../src/app.js';
import { startServer, type TestServer } from './server.js';

type Hooks = { after(fn: () => unknown): void };

/**
 * Starts `count` instances on one new database (Redis at TANDEM_TEST_REDIS_URL unless `env`
 * names another). Cleanup hooks run in the order they are registered, so the database is
 * dropped only after every instance has closed.
 */
export async function startInstances(t: Hooks, count: number, env: Record<string, string> = {}, options: TandemOptions = {}): Promise<TestServer[]> {
  const database = await freshDatabase();
  const shared = { DATABASE_URL: database.url, REDIS_URL: testRedisUrl ?? '', REDIS_PREFIX: freshRedisPrefix(), ...env };
  const servers: TestServer[] = [];
  try {
    for (let i = 0; i < count; i++) servers.push(await startServer(t, shared, options));
  } finally {
    t.after(database.drop);
  }
  return servers;
}
