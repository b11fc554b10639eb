import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import type { TicketRecord } from '../domain/index.ts';
import type { Store } from '../store/index.ts';
import type { Importer, ImportItem, ImportOptions, ImportSource, RejectLine } from './importer.ts';

export interface ImportSummary {
  format: string;
  /** Records seen: tickets plus rejects. */
  read: number;
  imported: number;
  updated: number;
  unchanged: number;
  rejected: number;
  /** Where the rejects went; null when there were none. */
  rejectsFile: string | null;
  elapsedMs: number;
}

export interface ImportProgress {
  read: number;
  rejected: number;
}

/**
 * Starts reading and pulls the first record, so that a file which is not the named format at all fails (with a
 * UserError) before the caller opens the store or writes anything.
 */
export async function startReading(
  importer: Importer,
  source: ImportSource,
  options: ImportOptions,
): Promise<AsyncIterable<ImportItem>> {
  const iterator = importer.read(source, options)[Symbol.asyncIterator]();
  const first = await iterator.next();
  return {
    async *[Symbol.asyncIterator]() {
      if (first.done) return;
      yield first.value;
      for (let next = await iterator.next(); !next.done; next = await iterator.next()) yield next.value;
    },
  };
}

export interface RunImportProps {
  store: Store;
  /** The importer's records, from startReading(). */
  items: AsyncIterable<ImportItem>;
  format: string;
  /** For `source` overrides (options.source). */
  options: Pick<ImportOptions, 'source'>;
  /** Created only when the first reject arrives. */
  rejectsPath: string;
  /** Tickets per transaction: a crash loses at most the batch in flight, and a rerun completes it. */
  batchSize?: number;
  onProgress?: (progress: ImportProgress) => void;
  /** Label stored on each event: the file name, `demo`... */
  origin: string;
}

/**
 * Streams an importer's records into the store in batches, each in its own transaction. Idempotent: the
 * store skips tickets it already holds unchanged, so running the same import twice, or again after a crash,
 * ends with each ticket exactly once.
 */
export async function runImport({
  store,
  items,
  format,
  options,
  rejectsPath,
  batchSize = 2000,
  onProgress,
  origin,
}: RunImportProps): Promise<ImportSummary> {
  const started = performance.now();
  const summary: ImportSummary = {
    format,
    read: 0,
    imported: 0,
    updated: 0,
    unchanged: 0,
    rejected: 0,
    rejectsFile: null,
    elapsedMs: 0,
  };
  let rejects: WriteStream | null = null;
  let batch: TicketRecord[] = [];

  const flush = async () => {
    if (batch.length === 0) return;
    const result = await store.upsertTickets(batch, { origin });
    summary.imported += result.inserted;
    summary.updated += result.updated;
    summary.unchanged += result.unchanged;
    batch = [];
    onProgress?.({ read: summary.read, rejected: summary.rejected });
  };

  const writeReject = async (item: Extract<ImportItem, { kind: 'reject' }>) => {
    if (!rejects) {
      rejects = createWriteStream(rejectsPath, { flags: 'w' });
      summary.rejectsFile = rejectsPath;
    }
    const line: RejectLine = { line: item.line, reason: item.reason, raw: item.raw };
    if (!rejects.write(`${JSON.stringify(line)}\n`)) await once(rejects, 'drain');
  };

  try {
    for await (const item of items) {
      summary.read++;
      if (item.kind === 'ticket') {
        if (options.source) item.ticket.source = options.source;
        batch.push(item.ticket);
        if (batch.length >= batchSize) await flush();
      } else {
        summary.rejected++;
        await writeReject(item);
      }
    }
    await flush();
  } finally {
    const open = rejects as WriteStream | null;
    if (open) {
      open.end();
      await once(open, 'close');
    }
  }
  summary.elapsedMs = performance.now() - started;
  return summary;
}
