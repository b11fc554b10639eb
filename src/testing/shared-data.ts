import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The public data sets some tests read (ABCD, Bitext, the TWCS sample), which are not part of the repository:
 * `SWITCHBOARD_DATA` when set, else `../shared/data` beside the repository. When a file is missing its tests
 * skip, saying why; with `SWITCHBOARD_REQUIRE_DATA=1` (`.ci/run` sets it, as it sets
 * `SWITCHBOARD_REQUIRE_PG`) a missing file fails the test file instead, so CI cannot pass by skipping.
 *
 * @example
 * const sample = sharedData('twcs-sample/twcs_head5000.csv');
 * describe.skipIf(sample.absent !== undefined)(`the TWCS sample (${sample.absent ?? sample.path})`, () => {});
 */
export const SHARED_DATA_DIR = process.env.SWITCHBOARD_DATA
  ? resolve(process.env.SWITCHBOARD_DATA)
  : fileURLToPath(new URL('../../../shared/data', import.meta.url));

export interface SharedDataFile {
  /** Absolute path of the file or directory. */
  path: string;
  /** Why the tests that need it skip; undefined when it is there. */
  absent: string | undefined;
}

/** `relative` under the data directory; throws when it is missing and the data is required. */
export function sharedData(
  relative: string,
  env: { SWITCHBOARD_REQUIRE_DATA?: string | undefined } = process.env,
  dir = SHARED_DATA_DIR,
): SharedDataFile {
  const path = join(dir, relative);
  if (existsSync(path)) return { path, absent: undefined };
  const absent = `skipped: ${path} is absent (set SWITCHBOARD_DATA to the data directory)`;
  if (env.SWITCHBOARD_REQUIRE_DATA === '1') {
    throw new Error(`SWITCHBOARD_REQUIRE_DATA=1 and the test data ${path} is absent: set SWITCHBOARD_DATA`);
  }
  return { path, absent };
}
