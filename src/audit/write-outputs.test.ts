import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { TicketRecord } from '../domain/index.ts';
import type { Store } from '../store/index.ts';
import { openSqliteStore } from '../store/sqlite/index.ts';
import { aMessage, aTicket, T0 } from '../store/test-builders.ts';
import { loadExclusionRules } from './exclusions.ts';
import { type AuditResult, runAudit } from './run-audit.ts';
import { writeAuditOutputs } from './write-outputs.ts';

const PERSONAL = [
  'card 4111 1111 1111 1111 cvv 123',
  'email ann.lee@example.com',
  'phone +44 20 7946 0958',
  'SSN 123-45-6789',
];
const LEAKS = [/4111 1111 1111 1111/, /cvv 123/, /ann\.lee@example\.com/, /7946 0958/, /123-45-6789/];

let store: Store | undefined;
const dirs: string[] = [];
afterEach(async () => {
  await store?.close();
  store = undefined;
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function auditOf(category: string, texts: string[]): Promise<AuditResult> {
  store = await openSqliteStore({ path: ':memory:' });
  const tickets: TicketRecord[] = texts.map((text, i) =>
    aTicket({
      externalId: String(i),
      category,
      tags: [],
      subject: null,
      createdAt: T0 + i * 3_600_000,
      messages: [
        aMessage({ body: text, createdAt: T0 + i * 3_600_000 }),
        aMessage({
          authorRole: 'agent',
          authorId: 'a',
          body: 'Done.',
          createdAt: T0 + i * 3_600_000 + 60_000,
        }),
      ],
    }),
  );
  await store.upsertTickets(tickets, { origin: 'test' });
  return runAudit({ store, exclusions: loadExclusionRules() });
}

function written(result: AuditResult, options: { redact?: boolean } = {}): Record<string, string> {
  const dir = mkdtempSync(join(tmpdir(), 'audit-out-'));
  dirs.push(dir);
  const files = writeAuditOutputs(result, dir, new Date(T0), options);
  return Object.fromEntries(files.map((f) => [f.slice(dir.length + 1), readFileSync(f, 'utf8')]));
}

describe('audit outputs and personal data', () => {
  it('redact customer texts in report.html and opportunities.json by default', async () => {
    const result = await auditOf(
      'billing',
      PERSONAL.map((p) => `Please update my details, ${p}`),
    );
    expect(result.categories[0]?.representativeTexts.length).toBeGreaterThan(0);
    const out = written(result);
    expect(out['report.html']).toContain('What customers write');
    expect(out['report.html']).toMatch(/\[card ending 1111\]|\[email\]|\[phone\]|\[national id\]/);
    for (const [name, text] of Object.entries(out))
      for (const leak of LEAKS) expect(text, name).not.toMatch(leak);
  });

  it('keep them as written when redaction is off', async () => {
    const result = await auditOf(
      'billing',
      PERSONAL.map((p) => `Please update my details, ${p}`),
    );
    const json = written(result, { redact: false })['opportunities.json'] ?? '';
    const samples = result.categories[0]?.representativeTexts ?? [];
    for (const s of samples) expect(json).toContain(JSON.stringify(s).slice(1, -1));
  });
});

describe('opportunity-map.csv', () => {
  it('neutralises cells a spreadsheet would run as a formula', async () => {
    const result = await auditOf('=HYPERLINK("http://evil.example","x")', [
      'where is my parcel',
      'parcel late',
    ]);
    const csv = written(result)['opportunity-map.csv'] ?? '';
    const row = csv.split('\r\n')[1] ?? '';
    expect(row).toMatch(/^1,"'=HYPERLINK\(""http:\/\/evil\.example"",""x""\)",/);
    for (const line of csv.split('\r\n'))
      for (const cell of line.split(',')) expect(cell.replace(/^"/, '')).not.toMatch(/^[=+@\t\r]/);
  });
});

describe('report.md', () => {
  it('escapes Markdown and HTML in category names', async () => {
    const result = await auditOf('**Bold** <img src=x onerror=alert(1)> [link](http://evil.example) | x', [
      'where is my parcel',
      'parcel late',
    ]);
    const md = written(result)['report.md'] ?? '';
    expect(md).not.toMatch(/(?<!\\)<img/);
    expect(md).not.toMatch(/(?<!\\)\]\(http/);
    expect(md).toContain(
      '\\*\\*Bold\\*\\* \\<img src=x onerror=alert(1)\\> \\[link\\](http://evil.example) \\| x',
    );
  });
});
