import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Store } from '../store/index.ts';
import { openPostgresStore } from '../store/postgres/index.ts';
import { dropTestSchema, testPostgresAvailable, testPostgresUrl } from '../store/postgres/testing.ts';
import { openSqliteStore } from '../store/sqlite/index.ts';
import { genericCsvImporter } from './formats/generic-csv.ts';
import { genericJsonImporter } from './formats/generic-json.ts';
import type { Importer } from './importer.ts';
import { runImport, startReading } from './run-import.ts';
import { textSource } from './source.ts';

/**
 * Hostile input (issue 15): NUL characters, implausible time stamps and deeply nested records are screened the same
 * way for every format, so that both stores receive the same values and one bad record never stops an import.
 * Runs on SQLite in memory, and on PostgreSQL when it answers (see src/store/postgres/postgres-store.test.ts).
 */
const pgAvailable = await testPostgresAvailable();

const dir = mkdtempSync(join(tmpdir(), 'sb-import-limits-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const NOW = Date.UTC(2026, 0, 15);
const runId = `${process.pid}_${Date.now().toString(36)}`;
let counter = 0;

async function withStore(kind: 'sqlite' | 'postgres', use: (store: Store) => Promise<void>) {
  const schema = `sb_limits_${runId}_${++counter}`;
  const store =
    kind === 'sqlite'
      ? await openSqliteStore({ path: ':memory:' })
      : await openPostgresStore({ url: testPostgresUrl, schema, poolSize: 2 });
  try {
    await use(store);
  } finally {
    await store.close();
    if (kind === 'postgres') await dropTestSchema(schema);
  }
}

async function importText(store: Store, importer: Importer, text: string) {
  const rejectsPath = join(dir, `${++counter}.rejects.jsonl`);
  const batches = await startReading(importer, textSource(text, 'input'), {
    mapping: {},
    batchSize: 2,
    nowMs: NOW,
  });
  const summary = await runImport({ store, batches, format: importer.format, rejectsPath, origin: 'input' });
  const lines: { line: number; reason?: string; warning?: string }[] = summary.rejectsFile
    ? readFileSync(summary.rejectsFile, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l))
    : [];
  return { summary, lines };
}

const jsonl = (records: unknown[]) => records.map((r) => JSON.stringify(r)).join('\n');
const at = (day: number) => `2025-01-${String(day).padStart(2, '0')}T10:00:00Z`;

for (const kind of ['sqlite', 'postgres'] as const) {
  describe.skipIf(kind === 'postgres' && !pgAvailable)(`import limits on ${kind}`, () => {
    it('removes NUL characters from JSON text with a warning, and imports the rest of the file', async () => {
      await withStore(kind, async (store) => {
        const text = jsonl([
          { id: 1, created_at: at(1), subject: 'fine', description: 'ok' },
          {
            id: 2,
            created_at: at(2),
            subject: 'a\u0000b',
            description: 'x\u0000y\u0000z',
            tags: ['t\u0000'],
          },
          { id: 3, created_at: at(3), subject: 'after', description: 'ok' },
          { id: 4, created_at: at(4), subject: 'after too', description: 'ok' },
        ]);
        const { summary, lines } = await importText(store, genericJsonImporter, text);
        expect(summary).toMatchObject({ read: 4, imported: 4, rejected: 0, warnings: 3 });
        const ticket = await store.getTicket('generic', '2');
        expect(ticket?.subject).toBe('ab');
        expect(ticket?.tags).toEqual(['t']);
        expect(JSON.stringify(ticket)).not.toContain('\\u0000');
        expect(lines.map((l) => [l.line, l.warning])).toEqual([
          [2, 'removed 1 NUL character (U+0000) from subject'],
          [2, 'removed 1 NUL character (U+0000) from tags'],
          [2, 'removed 2 NUL characters (U+0000) from messages.body'],
        ]);
        expect(await store.getTicket('generic', '4')).toMatchObject({ subject: 'after too' });
      });
    });

    it('removes a raw 0x00 byte in a CSV field with a warning', async () => {
      await withStore(kind, async (store) => {
        const csv = `ticket_id,created_at,subject\n1,${at(1)},nul\u0000here\n2,${at(2)},after\n3,${at(3)},last\n`;
        const { summary, lines } = await importText(store, genericCsvImporter, csv);
        expect(summary).toMatchObject({ imported: 3, rejected: 0, warnings: 1 });
        expect((await store.getTicket('generic', '1'))?.subject).toBe('nulhere');
        expect(lines).toEqual([
          { line: 2, externalId: '1', warning: 'removed 1 NUL character (U+0000) from subject' },
        ]);
      });
    });

    it('rejects implausible and impossible time stamps with line and field, and keeps the good tickets', async () => {
      await withStore(kind, async (store) => {
        const text = jsonl([
          { id: 1, created_at: at(1), subject: 'good' },
          { id: 2, created_at: 9000000000000000, subject: 'far future' },
          { id: 3, created_at: 1e308, subject: 'huge' },
          { id: 4, created_at: '2025-02-30T10:00:00Z', subject: 'no such day' },
          { id: 5, created_at: '9999-01-01T00:00:00Z', subject: 'year 9999' },
          { id: 6, created_at: at(6), updated_at: '1970-01-01T00:00:00Z', subject: 'epoch zero' },
          {
            id: 7,
            created_at: at(7),
            subject: 'good too',
            messages: [{ author_role: 'agent', body: 'hi', created_at: 1e308 }],
          },
          { id: 8, created_at: at(8), subject: 'last' },
        ]);
        const { summary, lines } = await importText(store, genericJsonImporter, text);
        expect(summary).toMatchObject({ read: 8, imported: 2, rejected: 6 });
        expect(lines.map((l) => [l.line, l.reason])).toEqual([
          [2, expect.stringMatching(/^createdAt 9000000000000000 .*is not a plausible time/)],
          [3, expect.stringMatching(/^createdAt 1e\+308 is not a plausible time/)],
          [4, 'created_at "2025-02-30T10:00:00Z" is not a time stamp'],
          [5, expect.stringMatching(/^createdAt .*9999-01-01T00:00:00.000Z\) is not a plausible time/)],
          [6, expect.stringMatching(/^updatedAt 0 .*is not a plausible time/)],
          [
            7,
            'messages.0.createdAt 1e+308 is not a plausible time (before 1990-01-01 or more than a day ahead)',
          ],
        ]);
        expect((await store.getTicket('generic', '8'))?.subject).toBe('last');
        const audit = await store.getTicket('generic', '1');
        expect(new Date(audit?.createdAt ?? Number.NaN).toISOString()).toBe('2025-01-01T10:00:00.000Z');
      });
    });

    it('rejects a record nested 8,000 levels deep with its line, and imports the rest', async () => {
      await withStore(kind, async (store) => {
        const deep = `${'{"a":'.repeat(8000)}1${'}'.repeat(8000)}`;
        const text = [
          JSON.stringify({ id: 1, created_at: at(1), subject: 'before' }),
          `{"id":2,"created_at":"${at(2)}","subject":"deep","extra":${deep}}`,
          JSON.stringify({ id: 3, created_at: at(3), subject: 'after' }),
        ].join('\n');
        const { summary, lines } = await importText(store, genericJsonImporter, text);
        expect(summary).toMatchObject({ read: 3, imported: 2, rejected: 1 });
        expect(lines[0]).toMatchObject({
          line: 2,
          reason: expect.stringMatching(/nests more than 64 levels deep/),
        });
        expect((await store.getTicket('generic', '3'))?.subject).toBe('after');
      });
    });

    it('rejects a 200,000-deep JSON line and imports the rest', async () => {
      await withStore(kind, async (store) => {
        const deep = `${'['.repeat(200_000)}${']'.repeat(200_000)}`;
        const text = [
          JSON.stringify({ id: 1, created_at: at(1), subject: 'before' }),
          `{"id":2,"created_at":"${at(2)}","x":${deep}}`,
          JSON.stringify({ id: 3, created_at: at(3), subject: 'after' }),
        ].join('\n');
        const { summary, lines } = await importText(store, genericJsonImporter, text);
        expect(summary).toMatchObject({ imported: 2, rejected: 1 });
        expect(lines[0]).toMatchObject({ line: 2 });
        expect((await store.getTicket('generic', '3'))?.subject).toBe('after');
      });
    });
  });
}
