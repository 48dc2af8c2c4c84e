/** Held messages never reach the partner: one instance, SQLite and the memory layer (see suites/held.ts). */
import { loginAdmin } from './helpers/http.js';
import { startServer, suiteCleanup } from './helpers/server.js';
import { UNLIMITED } from './suites/chat.js';
import { heldSuite, MODERATED } from './suites/held.js';

heldSuite(
  'held messages (one instance)',
  async (cleanup) => {
    const server = await startServer(cleanup, { ...UNLIMITED, ...MODERATED });
    const admin = await loginAdmin(server.http);
    return { admin, side: () => server, store: server.tandem.store };
  },
  suiteCleanup(),
);
