import { type DateOrder, parseTimestamp, type TicketRecord } from '../../domain/index.ts';
import { err, type Result } from '../../shared/index.ts';
import type { ImportItem, ImportOptions, ImportSource } from '../importer.ts';
import { headerKey } from './column-mapping.ts';
import { type CsvRecord, csvRecords, fieldCountProblem, firstCsvRecord } from './csv-records.ts';
import { type DateSample, settleDateOrder } from './date-order.ts';
import { looksLikeJson } from './json-records.ts';

/**
 * One data row of a vendor's CSV export, read by column. Columns are named by their header key (`headerKey` of
 * `column-mapping.ts`: case, spaces, `_`, `-` and a unit suffix do not matter), which `csvColumns` computes.
 */
export interface CsvRow {
  /** The trimmed cell of the column with this header key; null when the column is absent or the cell empty. */
  get(key: string): string | null;
  /**
   * The cell as a time (epoch ms; numeric dates in the file's order of day and month, see `date-order.ts`); null
   * when absent, empty or not a time.
   */
  time(key: string): number | null;
  /** The file's order of day and month, as settled by its first rows (null: not settled). */
  readonly dateOrder: DateOrder | null;
  /** Non-empty cells of the columns whose header key is not in `mapped`, keyed by the header as written. */
  unmapped(mapped: ReadonlySet<string>): Record<string, string>;
}

/**
 * The header keys of a vendor's columns, by the names its export writes.
 *
 * @example
 * const C = csvColumns({ id: 'Ticket ID', createdAt: 'Created time' }); // {id: 'ticketid', createdAt: 'createdtime'}
 * row.get(C.createdAt);
 */
export function csvColumns<K extends string>(names: Record<K, string>): Record<K, string> {
  const keys = {} as Record<K, string>;
  for (const field in names) keys[field] = headerKey(names[field]).key;
  return keys;
}

/** The header keys of the head's first CSV record; null when the head is empty or JSON. */
export function csvHeaderKeys(head: string): Set<string> | null {
  if (head.trim() === '' || looksLikeJson(head)) return null;
  const header = firstCsvRecord(head);
  return header ? new Set(header.map((name) => headerKey(name).key)) : null;
}

/**
 * Streams the rows of a CSV export (read by `csv-records.ts`) as tickets or rejects, each with the line its row
 * starts on. A row that breaks the CSV grammar or has the wrong number of fields is rejected; the rest of the file
 * is still read. Line breaks inside cells are given as `\n`. The order of day and month in numeric dates is
 * settled by the first rows, or `options.dateFormat` (`settleDateOrder`).
 */
export async function* readCsvTickets(
  source: ImportSource,
  toTicket: (row: CsvRow) => Result<TicketRecord, string>,
  options: ImportOptions,
): AsyncGenerator<ImportItem> {
  let header: CsvHeader | null = null;
  let dateOrder: DateOrder | null = null;
  for await (const batch of csvRecords(source.text())) {
    const out: ImportItem[] = [];
    for (const record of batch) {
      if (header === null) {
        header = csvHeader(record.fields);
        dateOrder = settleDateOrder(cells(batch), options.dateFormat, source.path);
        continue;
      }
      const problem = record.problem ?? fieldCountProblem(record.fields, header.names.length);
      const result = problem === null ? toTicket(csvRow(header, record.fields, dateOrder)) : err(problem);
      if (result.ok) out.push({ kind: 'ticket', line: record.line, ticket: result.value });
      else out.push({ kind: 'reject', line: record.line, reason: result.error, raw: record.raw });
    }
    yield* out;
  }
}

interface CsvHeader {
  names: readonly string[];
  keys: readonly string[];
  /** Header key -> column; the first column wins when two headers have the same key. */
  columns: ReadonlyMap<string, number>;
}

function csvHeader(names: readonly string[]): CsvHeader {
  const keys = names.map((name) => headerKey(name).key);
  const columns = new Map<string, number>();
  keys.forEach((key, i) => {
    if (!columns.has(key)) columns.set(key, i);
  });
  return { names, keys, columns };
}

/** Every cell of the data rows of a batch (the first record is the header): what settles the date order. */
function* cells(batch: readonly CsvRecord[]): Iterable<DateSample> {
  for (let i = 1; i < batch.length; i++) {
    const record = batch[i] as CsvRecord;
    for (const value of record.fields) yield { value, line: record.line };
  }
}

function csvRow(header: CsvHeader, cells: readonly string[], dateOrder: DateOrder | null): CsvRow {
  const cell = (i: number | undefined): string | null => {
    const value = i === undefined ? undefined : cells[i]?.trim();
    if (!value) return null;
    return value.includes('\r') ? value.replace(/\r\n/g, '\n') : value;
  };
  return {
    get: (key) => cell(header.columns.get(key)),
    time: (key) => {
      const ms = parseTimestamp(cell(header.columns.get(key)), dateOrder ?? undefined);
      return ms !== null && ms >= 0 ? ms : null;
    },
    dateOrder,
    unmapped: (mapped) => {
      const out: Record<string, string> = {};
      header.names.forEach((name, i) => {
        const value = cell(i);
        if (value !== null && !mapped.has(header.keys[i] as string)) out[name.trim()] = value;
      });
      return out;
    },
  };
}
