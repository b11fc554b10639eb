// npm run bench:import [-- --tickets N --pg-tickets N --keep]
// Generates a demo CSV (3 messages per ticket), imports it into a fresh SQLite file in a child process, then a
// smaller one into PostgreSQL (a fresh schema, dropped afterwards). Prints a table and one JSON line.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { writeDemoFile } from '../src/demo/index.ts';
import { genericCsvImporter } from '../src/ingest/formats/generic-csv.ts';
import { readBatches } from '../src/ingest/run-import.ts';
import { openFileSource } from '../src/ingest/source.ts';
import type { PreparedTicket } from '../src/store/index.ts';
import { MESSAGE_COLUMNS } from '../src/store/prepared.ts';
import { openSqliteStore } from '../src/store/sqlite/index.ts';

const args = process.argv.slice(2);
const flag = (name: string, fallback: number) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const sqliteTickets = flag('--tickets', 1_000_000);
const pgTickets = flag('--pg-tickets', 100_000);
const pgUrl = process.env.SWITCHBOARD_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const dir = mkdtempSync(join(tmpdir(), 'sb-bench-import-'));

interface Row {
  target: string;
  /** dist (compiled, as installed) or tsx (sources changed since the build). */
  runtime: string;
  tickets: number;
  messages: number;
  seconds: number;
  ticketsPerSecond: number;
  maxRssMb: number;
}

async function generate(tickets: number): Promise<{ file: string; messages: number; seconds: number }> {
  const file = join(dir, `demo-${tickets}.csv`);
  const t0 = performance.now();
  const written = await writeDemoFile({
    tickets,
    seed: 42,
    out: file,
    format: 'generic',
    messagesPerTicket: 3,
  });
  return { file, messages: written.messages, seconds: (performance.now() - t0) / 1000 };
}

function importInChild(file: string, db: string, env: NodeJS.ProcessEnv = process.env) {
  const out = execFileSync(process.execPath, ['bench/import-child.mjs', file, '--db', db], {
    env,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 16 * 1024 * 1024,
  });
  return JSON.parse(out.trim().split('\n').pop() ?? '{}') as {
    imported: number;
    rejected: number;
    elapsedMs: number;
    wallMs: number;
    maxRssMb: number;
    compiled: boolean;
  };
}

// The CLI as a user runs it: compiled (bin/load-main.js runs dist/ when it is current).
execFileSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
async function storeWritesAlone(file: string, tickets: number) {
  const batches: PreparedTicket[][] = [];
  let read = 0;
  for await (const batch of readBatches(genericCsvImporter, openFileSource(file), { mapping: {} })) {
    batches.push(batch.tickets);
    read += batch.tickets.length;
    if (read >= tickets) break;
  }
  const store = await openSqliteStore({ path: join(dir, 'writes-alone.db') });
  const t0 = performance.now();
  for (const batch of batches) await store.upsertPreparedTickets(batch, { origin: 'bench' });
  await store.close();
  const messages = batches.reduce(
    (sum, b) => sum + b.reduce((m, t) => m + t.messages.length / MESSAGE_COLUMNS.length, 0),
    0,
  );
  return { tickets: read, messages, seconds: (performance.now() - t0) / 1000 };
}

const rows: Row[] = [];
try {
  const big = await generate(sqliteTickets);
  const mb = statSync(big.file).size / 1e6;
  console.error(
    `generated ${sqliteTickets} tickets (${big.messages} messages, ${mb.toFixed(0)} MB) in ${big.seconds.toFixed(1)} s`,
  );
  const sqlite = importInChild(big.file, join(dir, 'bench.db'));
  if (sqlite.imported !== sqliteTickets || sqlite.rejected !== 0) {
    throw new Error(
      `SQLite import stored ${sqlite.imported} of ${sqliteTickets} tickets (${sqlite.rejected} rejected)`,
    );
  }
  rows.push({
    target: 'sqlite (file, WAL)',
    runtime: sqlite.compiled ? 'dist' : 'tsx',
    tickets: sqlite.imported,
    messages: big.messages,
    seconds: sqlite.wallMs / 1000,
    ticketsPerSecond: Math.round(sqlite.imported / (sqlite.wallMs / 1000)),
    maxRssMb: Math.round(sqlite.maxRssMb),
  });

  // The ceiling: the store's write path alone, on tickets read and prepared beforehand (not timed), so that
  // reading, parsing and hashing cost nothing. An import cannot go faster than this on one writer.
  const floor = await storeWritesAlone(big.file, Math.min(sqliteTickets, 200_000));
  rows.push({
    target: 'sqlite, store writes alone (prepared beforehand)',
    runtime: 'tsx',
    tickets: floor.tickets,
    messages: floor.messages,
    seconds: floor.seconds,
    ticketsPerSecond: Math.round(floor.tickets / floor.seconds),
    maxRssMb: Number.NaN,
  });

  const small = await generate(pgTickets);
  const schema = `sb_bench_${process.pid}`;
  try {
    const pgResult = importInChild(small.file, pgUrl, { ...process.env, SWITCHBOARD_PG_SCHEMA: schema });
    rows.push({
      target: 'postgresql (loopback)',
      runtime: pgResult.compiled ? 'dist' : 'tsx',
      tickets: pgResult.imported,
      messages: small.messages,
      seconds: pgResult.wallMs / 1000,
      ticketsPerSecond: Math.round(pgResult.imported / (pgResult.wallMs / 1000)),
      maxRssMb: Math.round(pgResult.maxRssMb),
    });
  } finally {
    const client = new pg.Client({ connectionString: pgUrl });
    await client.connect();
    await client.query(`drop schema if exists ${schema} cascade`);
    await client.end();
  }
} finally {
  if (!args.includes('--keep')) rmSync(dir, { recursive: true, force: true });
}

const targets = { sqliteTicketsPerSecond: 50_000, sqliteMaxRssMb: 300 };
console.log('');
console.log('| target | runtime | tickets | messages | seconds | tickets/s | peak RSS (MB) |');
console.log('| --- | --- | ---: | ---: | ---: | ---: | ---: |');
for (const r of rows) {
  console.log(
    `| ${r.target} | ${r.runtime} | ${r.tickets} | ${r.messages} | ${r.seconds.toFixed(1)} | ${r.ticketsPerSecond} | ${Number.isNaN(r.maxRssMb) ? '-' : r.maxRssMb} |`,
  );
}
const sqliteRow = rows[0]!;
const pass =
  sqliteRow.ticketsPerSecond >= targets.sqliteTicketsPerSecond &&
  sqliteRow.maxRssMb <= targets.sqliteMaxRssMb;
console.log(
  `targets: SQLite >= ${targets.sqliteTicketsPerSecond} tickets/s and <= ${targets.sqliteMaxRssMb} MB peak RSS: ${pass ? 'met' : 'NOT met'}`,
);
console.log(JSON.stringify({ bench: 'import', rows, targets, pass }));
