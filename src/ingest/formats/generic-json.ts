import type { Readable } from 'node:stream';
import type { Message } from '../../domain/index.ts';
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
import { type FieldRow, messageRowGrouper, ticketFromRow } from './generic-rows.ts';

/**
 * Tickets as JSON objects whose keys name the fields (the same names and `--map` as the generic CSV, see
 * `column-mapping.ts`). Accepts a JSON array of objects, an object wrapping one array (`{"tickets": [...]}`: the
 * first array of objects is used), JSON Lines, and pretty-printed objects one after another. Nested objects are
 * matched by dotted path (`customer.email`); a `messages` (or `comments`) array of objects becomes the thread.
 * Objects with one message each and a ticket id (JSON Lines exported from a message table) are grouped like
 * message-per-row CSV files. A reject's line is the line on which the object starts.
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
  read: readGenericJson,
};

type JsonShape = 'array' | 'wrapped' | 'objects' | 'lines';

interface JsonPiece {
  line: number;
  text: string;
}

async function* readGenericJson(source: ImportSource, options: ImportOptions): AsyncIterable<ImportItem> {
  const shape = jsonShape(source.head);
  if (shape === null) {
    throw new UserError('import.wrong_format', 'not JSON: expected an array, an object or JSON Lines', {
      file: source.path,
    });
  }
  const match = keyMatcher(options.mapping);
  const first = firstRecord(source.head, shape);
  if (isObject(first)) checkFirstObject(first, options.mapping, match, source.path);
  const ticketSource = options.source ?? 'generic';
  const grouper = messageRowGrouper(ticketSource);
  let messagePerRow: boolean | null = null;
  for await (const pieces of jsonPieces(source.text(), shape)) {
    const out: ImportItem[] = [];
    for (const piece of pieces) {
      const value = parsePiece(piece);
      if (typeof value === 'string') {
        out.push({ kind: 'reject', line: piece.line, reason: value, raw: piece.text });
        continue;
      }
      const row = objectRow(value, piece, match);
      messagePerRow ??= row.names[F.messageBody] !== '' || row.names[F.authorRole] !== '';
      if (typeof row.messages === 'string') {
        out.push({ kind: 'reject', line: piece.line, reason: row.messages, raw: piece.text });
      } else if (messagePerRow) grouper.add(row as FieldRow, out);
      else out.push(ticketFromRow(row as FieldRow, ticketSource));
    }
    yield* out;
  }
  const out: ImportItem[] = [];
  grouper.end(out);
  yield* out;
}

function parsePiece(piece: JsonPiece): Record<string, unknown> | string {
  let value: unknown;
  try {
    value = JSON.parse(piece.text);
  } catch (cause) {
    return `invalid JSON: ${(cause as Error).message}`;
  }
  return isObject(value)
    ? value
    : `expected an object, found ${Array.isArray(value) ? 'an array' : typeof value}`;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Throws, before anything is read, when the first object lacks the id or time the mapping needs. */
function checkFirstObject(
  first: Record<string, unknown>,
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
function flatKeys(obj: Record<string, unknown>): string[] {
  return Object.entries(obj).flatMap(([key, value]) =>
    isObject(value) ? [key, ...Object.keys(value).map((k) => `${key}.${k}`)] : [key],
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
  obj: Record<string, unknown>,
  piece: JsonPiece,
  match: KeyMatcher,
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
    if (isObject(value)) for (const inner in value) consider(`${key}.${inner}`, value[inner]);
    else consider(key, value);
  }
  const nested = values[F.messages];
  return {
    line: piece.line,
    raw: piece.text,
    values,
    names,
    units,
    custom: Object.keys(custom).length > 0 ? custom : null,
    messages: Array.isArray(nested) ? nestedMessages(nested) : null,
  };
}

/** A `messages` array: each element an object with a role, a body and usually a time. */
function nestedMessages(list: readonly unknown[]): Message[] | string {
  const messages: Message[] = [];
  for (let i = 0; i < list.length; i++) {
    const item = list[i];
    if (!isObject(item)) return `message ${i + 1}: expected an object`;
    const v = new Array<unknown>(FIELD_COUNT);
    const take = (key: string, value: unknown) => {
      const field = nestedField(key);
      if (field !== null && v[field] === undefined) v[field] = value;
    };
    for (const key in item) {
      const value = item[key];
      if (isObject(value)) for (const inner in value) take(`${key}.${inner}`, value[inner]);
      else take(key, value);
    }
    const body = bodyOf(v[F.messageBody]);
    if (body === null) continue;
    const authorRole = roleOf(v[F.authorRole]);
    if (authorRole === null) {
      const raw = textOf(v[F.authorRole]);
      return `message ${i + 1}: ${raw === null ? 'missing author role' : `unknown author role "${raw}"`}`;
    }
    const createdAt = isBlank(v[F.messageCreatedAt]) ? -1 : timeOf(v[F.messageCreatedAt]);
    if (createdAt === null)
      return `message ${i + 1}: created_at "${String(v[F.messageCreatedAt])}" is not a time stamp`;
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
// Shape and splitting. Records are cut out of the text by a small scanner that tracks strings and nesting, then
// parsed one at a time with JSON.parse: memory holds one record, and each record knows its starting line.

/** Which layout the text has, judged from its head; null when it is not JSON at all. */
export function jsonShape(head: string): JsonShape | null {
  const text = (head.charCodeAt(0) === 0xfeff ? head.slice(1) : head).trimStart();
  if (text.startsWith('[')) return 'array';
  if (!text.startsWith('{')) return null;
  const newline = text.indexOf('\n');
  try {
    const line = JSON.parse(newline < 0 ? text : text.slice(0, newline));
    if (isObject(line)) return hasIdKey(line) || !hasObjectArray(line) ? 'lines' : 'wrapped';
  } catch {
    // Not one object per line: pretty-printed.
  }
  const prefix = beforeFirstArray(text);
  if (prefix === null) return 'objects';
  try {
    const parsed: unknown = JSON.parse(prefix);
    return isObject(parsed) && hasIdKey(parsed) ? 'objects' : 'wrapped';
  } catch {
    return 'objects';
  }
}

const hasIdKey = (obj: Record<string, unknown>) =>
  Object.entries(obj).some(
    ([k, v]) => !isObject(v) && !Array.isArray(v) && matchHeader(k)?.field === F.externalId,
  );

const hasObjectArray = (obj: Record<string, unknown>) =>
  Object.values(obj).some((v) => Array.isArray(v) && isObject(v[0]));

/**
 * The first top-level object cut before its first array value and closed (`{"a": 1, "items": null}`), so its
 * scalar keys can be read from the head of a pretty-printed file. Null when the head ends first.
 */
function beforeFirstArray(text: string): string | null {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) inString = true;
    else if (c === OPEN_BRACE) depth++;
    else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      depth--;
      if (depth === 0) return text.slice(0, i + 1);
    } else if (c === OPEN_BRACKET) {
      if (depth === 1) return `${text.slice(0, i)}null}`;
      depth++;
    }
  }
  return null;
}

function isGenericJson(head: string): boolean {
  const shape = jsonShape(head);
  if (shape === null) return false;
  const first = firstRecord(head, shape);
  if (!isObject(first) || hasVendorKeys(first)) return false;
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

function hasVendorKeys(obj: Record<string, unknown>): boolean {
  if (obj.type === 'conversation') return true;
  return VENDOR_KEYS.some((k) => k in obj);
}

/** The first record in the head, parsed; undefined when the head holds none whole. */
function firstRecord(head: string, shape: JsonShape): unknown {
  const pieces: JsonPiece[] = [];
  const text = head.charCodeAt(0) === 0xfeff ? head.slice(1) : head;
  if (shape === 'lines') {
    const split = lineSplitter();
    split(text, false, pieces);
  } else jsonScanner(shape)(text, false, pieces);
  const first = pieces[0];
  if (!first) return undefined;
  try {
    return JSON.parse(first.text);
  } catch {
    return undefined;
  }
}

type Splitter = (chunk: string, final: boolean, out: JsonPiece[]) => void;

async function* jsonPieces(text: Readable, shape: JsonShape): AsyncGenerator<JsonPiece[]> {
  const split = shape === 'lines' ? lineSplitter() : jsonScanner(shape);
  let first = true;
  for await (const chunk of text) {
    let piece = typeof chunk === 'string' ? chunk : String(chunk);
    if (first && piece.charCodeAt(0) === 0xfeff) piece = piece.slice(1);
    first = false;
    const out: JsonPiece[] = [];
    split(piece, false, out);
    if (out.length > 0) yield out;
  }
  const out: JsonPiece[] = [];
  split('', true, out);
  if (out.length > 0) yield out;
}

/** JSON Lines: one record per non-blank line. */
function lineSplitter(): Splitter {
  let carried = '';
  let line = 1;
  return (chunk, final, out) => {
    const text = carried + chunk;
    let start = 0;
    for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
      push(text.slice(start, nl), line++, out);
      start = nl + 1;
    }
    carried = text.slice(start);
    if (final && carried !== '') push(carried, line, out);
  };
}

function push(text: string, line: number, out: JsonPiece[]): void {
  const trimmed = text.trim();
  if (trimmed !== '') out.push({ line, text: trimmed });
}

const QUOTE = 34;
const BACKSLASH = 92;
const COMMA = 44;
const OPEN_BRACE = 123;
const CLOSE_BRACE = 125;
const OPEN_BRACKET = 91;
const CLOSE_BRACKET = 93;
const LF = 10;

/**
 * Cuts the records out of an array (`[{...}, {...}]`), of the first array of objects inside a top-level object,
 * or of a sequence of top-level values, across chunk boundaries. Only the record being cut is carried.
 */
function jsonScanner(shape: Exclude<JsonShape, 'lines'>): Splitter {
  let buf = '';
  let scanFrom = 0;
  let line = 1;
  let inString = false;
  let escaped = false;
  let depth = 0;
  /** Depth at which records sit; -1 while looking for the wrapped array. */
  let recordDepth = shape === 'objects' ? 0 : shape === 'array' ? 1 : -1;
  /** Wrapped: inside an array at depth 1 whose first element is not seen yet. */
  let candidate = false;
  let finished = false;
  let start = -1;
  let startLine = 0;
  let scalar = false;

  const emit = (end: number, out: JsonPiece[]) => {
    push(buf.slice(start, end), startLine, out);
    start = -1;
  };
  const open = (i: number, c: number) => {
    if (candidate && depth === 2) {
      candidate = false;
      if (c === OPEN_BRACE) recordDepth = 2;
    }
    if (start >= 0 || finished || depth !== recordDepth) return;
    start = i;
    startLine = line;
    scalar = c !== OPEN_BRACE && c !== OPEN_BRACKET;
  };

  return (chunk, final, out) => {
    buf += chunk;
    const n = buf.length;
    for (let i = scanFrom; i < n; i++) {
      const c = buf.charCodeAt(i);
      if (inString) {
        if (escaped) escaped = false;
        else if (c === BACKSLASH) escaped = true;
        else if (c === QUOTE) inString = false;
        else if (c === LF) line++;
        continue;
      }
      switch (c) {
        case QUOTE:
          open(i, c);
          inString = true;
          break;
        case LF:
          if (start >= 0 && scalar && depth === recordDepth) emit(i, out);
          line++;
          break;
        case 32:
        case 9:
        case 13:
          break;
        case OPEN_BRACE:
        case OPEN_BRACKET:
          open(i, c);
          if (c === OPEN_BRACKET && recordDepth < 0 && depth === 1 && !finished) candidate = true;
          depth++;
          break;
        case CLOSE_BRACE:
        case CLOSE_BRACKET:
          if (start >= 0 && scalar && depth === recordDepth) emit(i, out);
          depth--;
          if (start >= 0 && depth === recordDepth) emit(i + 1, out);
          if (depth === 1 && shape === 'wrapped') {
            if (recordDepth === 2) finished = true;
            candidate = false;
          }
          break;
        case COMMA:
          if (start >= 0 && scalar && depth === recordDepth) emit(i, out);
          break;
        default:
          open(i, c);
      }
    }
    if (final && start >= 0) emit(n, out);
    const keepFrom = start >= 0 ? start : n;
    buf = buf.slice(keepFrom);
    if (start >= 0) start = 0;
    scanFrom = n - keepFrom;
  };
}
