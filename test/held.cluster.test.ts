/** Held messages never reach the partner: two instances sharing PostgreSQL and Redis (see suites/held.ts). */
import { withBackends } from './helpers/backends.js';
import { startInstances } from './helpers/cluster.js';
import { loginAdmin } from './helpers/http.js';
import { suiteCleanup, type TestServer } from './helpers/server.js';
import { UNLIMITED } from './suites/chat.js';
import { heldSuite, MODERATED } from './suites/held.js';

const NAME = 'held messages (two instances, PostgreSQL, Redis)';

withBackends(NAME, { postgres: true, redis: true }, () => {
  heldSuite(
    NAME,
    async (cleanup) => {
      const [a, b] = (await startInstances(cleanup, 2, { ...UNLIMITED, ...MODERATED })) as [TestServer, TestServer];
      const admin = await loginAdmin(a.http);
      return { admin, side: (i) => (i === 0 ? a : b), store: a.tandem.store };
    },
    suiteCleanup(),
  );
});
