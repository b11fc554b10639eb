import type { TicketRecord } from '../domain/index.ts';

/**
 * One importer per export format (`formats/`), all behind this interface. An importer turns a decoded text
 * stream into tickets and rejects; the runner (`run-import.ts`) batches them into the store, writes the rejects
 * file and reports progress, so an importer never touches the store.
 *
 * Rules every importer follows:
 * - Throw a `UserError` (code `import.wrong_format`) before yielding anything when the file is not this format at
 *   all (wrong header, wrong top-level shape): nothing is written then.
 * - A malformed record is yielded as a reject with its line number and reason, never dropped and never fatal.
 * - Memory stays flat: stream, and hold only what the format forces (an open ticket's rows, a thread index).
 *
 * @example
 * const csvImporter: Importer = {
 *   format: 'generic-csv',
 *   description: 'CSV with one row per ticket or per message',
 *   detect: (head) => head.startsWith('ticket_id,'),
 *   async *read(source) {
 *     for await (const chunk of source.text()) {
 *       // parse, then: yield { kind: 'ticket', line, ticket } or { kind: 'reject', line, reason, raw }
 *     }
 *   },
 * };
 */
export interface Importer {
  /** The `--format` name. */
  readonly format: string;
  readonly description: string;
  /** True when the start of the file is unambiguously this format (used when no --format is given). */
  detect(head: string, path: string): boolean;
  /**
   * When no format detects the file: the share (0..1) of its columns, or of its first record's keys, that this
   * format knows, so that the error names the likeliest formats. Absent or 0: not a candidate.
   */
  resemblance?(head: string): number;
  read(source: ImportSource, options: ImportOptions): AsyncIterable<ImportItem>;
}

export interface ImportSource {
  /** The path as the user gave it, for messages. */
  readonly path: string;
  /** Up to the first 64 KiB of the file, decoded: for detection and header checks. */
  readonly head: string;
  /** The whole file as UTF-8 text chunks: BOM removed, invalid byte sequences replaced by U+FFFD. */
  text(): AsyncIterable<string>;
}

export interface ImportOptions {
  /** `--map field=column` overrides for the generic formats: normalised field name -> column or JSON key. */
  mapping: Record<string, string>;
  /** Overrides the `source` recorded on each ticket (default: the importer's own, e.g. `zendesk`). */
  source?: string;
  /**
   * `--date-format`: how to read numeric dates whose day and month could be swapped (`03-04-2021`). Absent: read
   * them when the file settles it (a day over 12 somewhere), refuse the file once when it does not.
   */
  dateFormat?: DateFormat;
}

export const DATE_FORMATS = ['day-first', 'month-first'] as const;
export type DateFormat = (typeof DATE_FORMATS)[number];

export type ImportItem =
  | {
      kind: 'ticket';
      line: number;
      ticket: TicketRecord;
      /**
       * What was doubtful but kept (a thread without a time given the conversation's, a resolution time on an open
       * ticket dropped...): counted in the summary and written to the rejects file as warnings.
       */
      warnings?: readonly string[];
    }
  | { kind: 'reject'; line: number; reason: string; raw: string };

/** The rejects file: one JSON line per bad record. */
export interface RejectLine {
  line: number;
  reason: string;
  raw: string;
}
