/**
 * Streams the records of a JSON export, each with the physical line it starts on: the one JSON reader of the
 * JSON importers (Zendesk, Freshdesk, Intercom, Help Scout, generic JSON).
 *
 * Shapes: JSON Lines (a line is a record, an array of records or a page holding them); a document that is an
 * array of records, a wrapper object holding them (`{"tickets": [...]}`, `{"_embedded": {"conversations":
 * [...]}}`), a single record, or several of these one after another. A document is cut into records by a
 * validating scanner (`json-document-scanner.ts`) and each record is parsed on its own, so memory holds one
 * record and every record, and every syntax error, knows its line.
 *
 * Errors: a bad line in JSON Lines is one reject and reading goes on. A syntax error in a document ends it: the
 * records before it are yielded, then one reject; before the first record it is an `import.invalid_json`
 * UserError instead, since nothing of the file could be read.
 */
import { UserError } from '../../shared/index.ts';
import type { ImportSource } from '../importer.ts';
import { type DocumentEvent, documentScanner } from './json-document-scanner.ts';
import { type JsonLayout, type JsonObject, recordsIn } from './json-layout.ts';

/** True when the head starts like a JSON document or JSON Lines (`[` or `{` after white space). */
export const looksLikeJson = (head: string): boolean => /^\s*[[{]/.test(head);

/** True when `"key":` appears as an object key (not inside a string value, where the quotes are escaped). */
export const hasJsonKey = (head: string, key: string): boolean =>
  new RegExp(`[{,\\s]"${key}"\\s*:`).test(head);

/** A record, or a piece of the file that could not be read (a bad JSON line, a syntax error in a document). */
export type JsonRecord =
  | {
      kind: 'record';
      /** The physical line on which the record starts. */
      line: number;
      /** Where the record sits when the line does not say it: `record 3`, `record 2 on this line`. */
      where: string | null;
      value: unknown;
      /** The JSON line as written when the line is the record itself; null otherwise. */
      raw: string | null;
      /** The record as written in a document; null in JSON Lines and for a top-level object (read key by key). */
      text: string | null;
      /** The object the record was found in (for side-loads); in a document read once, as far as read. */
      wrapper: JsonObject | null;
    }
  | { kind: 'broken'; line: number; reason: string; raw: string };

/**
 * Reads every record of the file, in order, in batches (one per chunk of text, so the per-record cost stays a
 * loop, not an await). Throws `import.invalid_json` when a document breaks before its first record, or a document
 * with side-loads breaks anywhere (its records are not given without them).
 *
 * @example
 * for await (const batch of jsonRecords(source, { listPaths: [['tickets']] })) {
 *   for (const r of batch) if (r.kind === 'record') console.log(r.line, r.where, r.value);
 * }
 */
export async function* jsonRecords(source: ImportSource, layout: JsonLayout): AsyncGenerator<JsonRecord[]> {
  if (isJsonLines(source.head)) {
    yield* lineRecords(source, layout);
    return;
  }
  const wrappers = hasSideLoads(source.head, layout) ? await readWrappers(source, layout) : undefined;
  yield* documentRecords(source, layout, wrappers);
}

/**
 * The first record in the head, for detection: undefined when the head holds no whole record or is not JSON.
 *
 * @example
 * firstJsonRecord('{"tickets": [{"id": 1}, {"id": 2', { listPaths: [['tickets']] }); // {id: 1}
 */
export function firstJsonRecord(head: string, layout: JsonLayout): unknown {
  if (isJsonLines(head)) {
    const text = head.trimStart();
    const value = parseOrUndefined(text.slice(0, text.indexOf('\n')));
    const page = recordsIn(value, layout);
    return page === null ? value : page.records[0];
  }
  const events: DocumentEvent[] = [];
  documentScanner(layout, events).feed(head, false);
  const first = events[0];
  return first?.kind === 'record' ? first.value : undefined;
}

/**
 * JSON Lines when the first line is one whole object (a bad line then costs one reject); otherwise a document,
 * which also covers JSON Lines whose first line is longer than the head (read as objects one after another).
 */
export function isJsonLines(head: string): boolean {
  const text = head.trimStart();
  const end = text.indexOf('\n');
  if (end < 0) return false;
  const first = text.slice(0, end).trim();
  return first.startsWith('{') && first.endsWith('}');
}

function parseOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

async function* lineRecords(source: ImportSource, layout: JsonLayout): AsyncGenerator<JsonRecord[]> {
  let line = 0;
  let carried = '';
  const take = (text: string, out: JsonRecord[]) => {
    line++;
    if (text.trim() !== '') lineRecord(text, line, layout, out);
  };
  for await (const chunk of source.text()) {
    const text = carried + String(chunk);
    const out: JsonRecord[] = [];
    const breaks = lineBreaks(text);
    let start = 0;
    for (let end = breaks.next(0); end >= 0; end = breaks.next(start)) {
      take(text.slice(start, end), out);
      start = end + (text.charCodeAt(end) === CR && text.charCodeAt(end + 1) === LF ? 2 : 1);
    }
    carried = text.slice(start);
    if (out.length > 0) yield out;
  }
  const out: JsonRecord[] = [];
  if (carried !== '') take(carried, out);
  if (out.length > 0) yield out;
}

const LF = 10;
const CR = 13;

/**
 * The line breaks of a text (LF, CRLF or a lone CR, as readline counts them). `next(from)` gives the first at or
 * after `from`: -1 when there is none, or the text ends with a CR whose LF may start the next chunk.
 */
function lineBreaks(text: string) {
  // Each search result is kept until passed, so a chunk is scanned once whatever its number of lines.
  let lf = -2;
  let cr = -2;
  return {
    next(from: number): number {
      if (lf !== -1 && lf < from) lf = text.indexOf('\n', from);
      if (cr !== -1 && cr < from) cr = text.indexOf('\r', from);
      if (cr < 0 || (lf >= 0 && lf < cr)) return lf;
      return cr === text.length - 1 ? -1 : cr;
    },
  };
}

function lineRecord(text: string, line: number, layout: JsonLayout, out: JsonRecord[]): void {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    out.push({ kind: 'broken', line, reason: `invalid JSON: ${(cause as Error).message}`, raw: text });
    return;
  }
  const page = recordsIn(value, layout);
  if (page === null) {
    out.push({ kind: 'record', line, where: null, value, raw: text, text: null, wrapper: null });
    return;
  }
  for (const [index, record] of page.records.entries()) {
    const where = page.listed ? `record ${index + 1} on this line` : null;
    const raw = page.listed ? null : text;
    out.push({ kind: 'record', line, where, value: record, raw, text: null, wrapper: page.wrapper });
  }
}

function hasSideLoads(head: string, layout: JsonLayout): boolean {
  return (layout.sideKeys?.length ?? 0) > 0 && head.trimStart().startsWith('{');
}

/** The first pass over a document with side-loads: each top-level value's wrapper keys (null for non-objects). */
async function readWrappers(source: ImportSource, layout: JsonLayout): Promise<(JsonObject | null)[]> {
  const events: DocumentEvent[] = [];
  const wrappers: (JsonObject | null)[] = [];
  const scanner = documentScanner(layout, events, { collectWrappers: wrappers });
  for await (const chunk of source.text()) {
    scanner.feed(String(chunk), false);
    throwOnError(source, events);
  }
  scanner.feed('', true);
  throwOnError(source, events);
  return wrappers;
}

function throwOnError(source: ImportSource, events: DocumentEvent[]): void {
  for (const event of events.splice(0)) {
    if (event.kind === 'error') throw invalidJson(source, event.line, event.detail);
  }
}

async function* documentRecords(
  source: ImportSource,
  layout: JsonLayout,
  wrappers: readonly (JsonObject | null)[] | undefined,
): AsyncGenerator<JsonRecord[]> {
  const events: DocumentEvent[] = [];
  const scanner = documentScanner(layout, events, { wrappers });
  let count = 0;
  /** The records found so far, and the syntax error (as a reject) that ends the file, if any. */
  const take = (): { out: JsonRecord[]; done: boolean } => {
    const out: JsonRecord[] = [];
    for (const event of events.splice(0)) {
      if (event.kind === 'record') {
        count++;
        out.push(event);
        continue;
      }
      if (count === 0) throw invalidJson(source, event.line, event.detail);
      const reason = `invalid JSON after record ${count}, the rest of the file was not read: ${event.detail}`;
      out.push({ kind: 'broken', line: event.line, reason, raw: event.raw });
      return { out, done: true };
    }
    return { out, done: false };
  };
  for await (const chunk of source.text()) {
    scanner.feed(String(chunk), false);
    const { out, done } = take();
    if (out.length > 0) yield out;
    if (done) return;
  }
  scanner.feed('', true);
  const { out } = take();
  if (out.length > 0) yield out;
}

function invalidJson(source: ImportSource, line: number, detail: string): UserError {
  return new UserError('import.invalid_json', `not valid JSON: ${detail}`, { file: source.path, line });
}
