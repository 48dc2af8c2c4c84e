/**
 * The same chat protocol suite as chat.memory.test.ts, on two Tandem instances sharing
 * PostgreSQL and Redis: the mentee on instance A, the mentor on instance B.
 */
import { freshDatabase, freshRedisPrefix, testRedisUrl, withBackends } from './helpers/backends.js';
import { loginAdmin } from './helpers/http.js';
import { startServer, suiteCleanup } from './helpers/server.js';
import { chatSuite, UNLIMITED } from './suites/chat.js';

const NAME = 'chat protocol (two instances, PostgreSQL, Redis)';

withBackends(NAME, { postgres: true, redis: true }, () => {
  chatSuite(
    NAME,
    async (cleanup) => {
      const database = await freshDatabase();
      cleanup.after(database.drop);
      const env = { DATABASE_URL: database.url, REDIS_URL: testRedisUrl!, REDIS_PREFIX: freshRedisPrefix(), ...UNLIMITED };
      const a = await startServer(cleanup, env);
      const b = await startServer(cleanup, env);
      const admin = await loginAdmin(a.http);
      return { admin, side: (i) => (i === 0 ? a : b) };
    },
    suiteCleanup(),
  );
});
