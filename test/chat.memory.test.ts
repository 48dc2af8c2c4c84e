/** The chat protocol on the embedded default: one instance, SQLite, memory layer. */
import { loginAdmin } from './helpers/http.js';
import { startServer, suiteCleanup } from './helpers/server.js';
import { chatSuite, UNLIMITED } from './suites/chat.js';

chatSuite(
  'chat protocol (one instance, SQLite, memory layer)',
  async (cleanup) => {
    const server = await startServer(cleanup, UNLIMITED);
    const admin = await loginAdmin(server.http);
    return { admin, side: () => server };
  },
  suiteCleanup(),
);
