import { readFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import type { Command } from 'commander';
import { parse as parseYaml } from 'yaml';
import {
  chooseImporter,
  type ImportSummary,
  importers,
  openFileSource,
  runImport,
  startReading,
} from '../../ingest/index.ts';
import { UserError } from '../../shared/index.ts';
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
    .option('--rejects <file>', 'where to write rejected records (default: ./<file>.rejects.jsonl)')
    .option('--batch-size <n>', 'tickets per transaction', '1000')
    .option('--json', 'print the summary as one JSON object')
    .action(async (file: string, opts: ImportOpts) => {
      const batchSize = parsePositiveInt(opts.batchSize ?? '1000', '--batch-size');
      const mapping = { ...readMapFile(opts.mapFile), ...parseMapFlags(opts.map) };
      const source = openFileSource(file);
      const importer = chooseImporter(importers, source.head, file, opts.format);
      const rejectsPath = resolve(io.cwd, opts.rejects ?? `${basename(file)}.rejects.jsonl`);
      const options = { mapping, batchSize, ...(opts.source ? { source: opts.source } : {}) };
      // Reads the first batch: a file that is not this format fails here, before the store is opened.
      const batches = await startReading(importer, source, options);
      const store = await openStoreFromOptions(opts, io);
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
      if (opts.json) {
        io.stdout.write(`${JSON.stringify(summary)}\n`);
        return;
      }
      const rate = summary.elapsedMs > 0 ? Math.round((summary.read / summary.elapsedMs) * 1000) : 0;
      io.stdout.write(
        [
          `imported ${file} as ${summary.format} into ${store.capabilities.location}`,
          `read ${summary.read}, imported ${summary.imported}, updated ${summary.updated}, unchanged ${summary.unchanged}, rejected ${summary.rejected}`,
          `${(summary.elapsedMs / 1000).toFixed(1)} s, ${rate} records/s`,
          ...(summary.rejectsFile ? [`rejected records: ${summary.rejectsFile}`] : []),
          '',
        ].join('\n'),
      );
    });
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
  let parsed: unknown;
  try {
    parsed = parseYaml(readFileSync(path, 'utf8'));
  } catch (cause) {
    throw new UserError(
      'cli.bad_map_file',
      `cannot read the mapping file: ${(cause as Error).message}`,
      { file: path },
      { cause },
    );
  }
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
