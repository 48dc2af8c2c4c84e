/** PostgresStore's one transaction type, shared by its parts. */
import type pg from 'pg';

/** One transaction's connection (see `inTransaction`): what a helper that must run in its caller's transaction takes. */
export type PostgresTx = pg.PoolClient;
