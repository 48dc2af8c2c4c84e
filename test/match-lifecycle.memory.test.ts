/** The match lifecycle on the embedded default: one instance, SQLite, memory layer. */
import { loginAdmin } from './helpers/http.js';
import { startServer, suiteCleanup } from './helpers/server.js';
import { lifecycleSuite } from './suites/lifecycle.js';
import { UNLIMITED } from './suites/chat.js';

let offsetMs = 0;
lifecycleSuite(
  'match lifecycle (one instance, SQLite, memory layer)',
  async (cleanup) => {
    const server = await startServer(cleanup, UNLIMITED, { clock: () => new Date(Date.now() + offsetMs) });
    const admin = await loginAdmin(server.http);
    return { admin, side: () => server, advanceClock: (ms) => void (offsetMs += ms) };
  },
  suiteCleanup(),
);
