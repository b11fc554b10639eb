import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { writeDemoFile } from '../demo/index.ts';
import { memoryIo } from './io.ts';
import { main } from './main.ts';

const dir = mkdtempSync(join(tmpdir(), 'sb-crash-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const bin = resolve(import.meta.dirname, '../../bin/switchboard.js');

function countTickets(db: string): number {
  try {
    const raw = new Database(db, { readonly: true, fileMustExist: true });
    try {
      return (raw.prepare('select count(*) as n from tickets').get() as { n: number }).n;
    } finally {
      raw.close();
    }
  } catch {
    return 0;
  }
}

describe('an import killed with SIGKILL, then run again', () => {
  it('ends with every ticket exactly once', async () => {
    const tickets = 40_000;
    const file = join(dir, 'history.csv');
    const db = join(dir, 'crash.db');
    await writeDemoFile({ tickets, seed: 3, out: file, format: 'generic' });

    const child = spawn(process.execPath, [bin, 'import', file, '--db', db, '--batch-size', '500'], {
      stdio: 'ignore',
    });
    // Kill it once some batches have committed, and well before the end.
    let seen = 0;
    for (let i = 0; i < 600 && child.exitCode === null; i++) {
      await new Promise((r) => setTimeout(r, 50));
      seen = countTickets(db);
      if (seen >= 2000) break;
    }
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    expect(seen).toBeGreaterThan(0);
    expect(countTickets(db)).toBeLessThan(tickets);

    const m = memoryIo({}, dir);
    expect(await main(['node', 'switchboard', 'import', file, '--db', db, '--json'], m.io)).toBe(0);
    const summary = JSON.parse(m.stdout());
    expect(summary.imported + summary.unchanged).toBe(tickets);
    expect(summary.updated).toBe(0);

    const raw = new Database(db, { readonly: true });
    const count = (sql: string) => (raw.prepare(sql).get() as { n: number }).n;
    expect(count('select count(*) as n from tickets')).toBe(tickets);
    expect(count('select count(distinct external_id) as n from tickets')).toBe(tickets);
    expect(count("select count(*) as n from events where type = 'ticket.imported'")).toBe(tickets);
    expect(
      count(
        'select count(*) as n from tickets t where not exists (select 1 from messages m where m.ticket_id = t.id)',
      ),
    ).toBe(0);
    raw.close();
  }, 120_000);
});
