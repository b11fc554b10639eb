import { headerKey } from './column-mapping.ts';
import { firstCsvRecord } from './csv-records.ts';
import { isJsonObject, type JsonLayout } from './json-layout.ts';
import { firstJsonRecord, looksLikeJson } from './json-records.ts';

/** What a file's head shows of its fields: CSV column names, or the keys of the first JSON record. */
export interface HeadNames {
  kind: 'columns' | 'keys';
  names: string[];
}

/** Finds the first record wherever a page keeps it: an object with an id, else the first array of objects. */
const ANY_RECORD: JsonLayout = { listPaths: [], isRecord: (value) => 'id' in value };

/**
 * The names a head shows, for `Importer.resemblance` and for the error that names them. Null when the head shows
 * none (empty, or JSON without a whole first record).
 *
 * @example
 * headNames('ticket_id,created_at\n1,2024-01-01\n'); // { kind: 'columns', names: ['ticket_id', 'created_at'] }
 */
export function headNames(head: string): HeadNames | null {
  if (head.trim() === '') return null;
  if (looksLikeJson(head)) {
    const first = firstJsonRecord(head, ANY_RECORD);
    return isJsonObject(first) ? { kind: 'keys', names: Object.keys(first) } : null;
  }
  const header = firstCsvRecord(head);
  return header ? { kind: 'columns', names: header.map((h) => h.trim()) } : null;
}

/**
 * The share of the head's names that a format knows: `json` tells its JSON keys, `csv` its CSV column names. 0 for
 * a kind the format does not read.
 *
 * @example
 * resemblance(head, { csv: (name) => headerKey(name).key === 'ticketid' });
 */
export function resemblance(
  head: string,
  known: { json?: (key: string) => boolean; csv?: (name: string) => boolean },
): number {
  const found = headNames(head);
  const test = found?.kind === 'keys' ? known.json : known.csv;
  if (!found || !test || found.names.length === 0) return 0;
  return found.names.filter(test).length / found.names.length;
}

/** A CSV column test from header keys (`csvColumns` values). */
export function hasColumn(keys: Iterable<string>): (name: string) => boolean {
  const known = new Set(keys);
  return (name) => known.has(headerKey(name).key);
}
