/**
 * Builds one Tandem instance from its configuration: store, channel layer, hub, HTTP API and
 * WebSocket gateway on one port (and, with METRICS_PORT, the operators' listener on another). `close()` drains: the gateway stops, sockets close with
 * 1001, pending stores commit, then the backends close.
 */
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { originPolicy } from './auth/origin.js';
import { buildIdentifier } from './auth/methods.js';
import { passwordProblem } from './auth/password-policy.js';
import { hashPassword } from './auth/passwords.js';
import { DeliveryCheck } from './chat/delivery-check.js';
import { ChatGateway } from './chat/gateway.js';
import { Hub } from './chat/hub.js';
import { UserChannels } from './chat/user-channels.js';
import { ConfigError, type Config } from './config.js';
import { isAppError } from './errors.js';
import { CallerResolver } from './http/caller.js';
import { HandshakeGuard } from './http/handshake-guard.js';
import { revokeEverywhere } from './http/revocations.js';
import { buildHttp, buildOperatorHttp } from './http/server.js';
import { openLayer, type ChannelLayer } from './layer/index.js';
import { instrumentStore, recordLayerReconnect, trackOpenConnections } from './metrics.js';
import { createFilter, parseWordList, type CountryCode, type MessageFilter } from './moderation/filter.js';
import { openPresence, type PresenceRegistry } from './presence/index.js';
import { CloseCode } from './protocol/close-codes.js';
import { openStore, type Store } from './store/index.js';
import { startRetentionJobs } from './store/retention-jobs.js';
import { AtRiskJob } from './programme/at-risk-job.js';
import { WebhookSender } from './webhooks/sender.js';
import { WordListSync } from './http/word-list-sync.js';
import { BackupSchedule } from './operations/backup-schedule.js';
import { ErasureLog } from './operations/erasure-log.js';
import { replayErasures } from './operations/erasure-replay.js';
import { SetupGate } from './auth/setup-token.js';

export interface Tandem {
  readonly config: Readonly<Config>;
  readonly http: FastifyInstance;
  /** The operators' listener on METRICS_PORT; `null` when it is not set. */
  readonly operator: FastifyInstance | null;
  readonly store: Store;
  readonly layer: ChannelLayer;
  readonly hub: Hub;
  /** The users' own channels, carrying their event streams' events. */
  readonly channels: UserChannels;
  readonly presence: PresenceRegistry;
  readonly gateway: ChatGateway;
  /** The at-risk job (PROTOCOL.md Part 9); tests run it themselves. */
  readonly atRisk: AtRiskJob;
  /** The scheduled backups (BACKUP_DIR); null when off. */
  readonly backups: BackupSchedule | null;
  /**
   * The first run's setup token, made at start when the store has no admin and no
   * `TANDEM_ADMIN_*` is set; null otherwise. `main` prints the link that carries it.
   */
  readonly setupToken: string | null;
  /** Starts listening; resolves with the bound address (port 0 picks a free one). */
  listen(): Promise<AddressInfo>;
  close(): Promise<void>;
}

export interface TandemOptions {
  /** Where log lines go (default: stdout). */
  logStream?: NodeJS.WritableStream;
  /** The time as the HTTP API sees it (the archive's age); tests move it forward. Default: the system clock. */
  clock?: () => Date;
}

/** While the store is unreachable at start, the configured admin is created on a later try. */
const ADMIN_RETRY_MS = 1000;

export async function createTandem(config: Readonly<Config>, options: TandemOptions = {}): Promise<Tandem> {
  let log: FastifyBaseLogger | undefined;
  // Timed and counted for /metrics; the engine itself is unchanged.
  const store = instrumentStore(
    await openStore(config.database, {
      timeoutMs: config.storeTimeoutMs,
      onRetry: (error) => log?.warn({ err: error }, 'the database is still unreachable; retrying'),
      outbox: config.webhooks && { unreadAfterMs: config.webhooks.unreadAfterMs },
    }),
  );
  const erasureLog = config.erasureLog === null ? null : new ErasureLog(config.erasureLog);
  // Before anything listens: a restored store must not serve someone erased since its backup.
  const replayed = erasureLog && (await replayErasures(store, erasureLog).catch(closeAndThrow(store)));
  let layer: ChannelLayer;
  let presence: PresenceRegistry;
  try {
    layer = await openLayer(config.layer);
  } catch (error) {
    await store.close();
    throw error;
  }
  try {
    presence = await openPresence(config.layer);
  } catch (error) {
    await layer.close();
    await store.close();
    throw error;
  }
  const hub = new Hub(layer);
  // Never handed a credential: only why one was refused, or why the platform failed.
  const identifier = buildIdentifier(config.identity, {
    store,
    onProblem: (message, details) => log?.warn(details ?? {}, message),
    onSessionsRevoked: (hashes) => revokeEverywhere(hub, hashes, (error) => log?.error({ err: error }, 'revocation broadcast failed')),
  });
  const callers = new CallerResolver(identifier, store, config);
  const channels = new UserChannels(layer);
  const clock = options.clock ?? (() => new Date());
  const setup = new SetupGate();
  const wordsFile = config.safeguarding.wordsFile === null ? '' : readFileSync(config.safeguarding.wordsFile, 'utf8');
  const filter = moderationFilter(config, wordsFile);
  const wordList = new WordListSync({ store, layer, filter, fileText: wordsFile, onError: (error, context) => log?.error({ err: error }, context) });
  const http = buildHttp({ store, layer, hub, channels, presence, config, callers, clock, wordList, erasureLog, setup }, { logStream: options.logStream });
  log = http.log;
  if (replayed && (replayed.applied > 0 || replayed.refusedLines.length > 0)) {
    http.log.warn(
      { applied: replayed.applied, logged: replayed.logged, refusedLines: replayed.refusedLines },
      'erasures of the erasure log applied again at start',
    );
  }
  const stopCountingConnections = trackOpenConnections(() => hub.connectionCount);
  const stopCountingReconnects = layer.onReconnect(recordLayerReconnect);
  const onError = (error: unknown, context: string) => http.log.error({ err: error }, context);
  const watcher = new HandshakeGuard(config.handshakeThrottle, config.trustProxy, http.log);
  const onWarning = (message: string, details: Record<string, unknown>) => http.log.warn(details, message);
  const gateway = new ChatGateway({
    store,
    identifier,
    hub,
    channels,
    presence,
    limits: config.chat,
    origins: originPolicy(config),
    watcher,
    onError,
    onWarning,
    filter,
    conversation: config.conversation,
  });
  const operator =
    config.metrics.port === null
      ? null
      : buildOperatorHttp({ store, layer, hub, channels, presence, config, callers, clock, wordList, erasureLog, setup }, http.log);
  wordList.start();
  gateway.attach(http.server);
  const retention = startRetentionJobs(store, config, onError);
  const atRisk = new AtRiskJob({ store, rules: config.programme, intervalMs: config.programme.checkIntervalMs, now: clock, onError });
  const deliveryCheck = new DeliveryCheck({ store: store.messages, rooms: () => hub.checkedRooms(), intervalMs: config.deliveryCheckIntervalMs, onError });
  const webhooks =
    config.webhooks &&
    new WebhookSender({
      store,
      config: config.webhooks,
      onError,
      onFailed: () => void channels.toAdmins('deliveries', (error) => onError(error, 'signalling admins')),
    });
  webhooks?.start();
  const backups =
    config.backups && config.database.kind === 'sqlite'
      ? new BackupSchedule({ database: config.database.path, ...config.backups, onError, onBackup: (result) => http.log.info(result, 'backed up') })
      : null;
  backups?.start();

  let closing: Promise<void> | undefined;
  let setupToken: string | null = null;
  let adminRetry: NodeJS.Timeout | undefined;
  // A database down at start must not stop Tandem: it serves, not ready, and the admin
  // is created once the database answers.
  const ensureAdmin = async (): Promise<void> => {
    try {
      await bootstrapAdmin(store, config);
      if (!config.admin && !(await hasAdmin(store))) setupToken = setup.open(clock());
    } catch (error) {
      if (!isAppError(error) || error.code !== 'unavailable') throw error;
      if (adminRetry === undefined) http.log.warn('the database is unreachable: serving, not ready, until it answers');
      if (!closing) adminRetry = setTimeout(() => void ensureAdmin().catch((e: unknown) => http.log.error({ err: e }, 'creating the admin')), ADMIN_RETRY_MS);
    }
  };

  const tandem: Tandem = {
    config,
    http,
    operator,
    store,
    layer,
    hub,
    channels,
    presence,
    gateway,
    atRisk,
    backups,
    get setupToken() {
      return setupToken;
    },
    async listen() {
      await http.listen({ host: config.host, port: config.port, backlog: config.connections.listenBacklog });
      if (operator) await operator.listen({ host: config.metrics.host, port: config.metrics.port! });
      return http.server.address() as AddressInfo;
    },
    close() {
      closing ??= (async () => {
        clearTimeout(adminRetry);
        await gateway.close(CloseCode.shutdown);
        await http.close();
        await operator?.close();
        deliveryCheck.stop();
        wordList.stop();
        retention.stop();
        atRisk.stop();
        await backups?.stop();
        await webhooks?.stop();
        hub.close();
        channels.close();
        stopCountingConnections();
        stopCountingReconnects();
        await presence.close();
        await layer.close();
        await store.close();
      })();
      return closing;
    },
  };
  // A TANDEM_ADMIN_PASSWORD the policy refuses stops the start, but only when the admin is to be made.
  await ensureAdmin().catch(async (error: unknown) => {
    await tandem.close();
    throw error;
  });
  return tandem;
}

/** Closes the store, then rethrows: for a start that fails once the store is open. */
function closeAndThrow(store: Store): (error: unknown) => Promise<never> {
  return async (error) => {
    await store.close();
    throw error;
  };
}

/** The filter of policy `moderated`, with MODERATION_WORDS_FILE read once at start; null under the other policies. */
function moderationFilter(config: Readonly<Config>, wordsFile: string): MessageFilter | null {
  const { policy, phoneCountries } = config.safeguarding;
  if (policy !== 'moderated') return null;
  const words = parseWordList(wordsFile);
  // The codes were checked against libphonenumber-js by loadConfig.
  return createFilter({ words, phoneCountries: phoneCountries as CountryCode[] });
}

/**
 * Creates the configured ADMIN unless a user with that email exists. The password policy is
 * applied only then: a policy tightened since the admin was made must not stop an upgrade
 * from starting (the admin's password is theirs to change, not the environment's).
 */
async function hasAdmin(store: Store): Promise<boolean> {
  return (await store.accounts.directory({ role: 'ADMIN', limit: 1 })).entries.length > 0;
}

async function bootstrapAdmin(store: Store, config: Readonly<Config>): Promise<void> {
  if (!config.admin || (await store.accounts.byEmail(config.admin.email))) return;
  const refused = passwordProblem(config.admin.password, { email: config.admin.email });
  if (refused !== null) throw new ConfigError([`TANDEM_ADMIN_PASSWORD is refused: ${refused}`]);
  try {
    await store.accounts.create({
      email: config.admin.email,
      passwordHash: await hashPassword(config.admin.password, config.passwordScryptN),
      firstName: 'Admin',
      lastName: '',
      role: 'ADMIN',
    });
  } catch (error) {
    // Another instance starting at the same moment created it first.
    if (!isAppError(error) || error.code !== 'email_taken') throw error;
  }
}
