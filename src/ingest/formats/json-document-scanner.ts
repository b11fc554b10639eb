/**
 * Cuts the records out of a streamed JSON document, for `json-records.ts`.
 *
 * Why a scanner and not stream-json's token stream: line numbers need the text fed a line at a time, which made
 * stream-json read about 9 MB/s; this scanner checks the grammar character by character (so a syntax error is
 * found on its own line), slices each record out of the text and hands it to `JSON.parse`: about 60 MB/s, parsing
 * included (a 26 MB pretty-printed array, on the 2-core dev box).
 * Only the wrapper levels are interpreted (keys, the layout's record arrays, wrapper values); a record is
 * validated but not built until it is complete, so memory holds one record.
 *
 * Text is scanned chunk by chunk and never again: what an unfinished record still needs is kept as a list of
 * chunks and joined once, when the record ends (a 100 MB record costs linear time).
 */
import { isJsonObject, isListPath, isOnListPath, type JsonLayout, type JsonObject } from './json-layout.ts';

/** What the scanner found: a record, or the syntax error that ended the document. */
export type DocumentEvent =
  | {
      kind: 'record';
      line: number;
      where: string | null;
      value: unknown;
      raw: null;
      /** The record as written; null for a top-level object, which is read key by key. */
      text: string | null;
      wrapper: JsonObject | null;
    }
  | { kind: 'error'; line: number; detail: string; raw: string };

export interface ScanOptions {
  /** Wrappers read by a first pass (`collectWrappers`), by top-level value: handed to their records. */
  wrappers?: readonly (JsonObject | null)[];
  /** First pass: store each top-level value's side-load keys here (null for non-objects); no records. */
  collectWrappers?: (JsonObject | null)[];
}

/** A container outside any record, interpreted by the layout. */
interface Frame {
  /** wrapper: a top-level object; path: an object on the way to a record array; list: a record array;
   * maybe-list: an array in a wrapper whose first element decides (`isRecord` layouts). */
  role: 'wrapper' | 'path' | 'list' | 'maybe-list';
  /** Wrapper and path objects: the values read so far, records left out. */
  obj: JsonObject;
  path: readonly string[];
  /** The key whose value is being read. */
  key: string | null;
  line: number;
  /** Absolute offset of the opening bracket (maybe-list: it becomes a plain value if it holds no objects). */
  start: number;
  /** Wrapper: one of its arrays holds records. */
  listed: boolean;
  /** Wrapper: the line where an item key's value starts. */
  itemLine: number;
}

// What the grammar allows next.
const VALUE = 0;
const FIRST_VALUE = 1;
const FIRST_KEY = 2;
const KEY = 3;
const COLON = 4;
const AFTER_VALUE = 5;

const OBJECT = 0;
const ARRAY = 1;

const TAB = 9;
const LF = 10;
const CR = 13;
const SPACE = 32;
const QUOTE = 34;
const COMMA = 44;
const COLON_CHAR = 58;
const OPEN_BRACKET = 91;
const BACKSLASH = 92;
const CLOSE_BRACKET = 93;
const OPEN_BRACE = 123;
const CLOSE_BRACE = 125;

/** A run of string characters that need no look: not a quote, a backslash or a control character. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what the run must stop at.
const PLAIN_RUN = /[^"\\\u0000-\u001f]+/y;
const LITERAL = /^(?:-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null)$/;
/** A raw excerpt for a syntax-error reject: enough to find the spot, never a whole minified file. */
const EXCERPT_CHARS = 500;

const isLiteralStart = (c: number) => c === 45 || (c >= 48 && c <= 57) || c === 116 || c === 102 || c === 110;
const isLiteralChar = (c: number) =>
  (c >= 48 && c <= 57) || (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 43 || c === 45 || c === 46;
const isHex = (c: number) => (c >= 48 && c <= 57) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70);
// " \ / b f n r t
const isSimpleEscape = (c: number) =>
  c === 34 || c === 92 || c === 47 || c === 98 || c === 102 || c === 110 || c === 114 || c === 116;

function expected(state: number, container: number | undefined): string {
  switch (state) {
    case FIRST_VALUE:
      return 'a value or "]"';
    case FIRST_KEY:
      return 'a key or "}"';
    case KEY:
      return 'a key';
    case COLON:
      return '":"';
    case AFTER_VALUE:
      if (container === undefined) return 'a new value';
      return container === OBJECT ? '"," or "}"' : '"," or "]"';
    default:
      return 'a value';
  }
}

const shown = (c: number) => (c < SPACE ? `\\u${c.toString(16).padStart(4, '0')}` : String.fromCharCode(c));
const quoted = (c: number) => (c === QUOTE ? `'"'` : `"${shown(c)}"`);

/**
 * A scanner over one document (or several, one after another). `feed` each chunk, then `feed('', true)`; the
 * records and the error, if any, are pushed to `events` as they are found. After an error it reads nothing more.
 *
 * @example
 * const events: DocumentEvent[] = [];
 * const scanner = documentScanner({ listPaths: [['tickets']] }, events);
 * scanner.feed('{"tickets": [{"id": 1},\n{"id": 2}]}', true); // events: records {id: 1} line 1, {id: 2} line 2
 */
export function documentScanner(layout: JsonLayout, events: DocumentEvent[], options: ScanOptions = {}) {
  const itemKeys = layout.itemKeys ?? [];
  const sideKeys = layout.sideKeys ?? [];
  const collect = options.collectWrappers;

  // Text from `heldFrom` (an absolute offset) up to the current chunk, for what is unfinished.
  let held: string[] = [];
  let heldFrom = 0;
  let chunk = '';
  /** Absolute offset of the current chunk's first character. */
  let base = 0;
  let failed = false;

  let line = 1;
  let lineStart = 0;
  const containers: number[] = [];
  let state = VALUE;
  let inString = false;
  let isKey = false;
  /** Absolute offset of a wrapper key being read (its text is needed), or -1. */
  let keyStart = -1;
  let escaped = false;
  let hexLeft = 0;
  let literalStart = -1;

  // The value being cut out: a record, or a value of a wrapper key. -1: none.
  let pieceDepth = -1;
  let pieceStart = 0;
  let pieceLine = 0;
  let pieceIsRecord = false;
  let pieceWhere: string | null = null;

  const frames: Frame[] = [];
  let topIndex = -1;
  let count = 0;

  const frame = (role: Frame['role'], path: readonly string[], start: number): Frame => ({
    role,
    obj: {},
    path,
    key: null,
    line,
    start,
    listed: false,
    itemLine: line,
  });

  function text(from: number, to: number): string {
    if (from >= base) return chunk.slice(from - base, to - base);
    return (held.join('') + chunk.slice(0, Math.max(0, to - base))).slice(from - heldFrom, to - heldFrom);
  }

  // A syntax error is reported once the rest of its line (up to 100 characters) is read, for the excerpt.
  let error: { line: number; detail: string; at: number; from: number; until: number } | null = null;
  let reported = false;

  function fail(detail: string, at: number): void {
    failed = true;
    const available = held.length > 0 ? heldFrom : base;
    const from = Math.max(pieceDepth >= 0 ? pieceStart : lineStart, available, at - EXCERPT_CHARS);
    error = { line, detail, at, from, until: Math.max(at, from) + 100 };
  }

  function report(final: boolean): void {
    if (error === null || reported) return;
    const end = base + chunk.length;
    const eol = chunk.indexOf('\n', Math.max(0, error.at - base));
    let to = eol >= 0 ? base + eol : end;
    if (eol < 0 && !final && end < error.until) return;
    to = Math.min(to, error.until);
    events.push({ kind: 'error', line: error.line, detail: error.detail, raw: text(error.from, to).trim() });
    reported = true;
  }

  function parse(json: string, at: number): unknown {
    try {
      return JSON.parse(json);
    } catch (cause) {
      // The grammar was checked character by character, so this is not expected; report it rather than crash.
      fail((cause as Error).message, at);
      return undefined;
    }
  }

  const record = (
    line: number,
    where: string | null,
    value: unknown,
    text: string | null,
    wrapper: JsonObject | null,
  ): DocumentEvent => ({ kind: 'record', line, where, value, raw: null, text, wrapper });

  const wrapperOf = (): JsonObject | null => {
    const top = frames[0];
    return options.wrappers?.[topIndex] ?? (top?.role === 'wrapper' ? top.obj : null);
  };

  function startPiece(at: number, depth: number, isRecord: boolean, where: string | null, startLine = line) {
    pieceDepth = depth;
    pieceStart = at;
    pieceLine = startLine;
    pieceIsRecord = isRecord;
    pieceWhere = where;
  }

  /** A value outside any piece starts at `at` with character `c`: decides what it is. */
  function startValue(c: number, at: number): void {
    const depth = containers.length;
    if (depth === 0) {
      topIndex++;
      if (collect) collect[topIndex] = null;
      if (c === OPEN_BRACKET) frames.push(frame('list', [], at));
      else if (c === OPEN_BRACE) frames.push(frame('wrapper', [], at));
      else startPiece(at, depth, true, null);
      return;
    }
    const parent = frames[depth - 1] as Frame;
    if (parent.role === 'list') {
      startPiece(at, depth, true, `record ${++count}`);
    } else if (parent.role === 'maybe-list') {
      if (c === OPEN_BRACE) {
        parent.role = 'list';
        (frames[0] as Frame).listed = true;
        startPiece(at, depth, true, `record ${++count}`);
      } else {
        // Not an array of objects: the whole array is a plain value of the wrapper.
        frames.pop();
        startPiece(parent.start, depth - 1, false, null, parent.line);
      }
    } else {
      const path = [...parent.path, parent.key as string];
      if (c === OPEN_BRACKET && isListPath(layout, path)) {
        frames.push(frame('list', path, at));
        (frames[0] as Frame).listed = true;
      } else if (c === OPEN_BRACE && isOnListPath(layout, path)) {
        frames.push(frame('path', path, at));
      } else if (
        c === OPEN_BRACKET &&
        parent.role === 'wrapper' &&
        layout.isRecord &&
        !parent.listed &&
        !layout.isRecord(parent.obj)
      ) {
        frames.push(frame('maybe-list', path, at));
      } else {
        if (parent.role === 'wrapper' && itemKeys.includes(parent.key as string)) parent.itemLine = line;
        startPiece(at, depth, false, null);
      }
    }
  }

  /** A value ended just before `end`. */
  function endValue(end: number): void {
    state = AFTER_VALUE;
    if (pieceDepth !== containers.length) return;
    pieceDepth = -1;
    if (pieceIsRecord) {
      if (collect) return;
      const json = text(pieceStart, end);
      const value = parse(json, end);
      if (!failed) events.push(record(pieceLine, pieceWhere, value, json, wrapperOf()));
      return;
    }
    const owner = frames[frames.length - 1] as Frame;
    const key = owner.key as string;
    if (collect && !(frames.length === 1 && sideKeys.includes(key))) return;
    owner.obj[key] = parse(text(pieceStart, end), end);
  }

  function endFrame(done: Frame): void {
    const owner = frames[frames.length - 1];
    if (done.role === 'maybe-list' || done.role === 'path') {
      if (owner) owner.obj[owner.key as string] = done.role === 'path' ? done.obj : [];
      return;
    }
    if (done.role !== 'wrapper') return;
    if (collect) {
      collect[topIndex] = done.obj;
      return;
    }
    if (done.listed) return;
    const item = itemKeys.find((key) => isJsonObject(done.obj[key]));
    if (item !== undefined) {
      const wrapper = options.wrappers?.[topIndex] ?? done.obj;
      events.push(record(done.itemLine, null, done.obj[item], null, wrapper));
    } else if (!layout.isPage?.(done.obj)) {
      events.push(record(done.line, null, done.obj, null, null));
    }
  }

  function close(at: number): void {
    const depth = containers.length;
    containers.pop();
    if (pieceDepth < 0 && frames.length === depth) endFrame(frames.pop() as Frame);
    endValue(at + 1);
  }

  function unexpected(c: number, at: number): void {
    fail(`expected ${expected(state, containers[containers.length - 1])} but found ${quoted(c)}`, at);
  }

  /** A value may start here: where the grammar expects one, or at the top level, after a value. */
  const acceptsValue = () =>
    state === VALUE || state === FIRST_VALUE || (state === AFTER_VALUE && containers.length === 0);

  function endLiteral(end: number): void {
    const literal = text(literalStart, end);
    literalStart = -1;
    if (LITERAL.test(literal)) endValue(end);
    else fail(`"${literal.slice(0, 40)}" is not a JSON value`, end - 1);
  }

  /** Scans string characters from `j`; returns where scanning goes on. */
  function scanString(j: number): number {
    const n = chunk.length;
    for (; j < n; j++) {
      if (hexLeft === 0 && !escaped) {
        PLAIN_RUN.lastIndex = j;
        if (PLAIN_RUN.test(chunk)) j = PLAIN_RUN.lastIndex;
        if (j >= n) return n;
      }
      const c = chunk.charCodeAt(j);
      if (hexLeft > 0) {
        if (!isHex(c)) {
          fail(`a bad \\u escape in a string`, base + j);
          return n;
        }
        hexLeft--;
      } else if (escaped) {
        escaped = false;
        if (c === 117) hexLeft = 4;
        else if (!isSimpleEscape(c)) {
          fail(`a bad escape "\\${shown(c)}" in a string`, base + j);
          return n;
        }
      } else if (c === BACKSLASH) {
        escaped = true;
      } else if (c === QUOTE) {
        inString = false;
        if (!isKey) endValue(base + j + 1);
        else {
          if (keyStart >= 0) {
            const owner = frames[frames.length - 1] as Frame;
            owner.key = parse(text(keyStart, base + j + 1), base + j) as string;
            keyStart = -1;
          }
          state = COLON;
        }
        return j + 1;
      } else if (c < SPACE) {
        fail(c === LF ? 'a line break inside a string' : 'a control character inside a string', base + j);
        return n;
      }
    }
    return n;
  }

  function scan(): void {
    const n = chunk.length;
    let j = 0;
    while (j < n && !failed) {
      if (inString) {
        j = scanString(j);
        continue;
      }
      const c = chunk.charCodeAt(j);
      if (literalStart >= 0) {
        if (isLiteralChar(c)) {
          j++;
          continue;
        }
        endLiteral(base + j);
        continue;
      }
      if (c === SPACE || c === TAB || c === CR) {
        j++;
        continue;
      }
      let ok = true;
      switch (c) {
        case LF:
          line++;
          lineStart = base + j + 1;
          break;
        case QUOTE:
          isKey = state === FIRST_KEY || state === KEY;
          ok = isKey || acceptsValue();
          if (isKey) keyStart = pieceDepth < 0 ? base + j : -1;
          else if (ok && pieceDepth < 0) startValue(c, base + j);
          inString = ok;
          break;
        case OPEN_BRACE:
        case OPEN_BRACKET:
          ok = acceptsValue();
          if (!ok) break;
          if (pieceDepth < 0) startValue(c, base + j);
          containers.push(c === OPEN_BRACE ? OBJECT : ARRAY);
          state = c === OPEN_BRACE ? FIRST_KEY : FIRST_VALUE;
          break;
        case CLOSE_BRACE:
        case CLOSE_BRACKET: {
          const kind = c === CLOSE_BRACE ? OBJECT : ARRAY;
          const empty = kind === OBJECT ? state === FIRST_KEY : state === FIRST_VALUE;
          ok = empty || (state === AFTER_VALUE && containers[containers.length - 1] === kind);
          if (ok) close(base + j);
          break;
        }
        case COMMA: {
          const container = containers[containers.length - 1];
          ok = state === AFTER_VALUE && container !== undefined;
          if (ok) state = container === OBJECT ? KEY : VALUE;
          break;
        }
        case COLON_CHAR:
          ok = state === COLON;
          if (ok) state = VALUE;
          break;
        default:
          ok = acceptsValue() && isLiteralStart(c);
          if (!ok) break;
          if (pieceDepth < 0) startValue(c, base + j);
          literalStart = base + j;
      }
      if (!ok) {
        unexpected(c, base + j);
        return;
      }
      j++;
    }
  }

  /** Keeps the text an unfinished piece, key or undecided array still needs, and drops the rest. */
  function hold(): void {
    let keep = error === null ? Number.POSITIVE_INFINITY : error.from;
    if (pieceDepth >= 0) keep = Math.min(keep, pieceStart);
    if (inString && keyStart >= 0) keep = Math.min(keep, keyStart);
    if (literalStart >= 0) keep = Math.min(keep, literalStart);
    for (const f of frames) if (f.role === 'maybe-list') keep = Math.min(keep, f.start);
    const end = base + chunk.length;
    if (keep >= end) {
      held = [];
      heldFrom = end;
    } else if (keep >= base) {
      held = [chunk.slice(keep - base)];
      heldFrom = keep;
    } else {
      while (held.length > 0 && heldFrom + (held[0] as string).length <= keep) {
        heldFrom += (held.shift() as string).length;
      }
      held.push(chunk);
    }
    base = end;
    chunk = '';
  }

  return {
    /** Scans the next chunk of text; `final` marks the end of the file. */
    feed(next: string, final: boolean): void {
      if (reported) return;
      chunk = next;
      if (!failed) scan();
      if (final && !failed) {
        if (literalStart >= 0) endLiteral(base + chunk.length);
        if (!failed && (inString || containers.length > 0)) {
          fail('the file ends before the JSON is complete', base + chunk.length);
        }
      }
      report(final);
      hold();
    },
  };
}
