/** Edit, delete, reply and reactions on two instances sharing PostgreSQL and Redis (see suites/changes.ts). */
import { withBackends } from './helpers/backends.js';
import { startInstances } from './helpers/cluster.js';
import { loginAdmin } from './helpers/http.js';
import { suiteCleanup, type TestServer } from './helpers/server.js';
import { changesSuite } from './suites/changes.js';
import { UNLIMITED } from './suites/chat.js';
import { MODERATED } from './suites/held.js';

const NAME = 'message changes (two instances, PostgreSQL, Redis)';

withBackends(NAME, { postgres: true, redis: true }, () => {
  changesSuite(
    NAME,
    async (cleanup) => {
      const [a, b] = (await startInstances(cleanup, 2, { ...UNLIMITED, ...MODERATED })) as [TestServer, TestServer];
      const admin = await loginAdmin(a.http);
      return { admin, side: (i) => (i === 0 ? a : b) };
    },
    suiteCleanup(),
  );
});
