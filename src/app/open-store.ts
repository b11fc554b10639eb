import type { Clock, Logger } from '../shared/index.ts';
import type { Store } from '../store/index.ts';
import { openPostgresStore } from '../store/postgres/index.ts';
import { openSqliteStore } from '../store/sqlite/index.ts';

export interface OpenStoreOptions {
  /** `--db PATH`: a SQLite file, `:memory:`, or a postgres:// URL. */
  db?: string;
  /** DATABASE_URL from the environment, read by the CLI and passed here. */
  databaseUrl?: string;
  /** PostgreSQL schema to use (tests use a fresh one per run). */
  schema?: string;
  clock?: Clock;
  logger?: Logger;
  /** PostgreSQL: how often jobs of a process that died are looked for. */
  jobRecoveryIntervalSeconds?: number;
  /** SQLite: WAL checkpoints on a thread of their own (a long-running service) or inside commits (default). */
  checkpoints?: 'inline' | 'background';
}

export const DEFAULT_DB_PATH = './switchboard.db';

const isPostgresUrl = (s: string) => /^postgres(ql)?:\/\//i.test(s);

/**
 * The one place that picks a store implementation: `--db` wins, then a postgres `DATABASE_URL`, then the
 * default SQLite file `./switchboard.db`.
 */
export async function openStore({
  db,
  databaseUrl,
  schema,
  clock,
  logger,
  jobRecoveryIntervalSeconds,
  checkpoints,
}: OpenStoreOptions = {}): Promise<Store> {
  const target = db ?? (databaseUrl && isPostgresUrl(databaseUrl) ? databaseUrl : DEFAULT_DB_PATH);
  if (isPostgresUrl(target)) {
    return openPostgresStore({
      url: target,
      ...(schema ? { schema } : {}),
      ...(clock ? { clock } : {}),
      ...(logger ? { logger } : {}),
      ...(jobRecoveryIntervalSeconds ? { jobRecoveryIntervalSeconds } : {}),
    });
  }
  return openSqliteStore({
    path: target,
    ...(clock ? { clock } : {}),
    ...(checkpoints ? { checkpoints } : {}),
  });
}
