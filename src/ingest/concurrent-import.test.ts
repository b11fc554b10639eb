import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { writeDemoFile } from '../demo/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'sb-concurrent-import-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const bin = resolve(import.meta.dirname, '../../bin/switchboard.js');

function run(args: string[]): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  return new Promise((done) => child.once('exit', (code) => done({ code, stderr })));
}

describe('two imports into one SQLite file at once', () => {
  it('both finish: the second writer waits for each batch of the first (it used to die with "database is locked")', async () => {
    const [a, b, db] = [join(dir, 'a.csv'), join(dir, 'b.csv'), join(dir, 'both.db')];
    await writeDemoFile({ tickets: 6000, seed: 1, out: a, format: 'generic' });
    await writeDemoFile({ tickets: 6000, seed: 2, out: b, format: 'generic' });
    const results = await Promise.all([
      run(['import', a, '--db', db, '--batch-size', '100', '--source', 'a']),
      run(['import', b, '--db', db, '--batch-size', '100', '--source', 'b']),
    ]);
    expect(results).toEqual([
      { code: 0, stderr: '' },
      { code: 0, stderr: '' },
    ]);
    const raw = new Database(db, { readonly: true });
    try {
      const rows = raw
        .prepare('select source, count(*) as n from tickets group by source order by source')
        .all();
      expect(rows).toEqual([
        { source: 'a', n: 6000 },
        { source: 'b', n: 6000 },
      ]);
    } finally {
      raw.close();
    }
  }, 60_000);
});
