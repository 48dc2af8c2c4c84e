/**
 * `npm run demo [-- --dir <folder>]`: Tandem with a demo programme in its own SQLite file
 * (`<folder>/demo.db`, default `./data/demo.db`), made afresh at every run, under the
 * `moderated` policy so that the safeguarding pages have something to show. It never
 * touches the store of DATABASE_URL: with DATABASE_URL set it refuses to run (exit 2).
 * Prints the address and every demo account's credentials; SIGINT/SIGTERM stop it.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createTandem } from '../app.js';
import { ConfigError, loadConfig } from '../config.js';
import { DEMO_ADMIN, DEMO_PEOPLE, seedDemo } from './programme.js';

function folderFrom(argv: readonly string[]): string {
  const at = argv.indexOf('--dir');
  if (at === -1) return resolve('data');
  const given = argv[at + 1];
  if (!given) throw new ConfigError(['--dir needs a folder']);
  return resolve(given);
}

async function main(): Promise<void> {
  if (process.env.DATABASE_URL?.trim()) {
    throw new ConfigError([
      'npm run demo keeps its own database (./data/demo.db, or --dir <folder>) and never touches the one DATABASE_URL names: unset DATABASE_URL to run the demo',
    ]);
  }
  const folder = folderFrom(process.argv.slice(2));
  const file = join(folder, 'demo.db');
  mkdirSync(folder, { recursive: true });
  // The demo's own file, and only it, is made afresh.
  for (const suffix of ['', '-wal', '-shm']) rmSync(file + suffix, { force: true });
  const config = loadConfig({
    ...process.env,
    DATABASE_URL: `sqlite:${file}`,
    REDIS_URL: '',
    WEBHOOK_URL: '',
    CONVERSATION_POLICY: 'moderated',
    LOG_LEVEL: process.env.LOG_LEVEL?.trim() || 'warn',
    TANDEM_ADMIN_EMAIL: DEMO_ADMIN.email,
    TANDEM_ADMIN_PASSWORD: DEMO_ADMIN.password,
  });
  const tandem = await createTandem(config);
  await seedDemo(tandem.store, config.passwordScryptN, new Date());
  const { port } = await tandem.listen();
  const base = `http://${config.host === '0.0.0.0' ? 'localhost' : config.host}:${port}`;
  const width = Math.max(...DEMO_PEOPLE.map((p) => p.email.length));
  const accounts = DEMO_PEOPLE.map((p) => `  ${p.role.padEnd(6)}  ${p.email.padEnd(width)}  ${p.password}`);
  process.stdout.write(
    [
      `Tandem demo at ${base}  (data: ${file}, made afresh at every run)`,
      `  chat page: ${base}/    admin page: ${base}/admin`,
      '',
      ...accounts,
      '',
      "Sam and Mia have Maria as their mentor, Leo has Tom; one of Leo's messages is held for review on the admin page.",
      'Ctrl+C stops it.',
      '',
    ].join('\n'),
  );
  const stop = () => void tandem.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`the demo failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
