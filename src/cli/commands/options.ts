import { openStore } from '../../app/index.ts';
import { UserError } from '../../shared/index.ts';
import type { CliIo } from '../io.ts';

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

export function parseInteger(value: string, flag: string): number {
  const n = Number(value);
  if (!/^-?\d+$/.test(value) || !Number.isSafeInteger(n)) {
    throw new UserError('cli.bad_option', `expected a whole number, got "${value}"`, { field: flag });
  }
  return n;
}
