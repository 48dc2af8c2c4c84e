/** Attachments and search on one instance with SQLite (see suites/attachments.ts). */
import { startServer, suiteCleanup } from './helpers/server.js';
import { attachmentsSuite } from './suites/attachments.js';
import { UNLIMITED } from './suites/chat.js';

attachmentsSuite(
  'attachments and search (SQLite)',
  async (t, env) => {
    const server = await startServer(t, { ...UNLIMITED, ...env });
    return { a: server, b: server };
  },
  suiteCleanup(),
);
