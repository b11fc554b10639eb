import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sharedData } from './shared-data.ts';

describe('sharedData', () => {
  const dir = mkdtempSync(join(tmpdir(), 'shared-data-'));
  writeFileSync(join(dir, 'present.csv'), 'a\n');

  it('finds a file under the data directory', () => {
    expect(sharedData('present.csv', {}, dir)).toEqual({ path: join(dir, 'present.csv'), absent: undefined });
  });

  it('says why the tests skip when the file is missing', () => {
    expect(sharedData('missing.csv', {}, dir).absent).toBe(
      `skipped: ${join(dir, 'missing.csv')} is absent (set SWITCHBOARD_DATA to the data directory)`,
    );
  });

  it('fails instead of skipping when the data is required (CI)', () => {
    expect(() => sharedData('missing.csv', { SWITCHBOARD_REQUIRE_DATA: '1' }, dir)).toThrow(
      /SWITCHBOARD_REQUIRE_DATA=1 and the test data .*missing\.csv is absent/,
    );
    expect(sharedData('present.csv', { SWITCHBOARD_REQUIRE_DATA: '1' }, dir).absent).toBeUndefined();
  });
});
