import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { memoryIo } from './io.ts';
import { main } from './main.ts';

const dir = mkdtempSync(join(tmpdir(), 'sb-cli-import-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const run = async (args: string[]) => {
  const m = memoryIo({}, dir);
  const code = await main(['node', 'switchboard', ...args], m.io);
  return { code, stdout: m.stdout(), stderr: m.stderr() };
};

const csv = (rows: string[]) =>
  ['id,subject,description,status,created_at,customer_email', ...rows].join('\n');

describe('switchboard import and stats', () => {
  it('imports a CSV, reports the counts, and adds nothing on a second run', async () => {
    const file = join(dir, 'tickets.csv');
    const db = join(dir, 'a.db');
    writeFileSync(
      file,
      csv([
        '1,Password,I forgot my password,solved,2026-03-02T09:00:00Z,a@example.com',
        '2,Where is my order,Order SB-1 has not arrived,open,2026-03-02T10:00:00Z,b@example.com',
      ]),
    );
    const first = await run(['import', file, '--db', db, '--json']);
    expect(first.code).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({ read: 2, imported: 2, updated: 0, rejected: 0 });
    const second = await run(['import', file, '--db', db, '--json']);
    expect(JSON.parse(second.stdout)).toMatchObject({ read: 2, imported: 0, updated: 0, unchanged: 2 });
    const stats = await run(['stats', '--db', db, '--json']);
    expect(JSON.parse(stats.stdout)).toMatchObject({ tickets: 2, customers: 2 });
  });

  it('updates a changed ticket instead of duplicating it', async () => {
    const db = join(dir, 'b.db');
    const file = join(dir, 'v1.csv');
    writeFileSync(file, csv(['7,Refund,Please refund me,open,2026-03-02T09:00:00Z,c@example.com']));
    await run(['import', file, '--db', db]);
    writeFileSync(file, csv(['7,Refund,Please refund me,solved,2026-03-02T09:00:00Z,c@example.com']));
    const again = await run(['import', file, '--db', db, '--json']);
    expect(JSON.parse(again.stdout)).toMatchObject({ imported: 0, updated: 1 });
    const stats = JSON.parse((await run(['stats', '--db', db, '--json'])).stdout);
    expect(stats.tickets).toBe(1);
    expect(stats.byStatus).toEqual({ resolved: 1 });
  });

  it('writes malformed rows to the rejects file with their line numbers and imports the rest', async () => {
    const db = join(dir, 'c.db');
    const file = join(dir, 'mixed.csv');
    writeFileSync(
      file,
      csv([
        '1,Fine,ok,open,2026-03-02T09:00:00Z,a@example.com',
        ',No id,missing id,open,2026-03-02T09:00:00Z,a@example.com',
        '3,Bad date,bad,open,not-a-date,a@example.com',
        '4,Fine too,ok,open,2026-03-02T09:00:00Z,a@example.com',
      ]),
    );
    const result = await run(['import', file, '--db', db, '--json', '--rejects', join(dir, 'rejects.jsonl')]);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ read: 4, imported: 2, rejected: 2 });
    const rejects = readFileSync(join(dir, 'rejects.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(rejects.map((r) => r.line)).toEqual([3, 4]);
    expect(rejects[1].raw).toContain('not-a-date');
    expect(rejects.every((r) => typeof r.reason === 'string' && r.reason.length > 0)).toBe(true);
  });

  it('exits 2 and writes nothing when the file is not the named format', async () => {
    const db = join(dir, 'never.db');
    const file = join(dir, 'plain.csv');
    writeFileSync(file, 'a,b\n1,2\n');
    const result = await run(['import', file, '--db', db, '--format', 'zendesk']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('plain.csv');
    expect(existsSync(db)).toBe(false);
  });

  it('exits 2 with a clear message for a missing file, an unknown format and a bad option', async () => {
    const missing = await run(['import', join(dir, 'nope.csv'), '--db', join(dir, 'x.db')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/nope\.csv: cannot read the file: no such file/);
    const file = join(dir, 'one.csv');
    writeFileSync(file, csv(['1,a,b,open,2026-03-02T09:00:00Z,a@example.com']));
    const unknown = await run(['import', file, '--format', 'nonsense', '--db', join(dir, 'x.db')]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/--format: unknown format "nonsense"/);
    const badMap = await run(['import', file, '--map', 'subject', '--db', join(dir, 'x.db')]);
    expect(badMap.code).toBe(2);
    expect(badMap.stderr).toMatch(/--map: expected field=column/);
    const badBatch = await run(['import', file, '--batch-size', 'lots', '--db', join(dir, 'x.db')]);
    expect(badBatch.code).toBe(2);
    expect(existsSync(join(dir, 'x.db'))).toBe(false);
  });

  it('prints stats as a table and as the JSON contract', async () => {
    const db = join(dir, 'd.db');
    const file = join(dir, 'stats.csv');
    writeFileSync(file, csv(['1,a,b,open,2026-03-02T09:00:00Z,a@example.com']));
    await run(['import', file, '--db', db]);
    const table = await run(['stats', '--db', db]);
    expect(table.stdout).toMatch(/tickets\s+1/);
    const json = JSON.parse((await run(['stats', '--db', db, '--json'])).stdout);
    expect(Object.keys(json)).toEqual(
      expect.arrayContaining([
        'tickets',
        'messages',
        'customers',
        'firstResponseSeconds',
        'resolutionSeconds',
      ]),
    );
    expect(Object.keys(json.firstResponseSeconds)).toEqual(['median', 'p90']);
  });
});
