/** Attachments and search on two instances sharing PostgreSQL and Redis: the file is uploaded on one and served by the other (see suites/attachments.ts). */
import { withBackends } from './helpers/backends.js';
import { startInstances } from './helpers/cluster.js';
import { suiteCleanup, type TestServer } from './helpers/server.js';
import { attachmentsSuite } from './suites/attachments.js';
import { UNLIMITED } from './suites/chat.js';

const NAME = 'attachments and search (two instances, PostgreSQL, Redis)';

withBackends(NAME, { postgres: true, redis: true }, () => {
  attachmentsSuite(
    NAME,
    async (t, env) => {
      const [a, b] = (await startInstances(t, 2, { ...UNLIMITED, ...env })) as [TestServer, TestServer];
      return { a, b };
    },
    suiteCleanup(),
  );
});
