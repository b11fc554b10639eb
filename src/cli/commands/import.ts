import { readFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { Command } from 'commander';
import {
  chooseImporter,
  DATE_FORMATS,
  type DateFormat,
  type ImportSummary,
  importers,
  openFileSource,
  runImport,
  startReading,
} from '../../ingest/index.ts';
import { loadYaml, UserError } from '../../shared/index.ts';
import type { CliIo } from '../io.ts';
import { progressBar } from '../progress.ts';
import { openStoreFromOptions, parsePositiveInt } from './options.ts';

interface ImportOpts {
  format?: string;
  db?: string;
  map: string[];
  mapFile?: string;
  source?: string;
  rejects?: string;
  batchSize?: string;
  dateFormat?: string;
  json?: boolean;
}

export function registerImport(program: Command, io: CliIo): void {
  program
    .command('import')
    .description(
      'import a helpdesk export (CSV, JSON, JSON Lines; Zendesk, Freshdesk, Intercom, Help Scout, TWCS)',
    )
    .argument('<file>', 'the export file')
    .option(
      '--format <name>',
      `the export format (detected when unambiguous): ${importers.map((i) => i.format).join(', ')}`,
    )
    .option('--db <path>', 'SQLite file or postgres:// URL (default: DATABASE_URL, else ./switchboard.db)')
    .option(
      '--map <field=column>',
      'map a ticket field to a column of a generic file (repeatable)',
      collect,
      [],
    )
    .option('--map-file <file>', 'a YAML or JSON file of field: column pairs for a generic file')
    .option('--source <name>', 'the source name recorded on each ticket (default: the format)')
    .option(
      '--rejects <file>',
      'where to write rejected records and warnings (default: <file>.rejects.jsonl beside the SQLite store, else in the current folder)',
    )
    .option(
      '--date-format <order>',
      `how to read dates like 03-04-2021: ${DATE_FORMATS.join(' or ')} (default: settled by the file, else refused)`,
    )
    .option('--batch-size <n>', 'tickets per transaction', '1000')
    .option('--json', 'print the summary as one JSON object')
    .action(async (file: string, opts: ImportOpts) => {
      const batchSize = parsePositiveInt(opts.batchSize ?? '1000', '--batch-size');
      const mapping = { ...readMapFile(opts.mapFile), ...parseMapFlags(opts.map) };
      const source = openFileSource(file);
      const importer = chooseImporter(importers, source.head, file, opts.format);
      const dateFormat = parseDateFormat(opts.dateFormat);
      const options = {
        mapping,
        batchSize,
        ...(opts.source ? { source: opts.source } : {}),
        ...(dateFormat ? { dateFormat } : {}),
      };
      // Reads the first batch: a file that is not this format fails here, before the store is opened.
      const batches = await startReading(importer, source, options);
      const store = await openStoreFromOptions(opts, io);
      const storeFile = store.capabilities.file;
      const rejectsPath = opts.rejects
        ? resolve(io.cwd, opts.rejects)
        : join(storeFile ? dirname(storeFile) : io.cwd, `${basename(file)}.rejects.jsonl`);
      const bar = progressBar(io, source.sizeBytes, 'records');
      let summary: ImportSummary;
      try {
        summary = await runImport({
          store,
          batches,
          format: importer.format,
          origin: basename(file),
          rejectsPath,
          onProgress: (p) => bar.update(p.bytesRead, { records: p.read }),
        });
      } finally {
        bar.stop();
        await store.close();
      }
      io.stdout.write(
        opts.json ? `${JSON.stringify(summary)}\n` : summaryText(summary, file, store.capabilities.location),
      );
      if (summary.rejected > 0 && summary.rejected === summary.read) throw allRejected(summary, file);
    });
}

function summaryText(summary: ImportSummary, file: string, location: string): string {
  const rate = summary.elapsedMs > 0 ? Math.round((summary.read / summary.elapsedMs) * 1000) : 0;
  const counts = [
    `read ${summary.read}`,
    `imported ${summary.imported}`,
    `updated ${summary.updated}`,
    `unchanged ${summary.unchanged}`,
    ...(summary.older > 0 ? [`older ${summary.older} (kept the newer version)`] : []),
    `rejected ${summary.rejected}`,
  ];
  const rejects = summary.rejectsFile;
  return [
    `imported ${file} as ${summary.format} into ${location}`,
    counts.join(', '),
    ...(summary.warnings > 0
      ? [`${summary.warnings} warning${summary.warnings === 1 ? '' : 's'} (see ${rejects})`]
      : []),
    `${(summary.elapsedMs / 1000).toFixed(1)} s, ${rate} records/s`,
    ...(summary.rejected > 0 ? [`rejected records: ${rejects}`] : []),
    '',
  ].join('\n');
}

/** Every record rejected: a user error (exit 2) with the count and the first reasons. */
function allRejected(summary: ImportSummary, file: string): UserError {
  const first = summary.firstRejects.map((r) => `line ${r.line}: ${r.reason}`);
  return new UserError(
    'import.all_rejected',
    `every record was rejected (${summary.rejected}), nothing was imported; the first:\n  ${first.join('\n  ')}\nall of them: ${summary.rejectsFile}`,
    { file },
  );
}

function parseDateFormat(value: string | undefined): DateFormat | undefined {
  if (value === undefined) return undefined;
  const known = DATE_FORMATS.find((f) => f === value);
  if (!known) {
    throw new UserError('cli.bad_option', `expected ${DATE_FORMATS.join(' or ')}, got "${value}"`, {
      field: '--date-format',
    });
  }
  return known;
}

const collect = (value: string, previous: string[]) => [...previous, value];

function parseMapFlags(flags: string[]): Record<string, string> {
  const mapping: Record<string, string> = {};
  for (const flag of flags) {
    const eq = flag.indexOf('=');
    if (eq <= 0 || eq === flag.length - 1) {
      throw new UserError('cli.bad_option', `expected field=column, got "${flag}"`, { field: '--map' });
    }
    mapping[flag.slice(0, eq).trim()] = flag.slice(eq + 1).trim();
  }
  return mapping;
}

function readMapFile(path: string | undefined): Record<string, string> {
  if (!path) return {};
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    throw new UserError(
      'cli.bad_map_file',
      `cannot read the mapping file: ${(cause as Error).message}`,
      { file: path },
      { cause },
    );
  }
  const parsed = loadYaml({ text, file: path, code: 'cli.bad_map_file' }).value;
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new UserError('cli.bad_map_file', 'expected a mapping of field: column pairs', { file: path });
  }
  const mapping: Record<string, string> = {};
  for (const [field, column] of Object.entries(parsed)) {
    if (typeof column !== 'string') {
      throw new UserError('cli.bad_map_file', `the column for "${field}" must be text`, {
        file: path,
        field,
      });
    }
    mapping[field] = column;
  }
  return mapping;
}
