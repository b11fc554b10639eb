import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EARLIEST_TIMESTAMP_MS, FUTURE_TOLERANCE_MS } from '../domain/index.ts';
import { seededRandom, UserError } from '../shared/index.ts';
import type { Store } from '../store/index.ts';
import { openPostgresStore } from '../store/postgres/index.ts';
import { dropTestSchema, testPostgresAvailable, testPostgresUrl } from '../store/postgres/testing.ts';
import { openSqliteStore } from '../store/sqlite/index.ts';
import { importers } from './formats/index.ts';
import type { Importer } from './importer.ts';
import { runImport, startReading } from './run-import.ts';
import { textSource } from './source.ts';

/**
 * A seeded fuzz test of every importer (issue 15): records of the project's own fixtures, mutated (a value
 * replaced by a hostile one, or a character deleted, inserted or changed), imported into a store. Whatever the
 * mutation: no crash (a file refused as a whole is a UserError, exit 2), every rejected record has a line and a
 * reason, what is stored is plausible (no NUL, times in range), and a single replaced value costs at most its own
 * record. Bounded: a few hundred small imports, a few seconds. Runs on SQLite, and on PostgreSQL when it answers.
 */
const pgAvailable = await testPostgresAvailable();
const dir = mkdtempSync(join(tmpdir(), 'sb-import-fuzz-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
// After every fixture's dates (the latest are in 2026).
const NOW = Date.UTC(2027, 0, 1);
const fixture = (name: string) =>
  readFileSync(resolve(import.meta.dirname, 'formats/fixtures', name), 'utf8');
const importer = (format: string) => importers.find((i) => i.format === format) as Importer;

const CASES: [format: string, file: string][] = [
  ['generic-csv', 'generic/tickets.csv'],
  ['generic-csv', 'generic/messages.csv'],
  ['generic-json', 'generic/tickets.json'],
  ['generic-json', 'generic/messages.jsonl'],
  ['zendesk', 'zendesk/export.jsonl'],
  ['zendesk', 'zendesk/api-page.json'],
  ['zendesk', 'zendesk/tickets.csv'],
  ['freshdesk', 'freshdesk/tickets.jsonl'],
  ['freshdesk', 'freshdesk/tickets.csv'],
  ['intercom', 'intercom/list-page.json'],
  ['helpscout', 'helpscout/page.json'],
  ['twcs', 'twcs/threads.csv'],
];

const pick = <T>(random: () => number, items: readonly T[]): T =>
  items[Math.floor(random() * items.length)] as T;

function deep(levels: number): unknown {
  let value: unknown = 1;
  for (let i = 0; i < levels; i++) value = { a: value };
  return value;
}

const HOSTILE: readonly unknown[] = [
  '\u0000',
  'a\u0000b',
  1e308,
  9_000_000_000_000_000,
  -1,
  0,
  '2025-02-30T10:00:00Z',
  '9999-12-31T00:00:00Z',
  '31-02-2021',
  '',
  null,
  true,
  [],
  {},
  'x'.repeat(100_000),
  '\ud800',
  '<script>alert(1)</script>',
  deep(3000),
];

/** Every leaf of a JSON value, as the path to it. */
function leaves(value: unknown, path: (string | number)[] = [], out: (string | number)[][] = []) {
  if (value !== null && typeof value === 'object') {
    for (const [key, child] of Object.entries(value)) {
      leaves(child, [...path, Array.isArray(value) ? Number(key) : key], out);
    }
  } else if (path.length > 0) out.push(path);
  return out;
}

function replaceAt(value: unknown, path: (string | number)[], next: unknown): void {
  let at = value as Record<string | number, unknown>;
  for (const key of path.slice(0, -1)) at = at[key] as Record<string | number, unknown>;
  at[path[path.length - 1] as string | number] = next;
}

const parses = (line: string) => {
  try {
    return typeof JSON.parse(line) === 'object';
  } catch {
    return false;
  }
};

/** One value of one record replaced by a hostile one: the text, and whether the file keeps its other records. */
function replaceValue(text: string, file: string, random: () => number): string {
  const hostile = pick(random, HOSTILE);
  if (file.endsWith('.jsonl')) {
    const lines = text.split('\n');
    const candidates = lines.map((l, i) => [l, i] as const).filter(([l]) => parses(l));
    const [line, i] = pick(random, candidates);
    const record = JSON.parse(line);
    replaceAt(record, pick(random, leaves(record)), hostile);
    lines[i] = JSON.stringify(record);
    return lines.join('\n');
  }
  if (file.endsWith('.json')) {
    const doc = JSON.parse(text);
    replaceAt(doc, pick(random, leaves(doc)), hostile);
    return JSON.stringify(doc, null, 1);
  }
  // CSV: one cell of one data row, quoted.
  const lines = text.split('\n');
  const i = 1 + Math.floor(random() * (lines.filter((l) => l !== '').length - 1));
  const cells = (lines[i] as string).split(',');
  const shown = typeof hostile === 'string' ? hostile : JSON.stringify(hostile);
  cells[Math.floor(random() * cells.length)] = `"${shown.replaceAll('"', '""')}"`;
  lines[i] = cells.join(',');
  return lines.join('\n');
}

/** A character deleted, inserted (NUL, a quote, a brace, a newline...) or changed somewhere after the first line. */
function mutateText(text: string, random: () => number): string {
  const from = text.indexOf('\n') + 1;
  const at = from + Math.floor(random() * (text.length - from));
  const inserted = pick(random, ['\u0000', '"', '{', '}', '[', ',', '\n', '\\', '\ufffd', 'é', ' ', '9']);
  switch (Math.floor(random() * 4)) {
    case 0:
      return text.slice(0, at) + text.slice(at + 1);
    case 1:
      return text.slice(0, at) + inserted + text.slice(at);
    case 2:
      return text.slice(0, at) + inserted + text.slice(at + 1);
    default:
      return text.slice(0, at);
  }
}

let runs = 0;
async function importInto(store: Store, format: string, text: string) {
  const source = `fuzz-${++runs}`;
  const rejectsPath = join(dir, `${source}.rejects.jsonl`);
  try {
    const batches = await startReading(importer(format), textSource(text, 'fuzz'), {
      mapping: {},
      batchSize: 3,
      nowMs: NOW,
      source,
    });
    const summary = await runImport({ store, batches, format, rejectsPath, origin: 'fuzz' });
    const lines: Record<string, unknown>[] = summary.rejectsFile
      ? readFileSync(summary.rejectsFile, 'utf8')
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l))
      : [];
    const stored = await store.listTickets({ limit: 10_000, source, withMessages: true });
    return { refused: null, summary, lines, stored };
  } catch (error) {
    if (error instanceof UserError) return { refused: error, summary: null, lines: [], stored: [] };
    throw error;
  }
}

function checkInvariants(result: Awaited<ReturnType<typeof importInto>>, label: string) {
  for (const line of result.lines) {
    expect(line.line, `${label}: ${JSON.stringify(line).slice(0, 300)}`).toBeGreaterThanOrEqual(1);
    expect(typeof (line.reason ?? line.warning), label).toBe('string');
    expect(String(line.reason ?? line.warning).length, label).toBeGreaterThan(0);
  }
  const latest = NOW + FUTURE_TOLERANCE_MS;
  for (const ticket of result.stored) {
    expect(JSON.stringify(ticket).includes('\\u0000'), `${label}: NUL stored`).toBe(false);
    for (const at of [ticket.createdAt, ...(ticket.messages ?? []).map((m) => m.createdAt)]) {
      expect(at >= EARLIEST_TIMESTAMP_MS && at <= latest, `${label}: time ${at} stored`).toBe(true);
    }
  }
}

const SEEDS_PER_CASE = 12;

for (const kind of ['sqlite', 'postgres'] as const) {
  describe.skipIf(kind === 'postgres' && !pgAvailable)(`fuzzed imports on ${kind}`, () => {
    let store: Store;
    const schema = `sb_fuzz_${process.pid}_${Date.now().toString(36)}`;
    beforeAll(async () => {
      store =
        kind === 'sqlite'
          ? await openSqliteStore({ path: ':memory:' })
          : await openPostgresStore({ url: testPostgresUrl, schema, poolSize: 2 });
    });
    afterAll(async () => {
      await store.close();
      if (kind === 'postgres') await dropTestSchema(schema);
    });

    // PostgreSQL: fewer seeds, the same kinds of mutation (each import is a few round trips).
    const seeds = kind === 'sqlite' ? SEEDS_PER_CASE : 4;
    for (const [format, file] of CASES) {
      it(`${format} ${file}: a replaced value costs at most its record; a damaged text never crashes`, async () => {
        const text = fixture(file);
        const baseline = await importInto(store, format, text);
        expect(baseline.refused, `${file} is refused unmutated`).toBeNull();
        const kept = baseline.stored.length;
        expect(kept).toBeGreaterThan(0);
        for (let seed = 1; seed <= seeds; seed++) {
          // A failure names the seed: the same seed gives the same mutations everywhere.
          const random = seededRandom(seed * 7919 + file.length);
          const replaced = replaceValue(text, file, random);
          const label = `${file} seed ${seed} (value)`;
          const result = await importInto(store, format, replaced);
          checkInvariants(result, label);
          if (!result.refused) expect(result.stored.length, label).toBeGreaterThanOrEqual(kept - 1);

          const damaged = mutateText(text, random);
          checkInvariants(await importInto(store, format, damaged), `${file} seed ${seed} (text)`);
        }
      }, 20_000);
    }
  });
}
