/**
 * The same match lifecycle suite as match-lifecycle.memory.test.ts, on two Tandem instances
 * sharing PostgreSQL and Redis: the mentee on instance A, the mentor on instance B.
 */
import { withBackends } from './helpers/backends.js';
import { startInstances } from './helpers/cluster.js';
import { loginAdmin } from './helpers/http.js';
import { suiteCleanup, type TestServer } from './helpers/server.js';
import { UNLIMITED } from './suites/chat.js';
import { lifecycleSuite } from './suites/lifecycle.js';

const NAME = 'match lifecycle (two instances, PostgreSQL, Redis)';
let offsetMs = 0;

withBackends(NAME, { postgres: true, redis: true }, () => {
  lifecycleSuite(
    NAME,
    async (cleanup) => {
      const [a, b] = (await startInstances(cleanup, 2, UNLIMITED, { clock: () => new Date(Date.now() + offsetMs) })) as [TestServer, TestServer];
      const admin = await loginAdmin(a.http);
      return { admin, side: (i) => (i === 0 ? a : b), advanceClock: (ms) => void (offsetMs += ms) };
    },
    suiteCleanup(),
  );
});
