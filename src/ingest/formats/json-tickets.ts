import type { z } from 'zod';
import type { TicketRecord } from '../../domain/index.ts';
import { err, type Result } from '../../shared/index.ts';
import type { ImportItem, ImportOptions, ImportSource } from '../importer.ts';
import { isJsonObject, type JsonLayout, type JsonObject } from './json-layout.ts';
import { type JsonRecord, jsonRecords } from './json-records.ts';
import { objectWithoutRecords, pageError, pageWithoutRecords } from './json-wrappers.ts';
import { wrongFormat } from './wrong-format.ts';

/**
 * A vendor's JSON ticket format: where its records sit, and how one becomes a ticket. Read by `readJsonTickets`.
 *
 * @example
 * const format: JsonTicketFormat<undefined> = {
 *   what: 'an Acme export',
 *   layout: { listPaths: [['cases']] },
 *   indexSide: () => undefined,
 *   foreign: (first) => (isJsonObject(first) && 'case_id' in first ? null : 'the first record has no case_id'),
 *   toTicket: (record, _side, options) => acmeTicket(record, options.source ?? 'acme'),
 * };
 */
export interface JsonTicketFormat<S> {
  /** Names the format in the wrong-format error: `a Zendesk export`. */
  readonly what: string;
  readonly layout: JsonLayout;
  /** Indexes a wrapper's side-loads once, for all its records (`{}` for records outside any wrapper). */
  indexSide(wrapper: JsonObject): S;
  /** Why the first record shows the file is not this format at all, or null when it may be. */
  foreign(first: unknown): string | null;
  /**
   * The ticket, or why the record is rejected; `options.source`, when given, is the ticket's source. What is
   * doubtful but kept goes to `warnings`, and travels with the ticket.
   */
  toTicket(
    record: JsonObject,
    side: S,
    options: ImportOptions,
    warnings: string[],
  ): Result<TicketRecord, string>;
}

/**
 * Streams the tickets and rejects of a JSON export (see `json-records.ts` for the shapes and line numbers). A
 * reject's reason, and a warning, starts with the record's place when its line does not tell it
 * (`record 3: id: missing`). Throws, before yielding anything, `import.not_tickets` for a page of something else
 * (comments, ticket events: `json-wrappers.ts`), and `import.wrong_format` when the first record shows the file
 * is another format or a wrapper whose arrays this format does not read.
 */
export async function* readJsonTickets<S>(
  source: ImportSource,
  format: JsonTicketFormat<S>,
  options: ImportOptions,
): AsyncGenerator<ImportItem> {
  const page = pageWithoutRecords(source.head, format.layout);
  if (page !== null) throw pageError(source, format.what, page);
  let checked = false;
  let indexed: { wrapper: JsonObject | null; side: S } | null = null;
  const warnings: string[] = [];
  for await (const batch of jsonRecords(source, format.layout)) {
    const out: ImportItem[] = [];
    for (const record of batch) {
      if (record.kind === 'broken') {
        out.push({ kind: 'reject', line: record.line, reason: record.reason, raw: record.raw });
        continue;
      }
      if (!checked) {
        checkFirst(source, format, record);
        checked = true;
      }
      if (indexed === null || indexed.wrapper !== record.wrapper) {
        indexed = { wrapper: record.wrapper, side: format.indexSide(record.wrapper ?? {}) };
      }
      const result = isJsonObject(record.value)
        ? format.toTicket(record.value, indexed.side, options, warnings)
        : err('not a JSON object');
      const where = (text: string) => (record.where ? `${record.where}: ${text}` : text);
      if (result.ok) {
        const ticket = { kind: 'ticket', line: record.line, ticket: result.value } as const;
        out.push(warnings.length === 0 ? ticket : { ...ticket, warnings: warnings.splice(0).map(where) });
      } else {
        warnings.length = 0;
        const reason = where(result.error);
        out.push({
          kind: 'reject',
          line: record.line,
          reason,
          raw: record.raw ?? JSON.stringify(record.value),
        });
      }
    }
    yield* out;
  }
}

/**
 * Throws when the first record shows the file holds no records of this format: a top-level object without an id
 * that is a page of something else or of arrays the layout does not read, or a record of another format.
 */
function checkFirst<S>(source: ImportSource, format: JsonTicketFormat<S>, record: JsonRecordOf): void {
  const value = record.value;
  if (record.where === null && record.wrapper === null && isJsonObject(value) && !('id' in value)) {
    const page = objectWithoutRecords(value, format.layout);
    if (page !== null) throw pageError(source, format.what, page);
  }
  const reason = format.foreign(value);
  if (reason !== null) throw wrongFormat(source, format.what, reason);
}

type JsonRecordOf = Extract<JsonRecord, { kind: 'record' }>;

/** A schema failure as a reject reason: the first three issues, each with its path. */
export function describeIssues(error: z.ZodError): string {
  const shown = error.issues
    .slice(0, 3)
    .map((i) => (i.path.length > 0 ? `${i.path.join('.')}: ${i.message}` : i.message))
    .join('; ');
  const more = error.issues.length - 3;
  return more > 0 ? `${shown} (and ${more} more)` : shown;
}
