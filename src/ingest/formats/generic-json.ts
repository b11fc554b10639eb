import type { DateOrder, Message } from '../../domain/index.ts';
import { UserError } from '../../shared/index.ts';
import type { Importer, ImportItem, ImportOptions, ImportSource } from '../importer.ts';
import {
  bodyOf,
  F,
  GENERIC_FIELDS,
  headerKey,
  idOf,
  isBlank,
  type Match,
  mappedFields,
  matchHeader,
  publicOf,
  roleOf,
  textOf,
  timeOf,
} from './column-mapping.ts';
import { type DateSample, dateOrderProblem, settleDateOrder } from './date-order.ts';
import { type FieldRow, messageRowGrouper, type RowContext, ticketFromRow } from './generic-rows.ts';
import { resemblance } from './head-names.ts';
import { isJsonObject, type JsonLayout, type JsonObject } from './json-layout.ts';
import { firstJsonRecord, type JsonRecord, jsonRecords, looksLikeJson } from './json-records.ts';
import { pageError, pageWithoutRecords } from './json-wrappers.ts';
import { wrongFormat } from './wrong-format.ts';

/**
 * Tickets as JSON objects whose keys name the fields (the same names and `--map` as the generic CSV, see
 * `column-mapping.ts`). Accepts a JSON array of objects, an object wrapping one array (`{"tickets": [...]}`: the
 * first array of objects is used, unless the object has an id key and is a ticket itself), JSON Lines, and
 * pretty-printed objects one after another (read by `json-records.ts`). Nested objects are matched by dotted path
 * (`customer.email`); a `messages` (or `comments`) array of objects becomes the thread. Objects with one message
 * each and a ticket id (JSON Lines exported from a message table) are grouped like message-per-row CSV files. A
 * reject's line is the line on which the object starts.
 *
 * Detection: the first object has an id key and a text key and none of the keys that mark a vendor export
 * (Zendesk `via`/`requester_id`, Freshdesk `responder_id`, Intercom `conversation_parts`, Help Scout `_embedded`).
 *
 * @example
 * // [{"id": 7, "subject": "Login", "created_at": "2025-03-01T09:00:00Z",
 * //   "messages": [{"role": "customer", "body": "I cannot log in", "created_at": "2025-03-01T09:00:00Z"}]}]
 * for await (const item of genericJsonImporter.read(openFileSource('tickets.json'), { mapping: {} })) {
 *   if (item.kind === 'ticket') console.log(item.ticket.externalId, item.ticket.messages.length); // 7 1
 * }
 */
export const genericJsonImporter: Importer = {
  format: 'generic-json',
  description: 'tickets as JSON (array, wrapped array, JSON Lines); keys by name or --map field=key',
  detect: (head) => isGenericJson(head),
  resemblance: (head) => resemblance(head, { json: (key) => matchHeader(key) !== null }),
  read: readGenericJson,
};

/** A wrapper's records are its first array of objects, unless it has an id key and is a ticket itself. */
const GENERIC_LAYOUT: JsonLayout = { listPaths: [], isRecord: (value) => hasIdKey(value) };

async function* readGenericJson(source: ImportSource, options: ImportOptions): AsyncIterable<ImportItem> {
  if (!looksLikeJson(source.head)) {
    throw wrongFormat(source, 'JSON', 'expected an array, an object or JSON Lines');
  }
  const page = pageWithoutRecords(source.head, GENERIC_LAYOUT);
  if (page !== null) throw pageError(source, 'ticket JSON', page);
  const match = keyMatcher(options.mapping);
  let context: RowContext | null = null;
  let grouper: ReturnType<typeof messageRowGrouper> | null = null;
  let messagePerRow: boolean | null = null;
  let first = true;
  for await (const batch of jsonRecords(source, GENERIC_LAYOUT)) {
    if (context === null) {
      const dateOrder = settleDateOrder(stringSamples(batch), options.dateFormat, source.path);
      context = { source: options.source ?? 'generic', dateOrder };
      grouper = messageRowGrouper(context);
    }
    const out: ImportItem[] = [];
    for (const record of batch) {
      if (record.kind === 'broken') {
        out.push({ kind: 'reject', line: record.line, reason: record.reason, raw: record.raw });
        continue;
      }
      const { value, line } = record;
      const raw = record.raw ?? record.text ?? JSON.stringify(value);
      if (first && isJsonObject(value)) checkFirstObject(value, options.mapping, match, source.path);
      first = false;
      if (!isJsonObject(value)) {
        const found = Array.isArray(value) ? 'an array' : typeof value;
        out.push({ kind: 'reject', line, reason: `expected an object, found ${found}`, raw });
        continue;
      }
      const row = objectRow(value, line, raw, match, context.dateOrder);
      messagePerRow ??= row.names[F.messageBody] !== '' || row.names[F.authorRole] !== '';
      if (typeof row.messages === 'string') {
        out.push({ kind: 'reject', line, reason: row.messages, raw });
      } else if (messagePerRow) grouper!.add(row as FieldRow, out);
      else out.push(ticketFromRow(row as FieldRow, context));
    }
    yield* out;
  }
  const out: ImportItem[] = [];
  grouper?.end(out);
  yield* out;
}

/** The strings of the records of a batch, two levels down (nested messages included): what settles the date order. */
function* stringSamples(batch: readonly JsonRecord[]): Iterable<DateSample> {
  const walk = function* (value: unknown, line: number, depth: number): Iterable<DateSample> {
    if (typeof value === 'string') yield { value, line };
    else if (depth < 3 && (Array.isArray(value) || isJsonObject(value))) {
      for (const inner of Object.values(value)) yield* walk(inner, line, depth + 1);
    }
  };
  for (const record of batch) if (record.kind === 'record') yield* walk(record.value, record.line, 0);
}

/** Throws, before anything is read, when the first object lacks the id or time the mapping needs. */
function checkFirstObject(
  first: JsonObject,
  mapping: Record<string, string>,
  match: KeyMatcher,
  file: string,
): void {
  const keys = flatKeys(first);
  for (const { field, column } of mappedFields(mapping)) {
    if (!keys.some((k) => k === column || headerKey(k).key === headerKey(column).key)) {
      throw new UserError(
        'import.bad_mapping',
        `--map ${GENERIC_FIELDS[field]}=${column}: the first record has no key "${column}"; its keys are: ${keys.join(', ')}`,
        { file, field: '--map' },
      );
    }
  }
  const fields = new Set(keys.map((k) => match(k)?.field));
  const missing: string[] = [];
  if (!fields.has(F.externalId)) missing.push('--map externalId=KEY');
  if (!fields.has(F.createdAt) && !fields.has(F.messageCreatedAt) && !fields.has(F.messages)) {
    missing.push('--map createdAt=KEY');
  }
  if (missing.length === 0) return;
  throw new UserError(
    'import.wrong_format',
    `the first record has no ${fields.has(F.externalId) ? 'creation time' : 'ticket id'} key (keys: ${keys.slice(0, 30).join(', ')}); name it with ${missing.join(' ')}`,
    { file },
  );
}

/** Top-level keys, with the keys of nested objects as `parent.child`. */
function flatKeys(obj: JsonObject): string[] {
  return Object.entries(obj).flatMap(([key, value]) =>
    isJsonObject(value) ? [key, ...Object.keys(value).map((k) => `${key}.${k}`)] : [key],
  );
}

type KeyMatcher = (key: string) => Match | null;

/** Key -> field, `--map` first; cached since every object repeats the same keys. */
function keyMatcher(mapping: Record<string, string>): KeyMatcher {
  const user = mappedFields(mapping);
  const userFields = new Set(user.map((u) => u.field));
  const cache = new Map<string, Match | null>();
  return (key) => {
    const cached = cache.get(key);
    if (cached !== undefined) return cached;
    const { key: normal, unitSeconds } = headerKey(key);
    const mapped = user.find((u) => u.column === key) ?? user.find((u) => headerKey(u.column).key === normal);
    let found: Match | null;
    if (mapped) found = { field: mapped.field, rank: -1, unitSeconds: unitSeconds ?? 0 };
    else {
      found = matchHeader(key);
      if (found && userFields.has(found.field)) found = null;
    }
    // Keys are a small fixed set in any sane export; the cap only guards against keys that are data.
    if (cache.size < 10_000) cache.set(key, found);
    return found;
  };
}

const FIELD_COUNT = GENERIC_FIELDS.length;

/** An object as field values; a nested message array that does not convert leaves the reason in `messages`. */
function objectRow(
  obj: JsonObject,
  line: number,
  raw: string,
  match: KeyMatcher,
  dateOrder: DateOrder | null,
): Omit<FieldRow, 'messages'> & { messages: Message[] | null | string } {
  const values = new Array<unknown>(FIELD_COUNT);
  const names = new Array<string>(FIELD_COUNT).fill('');
  const units = new Array<number>(FIELD_COUNT).fill(0);
  const ranks = new Array<number>(FIELD_COUNT).fill(Number.POSITIVE_INFINITY);
  const custom: Record<string, unknown> = {};
  const consider = (key: string, value: unknown) => {
    const m = match(key);
    const current = m ? values[m.field] : undefined;
    const better =
      m !== null &&
      (current === undefined ||
        (isBlank(current) && !isBlank(value)) ||
        (!isBlank(value) && m.rank < (ranks[m.field] ?? 0)));
    if (!m || !better) {
      custom[key] = value;
      return;
    }
    if (current !== undefined) custom[names[m.field] ?? key] = current;
    values[m.field] = value;
    names[m.field] = key;
    units[m.field] = m.unitSeconds;
    ranks[m.field] = m.rank;
  };
  for (const key in obj) {
    const value = obj[key];
    if (isJsonObject(value)) for (const inner in value) consider(`${key}.${inner}`, value[inner]);
    else consider(key, value);
  }
  const nested = values[F.messages];
  return {
    line,
    raw,
    values,
    names,
    units,
    custom: Object.keys(custom).length > 0 ? custom : null,
    messages: Array.isArray(nested) ? nestedMessages(nested, dateOrder) : null,
  };
}

/** A `messages` array: each element an object with a role, a body and usually a time. */
function nestedMessages(list: readonly unknown[], dateOrder: DateOrder | null): Message[] | string {
  const messages: Message[] = [];
  for (let i = 0; i < list.length; i++) {
    const item = list[i];
    if (!isJsonObject(item)) return `message ${i + 1}: expected an object`;
    const v = new Array<unknown>(FIELD_COUNT);
    const take = (key: string, value: unknown) => {
      const field = nestedField(key);
      if (field !== null && v[field] === undefined) v[field] = value;
    };
    for (const key in item) {
      const value = item[key];
      if (isJsonObject(value)) for (const inner in value) take(`${key}.${inner}`, value[inner]);
      else take(key, value);
    }
    const body = bodyOf(v[F.messageBody]);
    if (body === null) continue;
    const authorRole = roleOf(v[F.authorRole]);
    if (authorRole === null) {
      const raw = textOf(v[F.authorRole]);
      return `message ${i + 1}: ${raw === null ? 'missing author role' : `unknown author role "${raw}"`}`;
    }
    const createdAt = isBlank(v[F.messageCreatedAt]) ? -1 : timeOf(v[F.messageCreatedAt], dateOrder);
    if (createdAt === null) {
      const time = String(v[F.messageCreatedAt]);
      return `message ${i + 1}: created_at "${time}" ${dateOrderProblem(time, dateOrder) ?? 'is not a time stamp'}`;
    }
    messages.push({
      externalId: idOf(v[F.messageId]),
      authorRole,
      authorId: textOf(v[F.authorId]),
      body,
      createdAt,
      public: publicOf(v[F.messagePublic]),
    });
  }
  return messages;
}

const nestedFields = new Map<string, number | null>();

function nestedField(key: string): number | null {
  let field = nestedFields.get(key);
  if (field === undefined) {
    field = matchHeader(key, true)?.field ?? null;
    if (nestedFields.size < 10_000) nestedFields.set(key, field);
  }
  return field;
}

// ---------------------------------------------------------------------------------------------------------------
// Detection

/** True when the object has a ticket id key with a plain value; asked of every JSON line, hence the cache. */
function hasIdKey(obj: JsonObject): boolean {
  for (const key in obj) {
    const value = obj[key];
    if (isJsonObject(value) || Array.isArray(value)) continue;
    let isId = idKeys.get(key);
    if (isId === undefined) {
      isId = matchHeader(key)?.field === F.externalId;
      if (idKeys.size < 10_000) idKeys.set(key, isId);
    }
    if (isId) return true;
  }
  return false;
}

const idKeys = new Map<string, boolean>();

function isGenericJson(head: string): boolean {
  if (!looksLikeJson(head) || pageWithoutRecords(head, GENERIC_LAYOUT) !== null) return false;
  const first = firstJsonRecord(head, GENERIC_LAYOUT);
  if (!isJsonObject(first) || hasVendorKeys(first)) return false;
  const match = keyMatcher({});
  const fields = new Set(flatKeys(first).map((k) => match(k)?.field));
  const hasText =
    fields.has(F.subject) || fields.has(F.body) || fields.has(F.messageBody) || fields.has(F.messages);
  return fields.has(F.externalId) && hasText;
}

/** Keys only vendor exports have (each vendor has its own importer). */
const VENDOR_KEYS = [
  'via',
  'raw_subject',
  'requester_id',
  'submitter_id',
  'responder_id',
  'fr_escalated',
  'cc_emails',
  'conversation_parts',
  '_embedded',
  'mailboxId',
];

/** Vendor keys in the object or one level down (`{"ticket": {...}}` wraps a Zendesk ticket). */
function hasVendorKeys(obj: JsonObject, nested = true): boolean {
  if (obj.type === 'conversation' || VENDOR_KEYS.some((k) => k in obj)) return true;
  return nested && Object.values(obj).some((v) => isJsonObject(v) && hasVendorKeys(v, false));
}
