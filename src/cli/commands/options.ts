import { resolve } from 'node:path';
import {
  type Deployment,
  loadDeploymentConfig,
  type OpenDeploymentProps,
  openDeployment,
  openStore,
} from '../../app/index.ts';
import { type Logger, UserError } from '../../shared/index.ts';
import type { CliIo } from '../io.ts';

/** The options every command that opens a deployment takes. */
export interface DeploymentOptions {
  config?: string;
  db?: string;
  model?: string;
  kb?: string;
  workflows?: string;
}

/**
 * The deployment of `--config FILE` (else ./switchboard.yaml when it exists), with the command line's
 * overrides: the one way a command opens the store, the model, the workflows and the connectors.
 */
export async function openDeploymentFromOptions(
  opts: DeploymentOptions,
  io: CliIo,
  logger?: Logger,
  extra: Pick<OpenDeploymentProps, 'workflowCheck'> = {},
): Promise<Deployment> {
  const { config, baseDir, configFile } = loadDeploymentConfig({ option: opts.config, cwd: io.cwd });
  return openDeployment({
    config,
    baseDir,
    configFile,
    env: io.env,
    overrides: {
      ...(opts.db !== undefined ? { db: dbOption(opts.db, io.cwd) } : {}),
      ...(opts.model !== undefined ? { modelFile: resolve(io.cwd, opts.model) } : {}),
      ...(opts.kb !== undefined ? { kbFile: resolve(io.cwd, opts.kb) } : {}),
      ...(opts.workflows !== undefined ? { workflowsDir: resolve(io.cwd, opts.workflows) } : {}),
    },
    ...(logger ? { logger } : {}),
    ...extra,
  });
}

/** `--db PATH` (SQLite file, `:memory:` or postgres:// URL), falling back to DATABASE_URL, then ./switchboard.db. */
export function openStoreFromOptions(opts: { db?: string }, io: CliIo) {
  return openStore({
    ...(opts.db !== undefined ? { db: opts.db } : {}),
    ...(io.env.DATABASE_URL ? { databaseUrl: io.env.DATABASE_URL } : {}),
    ...(io.env.SWITCHBOARD_PG_SCHEMA ? { schema: io.env.SWITCHBOARD_PG_SCHEMA } : {}),
  });
}

export function parsePositiveInt(value: string, flag: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n <= 0) {
    throw new UserError('cli.bad_option', `expected a positive whole number, got "${value}"`, {
      field: flag,
    });
  }
  return n;
}

export function parsePort(text: string): number {
  const port = Number(text);
  if (!/^\d+$/.test(text) || port > 65_535) {
    throw new UserError('cli.bad_option', `expected a port from 0 to 65535, got "${text}"`, {
      field: '--port',
    });
  }
  return port;
}

export function parseInteger(value: string, flag: string): number {
  const n = Number(value);
  if (!/^-?\d+$/.test(value) || !Number.isSafeInteger(n)) {
    throw new UserError('cli.bad_option', `expected a whole number, got "${value}"`, { field: flag });
  }
  return n;
}

/** A SQLite path relative to the working directory; `:memory:` and URLs as given. */
function dbOption(db: string, cwd: string): string {
  return db === ':memory:' || /^[a-z][a-z0-9+.-]*:\/\//i.test(db) ? db : resolve(cwd, db);
}
