import {
  accessSync,
  closeSync,
  constants,
  mkdirSync,
  openSync,
  rmdirSync,
  type Stats,
  statSync,
  unlinkSync,
} from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import type { Command } from 'commander';
import {
  createLogger,
  type Deployment,
  loadDeploymentConfig,
  logLevelFromEnv,
  type OpenDeploymentProps,
  openDeployment,
  openStore,
  storeTarget,
} from '../../app/index.ts';
import { DEFAULT_CONFIG_FILE } from '../../config/index.ts';
import type { IntentModel } from '../../nlu/index.ts';
import { type Logger, UserError } from '../../shared/index.ts';
import type { Store } from '../../store/index.ts';
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
  extra: Pick<OpenDeploymentProps, 'workflowCheck'> & {
    /** Changes the props last (`switchboard simulate`: its clock and its simulated helpdesk channel). */
    adjust?: (props: OpenDeploymentProps) => OpenDeploymentProps;
  } = {},
): Promise<Deployment> {
  const { config, baseDir, configFile } = loadDeploymentConfig({ option: opts.config, cwd: io.cwd });
  const { adjust = (p: OpenDeploymentProps) => p, ...rest } = extra;
  return openDeployment(
    adjust({
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
      logger: logger ?? commandLogger(io),
      ...rest,
    }),
  );
}

/**
 * The logger of a command that is not a service (`chat`, `replay`, `start`): JSON lines on the command's stderr,
 * at `SWITCHBOARD_LOG_LEVEL`, else `warn` (a terminal session shows what went wrong, not every job), through the
 * same redaction as the services' (createLogger).
 */
export function commandLogger(io: CliIo): Logger {
  const level = io.env.SWITCHBOARD_LOG_LEVEL?.trim() ? logLevelFromEnv(io.env) : 'warn';
  return createLogger({ level, destination: io.stderr as NodeJS.WritableStream });
}

/** The `--db` help of every command that opens a store: the same default everywhere. */
export const DB_HELP =
  'SQLite file or postgres:// URL (default: a postgres:// DATABASE_URL, else the store of ./switchboard.yaml, else ./switchboard.db)';

/** Adds `--config FILE` and `--db PATH`, the options of every subcommand that opens the deployment's store. */
export function withStoreOptions(command: Command): Command {
  return command
    .option('--config <file>', `deployment configuration (default: ./${DEFAULT_CONFIG_FILE} when it exists)`)
    .option('--db <path>', DB_HELP);
}

/** The `--model` help of every command that reads a model: the same default everywhere. */
export const MODEL_HELP = "an NLU model file (default: the store's active model)";

/** What to run when there is no store yet. */
export const CREATE_STORE_HINT =
  'import your tickets with `switchboard import FILE` (or run `npm start` for the demo), or pass --db PATH';

/**
 * Where a command's store is, the same place the deployment opens: `--db` (a SQLite path relative to the
 * working directory, `:memory:` or a postgres:// URL), else a PostgreSQL DATABASE_URL, else the store of
 * `--config FILE` or ./switchboard.yaml, else ./switchboard.db.
 */
export function storeLocation(opts: { db?: string; config?: string }, io: CliIo): string {
  const { config, baseDir } = loadDeploymentConfig({ option: opts.config, cwd: io.cwd });
  return storeTarget({
    config,
    baseDir,
    env: io.env,
    overrides: opts.db !== undefined ? { db: dbOption(opts.db, io.cwd) } : {},
  });
}

/**
 * For commands that only read a store: a SQLite file that does not exist is refused (opening it would create an
 * empty store and report zeros), with `hint` on how to make one. PostgreSQL and `:memory:` pass.
 */
export function requireStore(
  opts: { db?: string; config?: string },
  io: CliIo,
  hint: string = CREATE_STORE_HINT,
): void {
  if (!hasStore(opts, io)) {
    throw new UserError('store.missing', `no store here: ${hint}`, {
      file: shownPath(storeLocation(opts, io), io),
    });
  }
}

/** Whether the store of `storeLocation` exists (PostgreSQL and `:memory:` always do). */
export function hasStore(opts: { db?: string; config?: string }, io: CliIo): boolean {
  const location = storeLocation(opts, io);
  if (location === ':memory:' || /^[a-z][a-z0-9+.-]*:\/\//i.test(location)) return true;
  return statOf(location) !== undefined;
}

/** The store of `storeLocation`; `requireStore` first for a command that only reads it. */
export function openStoreFromOptions(opts: { db?: string; config?: string }, io: CliIo): Promise<Store> {
  return openStore({
    db: storeLocation(opts, io),
    ...(io.env.SWITCHBOARD_PG_SCHEMA ? { schema: io.env.SWITCHBOARD_PG_SCHEMA } : {}),
  });
}

/**
 * The NLU model a command uses: `--model FILE`, else the active model of the store (`storeLocation`), which is
 * what `chat`, `replay` and the service use. A UserError saying how to get one when there is none.
 */
export async function resolveModel(
  opts: { model?: string; db?: string; config?: string },
  io: CliIo,
): Promise<IntentModel> {
  // Loaded here, so that commands which never need a model do not load the NLU.
  const { parseModel, readModelFile } = await import('../../nlu/index.ts');
  if (opts.model !== undefined) {
    return readModelFile(resolve(io.cwd, opts.model));
  }
  const howTo =
    'pass --model FILE, or activate a model: run `npm start`, or `switchboard nlu train --from-store --activate`';
  requireStore(opts, io, howTo);
  const store = await openStoreFromOptions(opts, io);
  try {
    const artifact = await store.getArtifact('nlu-model', 'active');
    if (!artifact) {
      throw new UserError('nlu.no_model', `no active NLU model in the store: ${howTo}`, {
        file: shownPath(store.capabilities.location, io),
      });
    }
    return parseModel(artifact.content, `nlu-model v${artifact.version}`);
  } finally {
    await store.close();
  }
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

/** A path as the user would type it: relative to the working directory when inside it, else absolute. */
export function shownPath(path: string, io: CliIo): string {
  const rel = relative(io.cwd, path);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path;
}

/**
 * Checks, before any work, that the file an option names (`--out FILE`, `--model FILE`) can be written, and
 * returns its absolute path. Missing folders on the way are allowed (the writers create them) unless
 * `newFolders: false`; a device or a pipe is refused unless the command writes it in place (`inPlace`), since
 * writing beside it and renaming would replace it. Every refusal is one UserError naming the option.
 *
 * @example
 * const out = outputFile(opts.out, '--out', io); // before the store is opened
 */
export function outputFile(
  value: string,
  flag: string,
  io: CliIo,
  options: { inPlace?: boolean; newFolders?: boolean } = {},
): string {
  const path = resolve(io.cwd, value);
  const fail = outputFailure(value, flag);
  const existing = statOrFail(path, fail);
  if (existing?.isDirectory()) throw fail('it is a folder: name a file');
  if (/[\\/]$/.test(value)) throw fail('it ends with a slash: name a file');
  if (existing && !existing.isFile() && !options.inPlace) {
    throw fail('it is not a regular file (a device or a pipe)');
  }
  if (existing) {
    try {
      accessSync(path, constants.W_OK);
    } catch (error) {
      throw fail(reasonOf(error), error);
    }
  }
  const folder = dirname(path);
  if (options.newFolders === false && statOrFail(folder, fail) === undefined) {
    throw fail(`folder ${shownPath(folder, io)} does not exist`);
  }
  probeFolder(folder, fail, io);
  return path;
}

/**
 * Checks, before any work, that the folder an option names (`--out DIR`) can be written into, creating it if
 * needed (the check removes what it created); returns its absolute path.
 *
 * @example
 * const outDir = outputFolder(opts.out, '--out', io);
 */
export function outputFolder(value: string, flag: string, io: CliIo): string {
  const path = resolve(io.cwd, value);
  const fail = outputFailure(value, flag);
  const existing = statOrFail(path, fail);
  if (existing && !existing.isDirectory()) throw fail('it is a file, not a folder');
  probeFolder(path, fail, io);
  return path;
}

type OutputFailure = (why: string, cause?: unknown) => UserError;

function outputFailure(value: string, flag: string): OutputFailure {
  return (why, cause) =>
    new UserError('cli.bad_output', `cannot write ${value}: ${why}`, { field: flag }, { cause });
}

/**
 * Creates the missing folders up to `folder` one at a time, writes and removes a file in it, then removes the
 * folders it created. One level at a time on purpose: Node's recursive mkdir loops forever, at full CPU, when
 * the system answers ENOENT for a folder whose parent exists (any path under /proc, for one).
 */
function probeFolder(folder: string, fail: OutputFailure, io: CliIo): void {
  const missing: string[] = [];
  let at = folder;
  let found = statOrFail(at, fail);
  while (found === undefined) {
    missing.unshift(at);
    const parent = dirname(at);
    if (parent === at) throw fail(`no such folder: ${folder}`);
    at = parent;
    found = statOrFail(at, fail);
  }
  if (!found.isDirectory()) throw fail(`${shownPath(at, io)} is a file, not a folder`);
  const created: string[] = [];
  try {
    for (const dir of missing) {
      mkdirSync(dir);
      created.push(dir);
    }
    const probe = join(folder, `.switchboard-write-check-${process.pid}`);
    closeSync(openSync(probe, 'wx'));
    unlinkSync(probe);
  } catch (error) {
    throw fail(reasonOf(error), error);
  } finally {
    for (const dir of created.reverse()) rmdirSync(dir);
  }
}

function statOrFail(path: string, fail: OutputFailure): Stats | undefined {
  try {
    return statSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // A file in the middle of the path: the caller finds it on the way up and says so.
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw fail(reasonOf(error), error);
  }
}

function statOf(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

function reasonOf(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  switch (code) {
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EROFS':
      return 'the file system is read-only';
    case 'ENOSPC':
      return 'no space left on the device';
    case 'ELOOP':
      return 'too many symbolic links (a loop?)';
    case 'ENOENT':
      return 'folders cannot be created there';
    case 'EEXIST':
      return 'something is in the way';
    default:
      return code ?? String(error);
  }
}
