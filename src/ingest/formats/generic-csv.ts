import { UserError } from '../../shared/index.ts';
import type { Importer, ImportItem, ImportOptions, ImportSource } from '../importer.ts';
import { type ColumnPlan, F, GENERIC_FIELDS, headerKey, matchHeader, planColumns } from './column-mapping.ts';
import { type CsvRecord, csvRecords, fieldCountProblem, firstCsvRecord } from './csv-records.ts';
import { type DateSample, settleDateOrder } from './date-order.ts';
import { type FieldRow, messageRowGrouper, type RowContext, ticketFromRow } from './generic-rows.ts';
import { resemblance } from './head-names.ts';

/**
 * Any ticket CSV, matched to ticket fields by column name (see `column-mapping.ts` for the names and `--map`).
 * Two layouts, told apart by the header: one row per ticket (a description column becomes the opening customer
 * message), or one row per message when there is a message-body or author-role column (consecutive rows with the
 * same ticket id form one ticket; ticket fields come from the first row that has them). `,` `;` and tab
 * delimiters, quoted line breaks, CRLF and a BOM are handled; a row with no id, an unparseable creation time or the
 * wrong number of fields is rejected with its line number.
 *
 * Detection is deliberately narrow, since this is the fallback format: a header with an id column and a text
 * column that is not a Zendesk or Freshdesk export (those have their own importers).
 *
 * @example
 * // ticket_id,subject,created_at,author_role,message_body,message_created_at
 * // 1,Refund,2025-03-01T09:00:00Z,customer,Where is my refund?,2025-03-01T09:00:00Z
 * // 1,,,agent,Sent today.,2025-03-01T09:20:00Z
 * for await (const item of genericCsvImporter.read(openFileSource('tickets.csv'), { mapping: {} })) {
 *   if (item.kind === 'ticket') console.log(item.ticket.externalId, item.ticket.messages.length); // 1 2
 * }
 */
export const genericCsvImporter: Importer = {
  format: 'generic-csv',
  description: 'any ticket CSV, one row per ticket or per message; columns by name or --map field=column',
  detect: (head) => isGenericCsvHeader(head),
  resemblance: (head) => resemblance(head, { csv: (name) => matchHeader(name) !== null }),
  read: readGenericCsv,
};

async function* readGenericCsv(source: ImportSource, options: ImportOptions): AsyncIterable<ImportItem> {
  let plan: CsvPlan | null = null;
  let context: RowContext | null = null;
  let grouper: ReturnType<typeof messageRowGrouper> | null = null;
  for await (const batch of csvRecords(source.text())) {
    let start = 0;
    if (plan === null) {
      plan = csvPlan(
        planColumns(batch[0]?.fields ?? [], options.mapping, source.path),
        batch[0]?.fields.length,
      );
      start = 1;
      const dateOrder = settleDateOrder(timeSamples(batch, plan), options.dateFormat, source.path);
      context = { source: options.source ?? 'generic', dateOrder };
      grouper = messageRowGrouper(context);
    }
    const out: ImportItem[] = [];
    for (let i = start; i < batch.length; i++) {
      const record = batch[i] as CsvRecord;
      const row = rowOf(record, plan);
      if (typeof row === 'string')
        out.push({ kind: 'reject', line: record.line, reason: row, raw: record.raw });
      else if (plan.messagePerRow) grouper!.add(row, out);
      else out.push(ticketFromRow(row, context!));
    }
    yield* out;
  }
  if (grouper === null) {
    throw new UserError('import.wrong_format', 'the file is empty: expected a CSV header', {
      file: source.path,
    });
  }
  const out: ImportItem[] = [];
  grouper.end(out);
  yield* out;
}

const TIME_FIELDS = [
  F.createdAt,
  F.updatedAt,
  F.firstResponseAt,
  F.resolvedAt,
  F.closedAt,
  F.messageCreatedAt,
];

/** The cells of the time columns in the data rows of a batch: what settles the order of day and month. */
function* timeSamples(batch: readonly CsvRecord[], plan: ColumnPlan): Iterable<DateSample> {
  const columns = TIME_FIELDS.map((field) => plan.column[field] ?? -1).filter((c) => c >= 0);
  for (let i = 1; i < batch.length; i++) {
    const record = batch[i] as CsvRecord;
    for (const c of columns) yield { value: record.fields[c], line: record.line };
  }
}

/** The column plan flattened for the per-row loop. */
interface CsvPlan extends ColumnPlan {
  width: number;
  /** Parallel arrays: field ordinal and the column holding it, for mapped fields only. */
  fields: number[];
  columns: number[];
}

function csvPlan(plan: ColumnPlan, width = 0): CsvPlan {
  const fields: number[] = [];
  const columns: number[] = [];
  plan.column.forEach((column, field) => {
    if (column >= 0) {
      fields.push(field);
      columns.push(column);
    }
  });
  return { ...plan, custom: uniqueNames(plan.custom), width, fields, columns };
}

/** Duplicate or empty header names would collide as customFields keys. */
function uniqueNames(custom: ColumnPlan['custom']): ColumnPlan['custom'] {
  const seen = new Set<string>();
  return custom.map(({ index, name }) => {
    let unique = name === '' ? `column ${index + 1}` : name;
    for (let n = 2; seen.has(unique); n++) unique = `${name} (${n})`;
    seen.add(unique);
    return { index, name: unique };
  });
}

const FIELD_COUNT = GENERIC_FIELDS.length;

/** A record as field values, or why it is rejected. The hot path: no regex, no per-cell allocation. */
function rowOf(record: CsvRecord, plan: CsvPlan): FieldRow | string {
  if (record.problem !== null) return record.problem;
  const cells = record.fields;
  const width = fieldCountProblem(cells, plan.width);
  if (width !== null) return width;
  const values = new Array<unknown>(FIELD_COUNT);
  for (let k = 0; k < plan.fields.length; k++) values[plan.fields[k]!] = cells[plan.columns[k]!];
  let custom: Record<string, unknown> | null = null;
  if (plan.custom.length > 0) {
    custom = {};
    for (const c of plan.custom) custom[c.name] = cells[c.index];
  }
  return {
    line: record.line,
    raw: record.raw,
    values,
    names: plan.names,
    units: plan.units,
    custom,
    messages: null,
  };
}

/**
 * True for a ticket-shaped CSV header that is not a vendor export with an importer of its own: an id column and a
 * text column (subject, description or message body), or an id column, a creation time and another ticket field
 * (`ticket_id,created_at,status,...`). Vendor headers are recognised by columns only they have: Zendesk's
 * `Requester email` / `Via`, Freshdesk's `Ticket ID` + `Created time` + `Source`.
 */
export function isGenericCsvHeader(head: string): boolean {
  const lead = head.trimStart().charAt(0);
  if (lead === '{' || lead === '[' || lead === '') return false;
  const header = firstCsvRecord(head);
  if (!header || header.length < 2) return false;
  const keys = new Set(header.map((h) => headerKey(h).key));
  const zendesk = keys.has('requesteremail') || keys.has('via');
  const freshdesk = keys.has('ticketid') && keys.has('createdtime') && keys.has('source');
  if (zendesk || freshdesk) return false;
  const fields = new Set(header.map((h) => matchHeader(h)?.field));
  if (!fields.has(F.externalId)) return false;
  const hasText = fields.has(F.subject) || fields.has(F.body) || fields.has(F.messageBody);
  const dated = fields.has(F.createdAt) || fields.has(F.messageCreatedAt);
  const recognised = [...fields].filter((f) => f !== undefined).length;
  return hasText || (dated && recognised >= 3);
}
