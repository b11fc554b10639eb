import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '../../app/index.ts';
import { runCommand } from '../testing.ts';
import { registerSimulate } from './simulate.ts';

const dir = mkdtempSync(join(tmpdir(), 'sb-simulate-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('switchboard simulate', () => {
  it('refuses bad numbers with exit code 2 and the option, before opening anything', async () => {
    const db = join(dir, 'none.db');
    for (const [args, message] of [
      [['--days', '0'], '--days'],
      [['--days', '61'], '--days is at most 60'],
      [['--per-day', 'many'], '--per-day'],
      [['--seed', '-1'], '--seed'],
    ] as const) {
      const r = await runCommand(registerSimulate, ['simulate', '--db', db, ...args], dir);
      expect(r).toMatchObject({ code: 2, stderr: expect.stringContaining(message) });
    }
  });

  it('says how to make a deployment when there is no store, or no model to answer with', async () => {
    const missing = await runCommand(registerSimulate, ['simulate', '--db', join(dir, 'missing.db')], dir);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/no store here: .*npm start/);
    const store = await openStore({ db: join(dir, 'empty.db') });
    await store.close();
    const noModel = await runCommand(
      registerSimulate,
      ['simulate', '--db', join(dir, 'empty.db'), '--days', '1'],
      dir,
    );
    expect(noModel.code).toBe(2);
    expect(noModel.stderr).toMatch(/no active NLU model: every customer would go straight to a person/);
  });
});
