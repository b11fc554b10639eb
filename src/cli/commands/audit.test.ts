import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { openStore } from '../../app/index.ts';
import { demoTicketToRecord, generateDemoTickets } from '../../demo/index.ts';
import { memoryIo } from '../io.ts';
import { reportError } from '../main.ts';
import { registerAudit } from './audit.ts';

async function run(args: string[], cwd: string) {
  const m = memoryIo({}, cwd);
  const program = new Command('switchboard')
    .exitOverride()
    .configureOutput({ writeErr: (s) => m.io.stderr.write(s) });
  registerAudit(program, m.io);
  let code = 0;
  try {
    await program.parseAsync(['node', 'switchboard', ...args]);
  } catch (error) {
    code = reportError(error, m.io);
  }
  return { code, stdout: m.stdout(), stderr: m.stderr() };
}

describe('switchboard audit', () => {
  const dir = mkdtempSync(join(tmpdir(), 'audit-cli-'));
  const db = join(dir, 'demo.db');

  it('writes every output for the demo history', async () => {
    const store = await openStore({ db });
    await store.upsertTickets([...generateDemoTickets({ tickets: 800, seed: 3 })].map(demoTicketToRecord), {
      origin: 'demo',
    });
    await store.close();
    const r = await run(['audit', '--db', db, '--out', 'out'], dir);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^audited 800 tickets in [\d.]+ s \(categories from labels\)/);
    const json = JSON.parse(readFileSync(join(dir, 'out', 'opportunities.json'), 'utf8')) as {
      team: { tickets: number };
    };
    expect(json.team.tickets).toBe(800);
    const schema = JSON.parse(readFileSync(join(dir, 'out', 'opportunities.schema.json'), 'utf8')) as {
      type: string;
    };
    expect(schema.type).toBe('object');
    expect(readFileSync(join(dir, 'out', 'opportunity-map.csv'), 'utf8')).toMatch(
      /^rank,ticket type,monthly volume,/,
    );
    expect(readFileSync(join(dir, 'out', 'report.html'), 'utf8')).toContain('<svg');
    expect(readFileSync(join(dir, 'out', 'goals.yaml'), 'utf8')).toContain('automatedResolutionRate: 0.8');
  }, 60_000);

  it('classifies with a taxonomy file', async () => {
    const tax = join(dir, 'taxonomy.yaml');
    writeFileSync(
      tax,
      [
        'buckets:',
        '  - name: passwords',
        '    examples: ["I forgot my password", "reset my password please", "cannot log in, password reset", "password link expired"]',
        '  - name: orders',
        '    examples: ["where is my order", "my parcel has not arrived", "track my order", "order status please"]',
        '',
      ].join('\n'),
    );
    const r = await run(['audit', '--db', db, '--taxonomy', tax, '--out', 'out-tax'], dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('categories from taxonomy');
    const json = JSON.parse(readFileSync(join(dir, 'out-tax', 'opportunities.json'), 'utf8')) as {
      categories: { category: string }[];
    };
    expect(json.categories.map((c) => c.category).sort()).toEqual(['orders', 'other', 'passwords']);
  }, 60_000);

  it('exits 2 naming the line of a bad taxonomy file, and on bad options', async () => {
    const tax = join(dir, 'bad.yaml');
    writeFileSync(
      tax,
      'buckets:\n  - name: a\n    examples: ["x", "y"]\n  - name: b\n    examples: ["only one"]\n',
    );
    const r = await run(['audit', '--db', db, '--taxonomy', tax, '--out', 'o'], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`error: ${tax}:5: buckets.1.examples: give at least two example phrases\n`);
    const d = await run(['audit', '--db', db, '--since', '2026-13-01', '--out', 'o'], dir);
    expect(d.code).toBe(2);
    expect(d.stderr).toContain('--since: expected a day as YYYY-MM-DD');
    expect((await run(['audit', '--db', db], dir)).code).toBe(2);
  });
});
