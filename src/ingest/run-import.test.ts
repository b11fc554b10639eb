import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { blankTicket } from '../domain/index.ts';
import type { Store } from '../store/index.ts';
import { openSqliteStore } from '../store/sqlite/index.ts';
import { genericCsvImporter } from './formats/generic-csv.ts';
import { genericJsonImporter } from './formats/generic-json.ts';
import type { Importer } from './importer.ts';
import { runImport, startReading } from './run-import.ts';
import { textSource } from './source.ts';

const dir = mkdtempSync(join(tmpdir(), 'sb-run-import-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let store: Store;
beforeEach(async () => {
  store = await openSqliteStore({ path: ':memory:' });
});
afterEach(() => store.close());

let files = 0;
async function importText(importer: Importer, text: string) {
  const rejectsPath = join(dir, `${++files}.rejects.jsonl`);
  const batches = await startReading(importer, textSource(text, 'input'), { mapping: {}, batchSize: 2 });
  const summary = await runImport({ store, batches, format: importer.format, rejectsPath, origin: 'input' });
  const lines = summary.rejectsFile
    ? readFileSync(summary.rejectsFile, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l))
    : [];
  return { summary, lines };
}

describe('runImport: two versions of a ticket in one file', () => {
  const header = 'ticket_id,created_at,updated_at,subject,status';
  const newer = '7,2024-01-01T10:00:00Z,2024-01-03T10:00:00Z,Refund sent,closed';
  const older = '7,2024-01-01T10:00:00Z,2024-01-02T10:00:00Z,Refund asked,open';
  const other = '8,2024-01-01T11:00:00Z,2024-01-01T11:00:00Z,Other,open';

  // The two versions in one batch, and in two batches (batchSize 2: overlapping pages far apart in a file).
  for (const [name, rows] of [
    ['newer first', [newer, older]],
    ['older first', [older, newer]],
    ['older first, another batch', [older, other, newer]],
    ['newer first, another batch', [newer, other, older]],
  ] as const) {
    it(`keeps the newest updated_at (${name}), and a second import changes nothing`, async () => {
      const csv = [header, ...rows].join('\n');
      const first = await importText(genericCsvImporter, csv);
      expect(first.summary.imported).toBe(rows.length - 1);
      expect(await store.getTicket('generic', '7')).toMatchObject({
        subject: 'Refund sent',
        status: 'closed',
      });
      const events = (await store.stats()).events;

      const second = await importText(genericCsvImporter, csv);
      expect(second.summary).toMatchObject({ imported: 0, updated: 0, unchanged: rows.length - 1, older: 1 });
      expect((await store.stats()).events).toBe(events);
      expect(await store.getTicket('generic', '7')).toMatchObject({
        subject: 'Refund sent',
        status: 'closed',
      });
    });
  }
});

describe('runImport: warnings', () => {
  it('warns about an open ticket with a resolution time, and counts no resolution time for it', async () => {
    const { summary, lines } = await importText(
      genericCsvImporter,
      'ticket_id,created_at,status,resolution_hours\n1,2024-01-01 10:00:00,Open,5\n2,2024-01-01 10:00:00,Solved,5\n',
    );
    expect(summary).toMatchObject({ imported: 2, rejected: 0, warnings: 1 });
    expect(lines).toEqual([
      {
        line: 2,
        externalId: '1',
        warning: expect.stringMatching(/^status is open \("Open"\) but the export gives a resolution time/),
      },
    ]);
    expect((await store.getTicket('generic', '1'))?.resolutionSeconds).toBeNull();
    expect((await store.getTicket('generic', '2'))?.resolutionSeconds).toBe(5 * 3600);
  });

  it('warns about messages dated before their ticket and stores them in time order', async () => {
    const ticket = {
      id: 'J-1',
      created_at: '2024-01-01T10:00:00Z',
      status: 'open',
      messages: [
        { author_role: 'customer', body: 'opening', created_at: '2024-01-01T10:00:00Z' },
        { author_role: 'customer', body: 'sent the day before', created_at: '2023-12-31T10:00:00Z' },
      ],
    };
    const { summary, lines } = await importText(genericJsonImporter, JSON.stringify([ticket]));
    expect(summary).toMatchObject({ imported: 1, warnings: 1 });
    expect(lines).toEqual([
      {
        line: expect.any(Number),
        externalId: 'J-1',
        warning:
          '1 message is dated before the ticket was created (2024-01-01T10:00:00.000Z): kept, in time order',
      },
    ]);
    const stored = await store.getTicket('generic', 'J-1');
    expect(stored?.messages?.map((m) => m.body)).toEqual(['sent the day before', 'opening']);
  });

  it("counts and writes the importer's own warnings without rejecting the ticket", async () => {
    const importer: Importer = {
      format: 'fake',
      description: 'one ticket with a warning',
      detect: () => false,
      async *read() {
        yield { kind: 'reject', line: 1, reason: 'no id', raw: '{}' };
        yield {
          kind: 'ticket',
          line: 2,
          ticket: blankTicket('fake', 'F-1', Date.UTC(2024, 0, 1)),
          warnings: ["thread 3 has no time: given the conversation's"],
        };
      },
    };
    const { summary, lines } = await importText(importer, '');
    expect(summary).toMatchObject({ read: 2, imported: 1, rejected: 1, warnings: 1 });
    expect(lines).toEqual([
      { line: 1, reason: 'no id', raw: '{}' },
      { line: 2, externalId: 'F-1', warning: "thread 3 has no time: given the conversation's" },
    ]);
  });
});
