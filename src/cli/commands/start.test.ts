import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { memoryIo } from '../io.ts';
import { main } from '../main.ts';

const dir = mkdtempSync(join(tmpdir(), 'sb-start-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('switchboard start', () => {
  it('loads the demo history into an empty store, audits it, and reuses it on a second run', async () => {
    const db = join(dir, 'start.db');
    const first = memoryIo({}, dir);
    expect(await main(['node', 'switchboard', 'start', '--db', db, '--tickets', '600'], first.io)).toBe(0);
    expect(first.stdout()).toMatch(/imported 600 tickets \(0 rejected\)/);
    expect(first.stdout()).toMatch(/tickets\s+600/);
    expect(first.stdout()).toMatch(/top opportunities:\n\s+1\. (password_reset|order_status)/);
    expect(existsSync(join(dir, '.switchboard', 'audit', 'report.html'))).toBe(true);

    const second = memoryIo({}, dir);
    expect(await main(['node', 'switchboard', 'start', '--db', db, '--tickets', '600'], second.io)).toBe(0);
    expect(second.stdout()).toContain('the store already holds tickets');
    expect(second.stdout()).toMatch(/tickets\s+600/);
  });

  it('exits 2 on a bad option', async () => {
    const m = memoryIo({}, dir);
    expect(await main(['node', 'switchboard', 'start', '--tickets', 'many'], m.io)).toBe(2);
    expect(m.stderr()).toContain('--tickets');
  });
});
