import type { TicketRecord } from '../../domain/index.ts';
import type { Result } from '../../shared/index.ts';
import type { Importer } from '../importer.ts';
import { type CsvRow, csvHeaderKeys, readCsvTickets } from './csv-tickets.ts';
import { hasColumn, resemblance } from './head-names.ts';
import { looksLikeJson } from './json-records.ts';
import { type JsonTicketFormat, readJsonTickets } from './json-tickets.ts';
import { wrongFormat } from './wrong-format.ts';

/**
 * A helpdesk vendor's export, described: its JSON (read by `readJsonTickets`) and, when the vendor has one, its
 * CSV export (read by `readCsvTickets`). `vendorImporter` makes the importer.
 *
 * @example
 * export const acmeImporter = vendorImporter({
 *   format: 'acme',
 *   description: 'Acme Desk cases (API JSON or JSON Lines)',
 *   expected: 'expected JSON or JSON Lines of cases, with fields such as "case_id"',
 *   json: {
 *     detect: (head) => head.includes('"case_id"'),
 *     accepts: looksLikeJson,
 *     keys: () => ['case_id', 'opened_at', 'title'],
 *     format: ACME_JSON,
 *   },
 * });
 */
export interface VendorExport<S> {
  /** The `--format` name. */
  readonly format: string;
  readonly description: string;
  /** Says what the file should have been, in the wrong-format error. */
  readonly expected: string;
  readonly json: {
    /** Detection (no `--format`): true when the head is unmistakably this vendor's JSON. */
    detect(head: string): boolean;
    /** Reading: true when the head may be this vendor's JSON; its first record then decides (`foreign`). */
    accepts(head: string): boolean;
    /** The keys of this vendor's records, to name it among the likeliest formats (`Importer.resemblance`). */
    keys(): Iterable<string>;
    readonly format: JsonTicketFormat<S>;
  };
  readonly csv?: {
    /** True for the header keys (`csvHeaderKeys`) of this vendor's CSV export. */
    detect(header: ReadonlySet<string>): boolean;
    /** The header keys of the columns it reads (`csvColumns` values), for `Importer.resemblance`. */
    columns(): Iterable<string>;
    toTicket(row: CsvRow): Result<TicketRecord, string>;
  };
}

/** The importer of a vendor export: JSON when the head accepts it, else the CSV export, else a wrong-format error. */
export function vendorImporter<S>(spec: VendorExport<S>): Importer {
  const isCsv = (head: string) => {
    const header = csvHeaderKeys(head);
    return header !== null && spec.csv?.detect(header) === true;
  };
  return {
    format: spec.format,
    description: spec.description,
    detect: (head) => (looksLikeJson(head) ? spec.json.detect(head) : isCsv(head)),
    resemblance: (head) => {
      const keys = new Set(spec.json.keys());
      return resemblance(head, {
        json: (key) => keys.has(key),
        csv: spec.csv && hasColumn(spec.csv.columns()),
      });
    },
    async *read(source, options) {
      if (spec.json.accepts(source.head)) yield* readJsonTickets(source, spec.json.format, options);
      else if (spec.csv && isCsv(source.head)) yield* readCsvTickets(source, spec.csv.toTicket, options);
      else throw wrongFormat(source, spec.json.format.what, spec.expected);
    },
  };
}
