/**
 * The matrix `npm run bench` runs, one scenario after the other in one run, and the flags
 * that size it. Every traffic scenario has each mentee stream numbered messages to its
 * mentor through a window of unacknowledged sends for the same number of seconds; the
 * ceilings run under exactly that load, so every Tandem figure can be read against them.
 */
import type { BackendKind } from './backends.js';

/** What serves the scenario's sockets. */
export type ServerKind = 'relay' | 'relay-durable' | 'tandem';

export interface TrafficScenario {
  kind: 'traffic';
  name: string;
  title: string;
  server: ServerKind;
  /** Tandem's storage; the ceilings keep their own (relay-durable) or none (relay). */
  backend: BackendKind | null;
  instances: number;
  pairs: number;
  /** Sockets per user: the mentee sends from its first, every mentor tab must receive all. */
  tabs: number;
  /** Webhooks on, to a receiver in the bench process; the scenario ends once every stored message's `message.created` arrived. */
  webhooks: boolean;
  /** Settings of the Tandem instances on top of the bench's own (a policy, say). */
  env: Readonly<Record<string, string>>;
}

export interface ConnectionsScenario {
  kind: 'connections';
  name: string;
  title: string;
  sockets: number;
  /** Sockets per user (each user one session, like tabs of one browser). */
  socketsPerUser: number;
}

export type Scenario = TrafficScenario | ConnectionsScenario;

/** The scenario whose figures every other one is shown as a ratio of. */
export const DURABLE_CEILING = 'ceiling-durable';

/** How a run is sized. */
export interface MatrixOptions {
  quick: boolean;
  /** Seconds each traffic scenario sends for. */
  seconds: number;
  window: number;
  /** Load-client processes sharing the pairs (and the idle sockets). */
  clients: number;
  /** Idle sockets of the connections scenario. */
  sockets: number;
  /** Scenario names to run; empty: all. */
  only: string[];
  /** A scenario still running after this many seconds fails. */
  deadlineSeconds: number;
  /** Times the whole matrix runs, interleaved; the table shows each scenario's median round. */
  rounds: number;
}

export const FULL = { seconds: 10, sockets: 10_000 };
export const QUICK = { seconds: 1, sockets: 2_000 };

/** The matrix, in the order it runs: the ceilings first, then Tandem. */
export function scenarios(options: Pick<MatrixOptions, 'sockets'>): Scenario[] {
  const traffic = (
    name: string,
    title: string,
    server: ServerKind,
    backend: BackendKind | null,
    instances = 1,
    pairs = 50,
    tabs = 1,
    extra: Partial<Pick<TrafficScenario, 'webhooks' | 'env'>> = {},
  ): TrafficScenario => ({
    kind: 'traffic',
    name,
    title,
    server,
    backend,
    instances,
    pairs,
    tabs,
    webhooks: false,
    env: {},
    ...extra,
  });
  return [
    traffic('ceiling-bare', 'ceiling: ws relay, room index, nothing stored', 'relay', null),
    traffic(DURABLE_CEILING, 'ceiling: relay + SQLite group commit (FULL), echo after commit', 'relay-durable', null),
    traffic('sqlite', 'Tandem, 1 instance, SQLite', 'tandem', 'sqlite'),
    traffic('sqlite-webhooks', 'Tandem, 1 instance, SQLite, webhooks on', 'tandem', 'sqlite', 1, 50, 1, { webhooks: true }),
    // The bench's messages hold no contact details: nothing is held, this is the filter's cost.
    traffic('sqlite-moderated', 'Tandem, 1 instance, SQLite, CONVERSATION_POLICY=moderated', 'tandem', 'sqlite', 1, 50, 1, {
      env: { CONVERSATION_POLICY: 'moderated' },
    }),
    traffic('postgres', 'Tandem, 1 instance, PostgreSQL + Redis', 'tandem', 'postgres'),
    traffic('two-instances', 'Tandem, 2 instances, PostgreSQL + Redis', 'tandem', 'postgres', 2),
    traffic('two-instances-webhooks', 'Tandem, 2 instances, PostgreSQL + Redis, webhooks on', 'tandem', 'postgres', 2, 50, 1, { webhooks: true }),
    traffic('pairs-200', 'Tandem, SQLite, 200 pairs', 'tandem', 'sqlite', 1, 200),
    traffic('tabs-5', 'Tandem, SQLite, 50 pairs × 5 tabs per user', 'tandem', 'sqlite', 1, 50, 5),
    {
      kind: 'connections',
      name: 'connections',
      title: `Tandem, SQLite, ${options.sockets} idle authenticated sockets`,
      sockets: options.sockets,
      socketsPerUser: 10,
    },
  ];
}

const USAGE =
  'usage: npm run bench -- [--quick] [--only NAME,…] [--seconds S] [--window W] [--clients N] [--sockets N] [--deadline S] [--rounds N]\n' +
  `  scenarios: ${scenarios(FULL)
    .map((scenario) => scenario.name)
    .join(', ')}\n` +
  '  PostgreSQL and Redis from env BENCH_DATABASE_URL and BENCH_REDIS_URL (defaults: the local services)';

export class UsageError extends Error {
  constructor(message: string) {
    super(`${message}\n${USAGE}`);
  }
}

/** Reads the flags; `--quick` changes the defaults of `--seconds` and `--sockets`, which still win. */
export function parseMatrixArgs(argv: readonly string[]): MatrixOptions {
  const given: Partial<Record<'seconds' | 'window' | 'clients' | 'sockets' | 'deadlineSeconds' | 'rounds', number>> = {};
  const names = {
    '--seconds': 'seconds',
    '--window': 'window',
    '--clients': 'clients',
    '--sockets': 'sockets',
    '--deadline': 'deadlineSeconds',
    '--rounds': 'rounds',
  } as const;
  let quick = false;
  let only: string[] = [];
  for (let at = 0; at < argv.length; at++) {
    const [flag, inline] = argv[at]!.split('=', 2) as [string, string | undefined];
    if (flag === '--quick') {
      quick = true;
      continue;
    }
    if (flag === '--help') throw new UsageError('');
    const text = inline ?? argv[++at];
    if (flag === '--only') {
      only = (text ?? '').split(',').filter(Boolean);
      const known = scenarios(FULL).map((scenario) => scenario.name);
      const unknown = only.filter((name) => !known.includes(name));
      if (only.length === 0 || unknown.length > 0) throw new UsageError(`--only needs scenario names, got "${text ?? ''}"`);
      continue;
    }
    const key = names[flag as keyof typeof names];
    if (key === undefined) throw new UsageError(`unknown argument "${argv[at]}"`);
    if (text === undefined || !/^\d+$/.test(text) || Number(text) < 1) throw new UsageError(`${flag} needs a positive integer, got "${text ?? ''}"`);
    given[key] = Number(text);
  }
  const sized = quick ? QUICK : FULL;
  return { quick, only, seconds: sized.seconds, sockets: sized.sockets, window: 10, clients: 2, deadlineSeconds: 120, rounds: 1, ...given };
}
