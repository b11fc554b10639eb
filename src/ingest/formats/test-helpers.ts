/**
 * Builders shared by the importer tests of this folder (the fixtures, JSON Lines, chunked sources, failures). Not
 * a test file itself, and free of any test framework.
 */
import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import type { Store } from '../../store/index.ts';
import type { Importer, ImportItem, ImportOptions, ImportSource } from '../importer.ts';
import { type ImportSummary, runImport, startReading } from '../run-import.ts';
import { textSource } from '../source.ts';

/** A file of `fixtures/`, e.g. `fixture('zendesk/export.jsonl')`. */
export const fixture = (name: string): string =>
  readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

/** One JSON line per record. */
export const jsonl = (...records: unknown[]): string =>
  `${records.map((r) => JSON.stringify(r)).join('\n')}\n`;

/** The ticket with this external id; throws when there is none. */
export function byId<T extends { externalId: string }>(items: readonly T[], id: string): T {
  const found = items.find((t) => t.externalId === id);
  if (!found) throw new Error(`no ticket ${id}`);
  return found;
}

/** A source that hands out the given chunks, one per event-loop turn, like a file read in pieces. */
export function chunkedSource(chunks: readonly string[], path = 'chunked'): ImportSource {
  return {
    path,
    head: chunks.join('').slice(0, 64 * 1024),
    text: () =>
      Readable.from(
        (async function* () {
          for (const chunk of chunks) {
            await new Promise((resolve) => setImmediate(resolve));
            yield chunk;
          }
        })(),
      ),
  };
}

/** Reads until the importer throws: the error (undefined when it did not throw) and how many items came first. */
export async function readFailure(
  importer: Importer,
  text: string,
  path = 'input',
  options: Partial<ImportOptions> = {},
): Promise<{ error: unknown; yielded: number }> {
  let yielded = 0;
  try {
    for await (const _item of importer.read(textSource(text, path), { mapping: {}, ...options })) yielded++;
  } catch (error) {
    return { error, yielded };
  }
  return { error: undefined, yielded };
}

/** Every item the importer yields for `text`, tickets with their warnings. */
export async function readItems(
  importer: Importer,
  text: string,
  options: Partial<ImportOptions> = {},
): Promise<ImportItem[]> {
  const items: ImportItem[] = [];
  for await (const item of importer.read(textSource(text, 'fixture'), { mapping: {}, ...options })) {
    items.push(item);
  }
  return items;
}

/** The warnings of the ticket items, by ticket id (tickets without warnings left out). */
export function warningsById(items: readonly ImportItem[]): Record<string, readonly string[]> {
  const out: Record<string, readonly string[]> = {};
  for (const item of items) {
    if (item.kind === 'ticket' && item.warnings && item.warnings.length > 0) {
      out[item.ticket.externalId] = item.warnings;
    }
  }
  return out;
}

/** Imports `text` into `store` through the runner, as `switchboard import` does; the run's summary. */
export async function importText(props: {
  store: Store;
  importer: Importer;
  text: string;
  /** The file name the text stands for. */
  path: string;
  rejectsPath: string;
}): Promise<ImportSummary> {
  const { store, importer, text, path, rejectsPath } = props;
  const batches = await startReading(importer, textSource(text, path), { mapping: {} });
  return runImport({ store, batches, format: importer.format, rejectsPath, origin: path });
}
