/** Tandem started as a newcomer starts it: a child process, a fresh SQLite file, no admin. */
import { ADMIN } from './accounts.js';
import { startChild, type ChildServer } from './child.js';
import { tempDir, type Hooks } from './server.js';
import { until } from './wait.js';

/** The setup link in a child's output (JSON lines under a pipe), once it is there. */
export async function setupLinkOf(server: ChildServer): Promise<string> {
  let link = '';
  await until('the setup link to be printed', () => {
    const found = /"setup_link":"(http:\/\/[^"]+)"/.exec(server.output());
    link = found?.[1] ?? '';
    return link !== '';
  });
  return link;
}

/** A child on a fresh database with no admin and no TANDEM_ADMIN_*, logging at info (the level of the link). */
export async function startFirstRun(t: Hooks, env: Record<string, string> = {}): Promise<ChildServer & { link: string }> {
  const dir = tempDir(t);
  const server = await startChild(t, { DATABASE_URL: `sqlite:${dir}/tandem.db`, TANDEM_ADMIN_EMAIL: '', TANDEM_ADMIN_PASSWORD: '', LOG_LEVEL: 'info', ...env });
  return Object.assign(server, { link: await setupLinkOf(server) });
}

/** What the newcomer types into the setup page. */
export const FIRST_ADMIN = { email: 'coordinator@programme.test', password: ADMIN.password, first_name: 'Ada', last_name: 'Coordinator' } as const;
