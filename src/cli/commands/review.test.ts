import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCommand } from '../testing.ts';
import { registerReview } from './review.ts';

const dir = mkdtempSync(join(tmpdir(), 'sb-review-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('switchboard review', () => {
  it('writes the week of an empty store, and refuses a bad --day with exit code 2', async () => {
    const db = join(dir, 'empty.db');
    const out = join(dir, 'out');
    const ok = await runCommand(
      registerReview,
      ['review', '--db', db, '--day', '2026-12-07', '--out', out],
      dir,
    );
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/^# Weekly review 2026-12-01 to 2026-12-07/);
    expect(ok.stdout).toContain('No automated conversation was escalated.');
    const bad = await runCommand(registerReview, ['review', '--db', db, '--day', '7 Dec'], dir);
    expect(bad).toMatchObject({ code: 2, stderr: expect.stringContaining('--day is a date, YYYY-MM-DD') });
  });
});
