/**
 * Entry point: settings from the environment → one Tandem instance → listen; SIGTERM/SIGINT
 * → drain and exit 0, or, when draining takes longer than SHUTDOWN_TIMEOUT_MS (a stalled
 * backend), exit 1 then, cutting what is left.
 */
import { createTandem } from './app.js';
import { resolve } from 'node:path';
import { ConfigError, loadConfig, type Config } from './config.js';

/** A configuration problem, found by loadConfig or at start (a refused admin password), exits 2 with its message. */
function exitOnConfigError(error: unknown): never {
  if (error instanceof ConfigError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(2);
  }
  throw error;
}

/** A host a browser can open: an unspecified address (all interfaces) is reached on this machine as localhost. */
function linkHost(host: string): string {
  if (host === '0.0.0.0' || host === '::' || host === '') return 'localhost';
  return host.includes(':') ? `[${host}]` : host;
}

/** Where the data is, without credentials: the SQLite file's full path, or PostgreSQL's host and database. */
function whereDataIs(database: Config['database']): string {
  if (database.kind === 'sqlite') return `${resolve(database.path)} (SQLite)`;
  const url = new URL(database.url);
  return `PostgreSQL at ${url.host}${url.pathname}`;
}

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    exitOnConfigError(error);
  }
  const tandem = await createTandem(config).catch(exitOnConfigError);
  const address = await tandem.listen();
  const base = `http://${linkHost(config.host)}:${address.port}`;
  const log = tandem.http.log;
  log.info({ host: address.address, port: address.port, database: config.database.kind, layer: config.layer.kind }, `Tandem is listening on ${base}`);
  log.info({ data: whereDataIs(config.database) }, `data: ${whereDataIs(config.database)}`);
  if (tandem.setupToken !== null) {
    // The link is the secret: it is printed once, here, and is good for one admin within the hour.
    const link = `${base}/setup?token=${tandem.setupToken}`;
    const advice = `No admin yet. Open this link to create the first admin (once, within an hour): ${link}`;
    // A LOG_LEVEL above warn must not hide the only way in.
    if (['trace', 'debug', 'info', 'warn'].includes(log.level)) log.warn({ setup_link: link }, advice);
    else process.stderr.write(`${advice}\n`);
  }

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    tandem.http.log.info({ signal }, 'stopping');
    // Sockets still open are cut by the exit; clients resume with `?after=` and resend by client_id.
    setTimeout(() => {
      tandem.http.log.error({ timeoutMs: config.shutdownTimeoutMs }, 'shutdown did not finish in time; exiting');
      process.exit(1);
    }, config.shutdownTimeoutMs).unref();
    tandem.close().then(
      () => process.exit(0),
      (error: unknown) => {
        tandem.http.log.error({ err: error }, 'error while stopping');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((error: unknown) => {
  process.stderr.write(`Tandem failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
