/**
 * The same chat protocol suite as chat.memory.test.ts, on two Tandem instances sharing
 * PostgreSQL and Redis: the mentee on instance A, the mentor on instance B.
 */
import { withBackends } from './helpers/backends.js';
import { startInstances } from './helpers/cluster.js';
import { loginAdmin } from './helpers/http.js';
import { suiteCleanup, type TestServer } from './helpers/server.js';
import { chatSuite, UNLIMITED } from './suites/chat.js';

const NAME = 'chat protocol (two instances, PostgreSQL, Redis)';

withBackends(NAME, { postgres: true, redis: true }, () => {
  chatSuite(
    NAME,
    async (cleanup) => {
      const [a, b] = (await startInstances(cleanup, 2, UNLIMITED)) as [TestServer, TestServer];
      const admin = await loginAdmin(a.http);
      return { admin, side: (i) => (i === 0 ? a : b) };
    },
    suiteCleanup(),
  );
});
