/**
 * API pages that hold no tickets: a page of comments, ticket events, users, the threads of one conversation...
 * Each format's layout names the arrays that hold its records (`json-layout.ts`); this module knows the arrays of
 * vendor APIs that hold something else, so that such a page is refused with what it is and how to import its data,
 * instead of each comment or event becoming a ticket or the page being read as one odd record.
 */
import { UserError } from '../../shared/index.ts';
import type { ImportSource } from '../importer.ts';
import { isJsonObject, isListPath, type JsonLayout, type JsonObject } from './json-layout.ts';
import { wrongFormat } from './wrong-format.ts';

const WITH_TICKETS =
  'import them with their tickets: a tickets page with them beside "tickets" (keyed by ticket id, or each with its "ticket_id")';
const TICKET_EXPORT = 'export the tickets themselves from /api/v2/incremental/tickets/cursor.json';

/** Arrays of API pages that hold something other than tickets: what they hold, and what to import instead. */
const OTHER_LISTS: Readonly<Record<string, string>> = {
  comments: `ticket comments (a Zendesk comments page), which do not say which ticket they belong to; import the comments with their tickets: the JSON export (one ticket per line with its "comments"), or a tickets page with the comments beside "tickets" (keyed by ticket id, or each with its "ticket_id")`,
  ticket_events: `ticket events (Zendesk's incremental ticket event export): changes made to tickets, not the tickets; ${TICKET_EXPORT}`,
  audits: `ticket audits (Zendesk): changes made to a ticket, not the tickets; ${TICKET_EXPORT}`,
  ticket_audits: `ticket audits (Zendesk): changes made to tickets, not the tickets; ${TICKET_EXPORT}`,
  ticket_metrics: `ticket metrics, not tickets; ${WITH_TICKETS}`,
  metric_sets: `ticket metrics, not tickets; ${WITH_TICKETS}`,
  satisfaction_ratings: `satisfaction ratings, not tickets; ${WITH_TICKETS}`,
  users: 'users (people), not tickets; side-load them on a tickets page (include=users)',
  organizations: 'organizations, not tickets; side-load them on a tickets page (include=organizations)',
  groups: 'groups, not tickets; side-load them on a tickets page (include=groups)',
  contacts: 'contacts (people), not tickets or conversations',
  customers: 'customers (people), not tickets or conversations',
  ticket_fields: 'ticket field definitions, not tickets',
  conversation_parts:
    'the parts of one Intercom conversation, which do not say which conversation they belong to; export whole conversations (GET /conversations/{id}), which carry their parts',
  threads:
    'the threads of one Help Scout conversation, which do not say which conversation they belong to; export the conversations with their threads (GET /v2/conversations?embed=threads)',
};
/** A problem with a page, for a UserError: `import.not_tickets` for a known list of something else. */
export interface PageProblem {
  code: 'import.not_tickets' | 'import.wrong_format';
  reason: string;
}

/**
 * Why a JSON file holds no records of this layout, judged from its head (the first 64 KiB): its top-level object
 * is not a record and holds a known list of something else, or, when the whole object is in the head, only arrays
 * the layout does not read. Null when it may hold records. A list the layout side-loads (Zendesk's `comments`)
 * decides only when the whole object is in the head, since the records may follow it.
 *
 * @example
 * pageWithoutRecords('{"comments": [{"id": 1, "body": "Hi"}], "count": 1}', { listPaths: [['tickets']] });
 * // { code: 'import.not_tickets', reason: 'the file holds "comments": ticket comments ...' }
 */
export function pageWithoutRecords(head: string, layout: JsonLayout): PageProblem | null {
  const page = headObject(head);
  if (page === null || page.keys.includes('id') || page.keys.some((k) => layout.itemKeys?.includes(k))) {
    return null;
  }
  if (layout.isRecord?.(Object.fromEntries(page.keys.map((k) => [k, '']))) === true) return null;
  return arraysWithoutRecords(page.arrays, layout, page.complete);
}

/**
 * For detection, when no format claims a file: what it holds instead of tickets when its head is a page of a
 * known list of something else (comments, ticket events, users...); null otherwise.
 */
export function notTicketsPage(head: string): string | null {
  const problem = pageWithoutRecords(head, { listPaths: [] });
  return problem?.code === 'import.not_tickets' ? problem.reason : null;
}

/** The same, judged from a whole top-level object that a format could not read as a record. */
export function objectWithoutRecords(value: JsonObject, layout: JsonLayout): PageProblem | null {
  if (layout.itemKeys?.some((k) => isJsonObject(value[k]))) return null;
  const arrays = Object.entries(value).flatMap(([key, v]) =>
    key === '_embedded' && isJsonObject(v)
      ? Object.entries(v).flatMap(([inner, w]) => (holdsObjects(w) ? [`${key}.${inner}`] : []))
      : holdsObjects(v)
        ? [key]
        : [],
  );
  return arraysWithoutRecords(arrays, layout, true);
}

/** The error for a page problem; `what` names the format in a wrong-format message (`a Zendesk export`). */
export function pageError(source: ImportSource, what: string, problem: PageProblem): UserError {
  return problem.code === 'import.not_tickets'
    ? new UserError(problem.code, `not tickets: ${problem.reason}`, { file: source.path })
    : wrongFormat(source, what, problem.reason);
}

const holdsObjects = (v: unknown) => Array.isArray(v) && isJsonObject(v[0]);

function arraysWithoutRecords(
  arrays: readonly string[],
  layout: JsonLayout,
  whole: boolean,
): PageProblem | null {
  if (arrays.some((a) => isListPath(layout, a.split('.')))) return null;
  // Without record paths (generic JSON) the first array of objects holds the records.
  const read = layout.listPaths.length === 0 ? arrays.slice(0, 1) : arrays;
  const other = read.find((a) => otherList(a) !== undefined && (whole || !layout.sideKeys?.includes(a)));
  if (other !== undefined) {
    return { code: 'import.not_tickets', reason: `the file holds "${other}": ${otherList(other)}` };
  }
  if (!whole || layout.listPaths.length === 0 || arrays.length === 0) return null;
  const expected = layout.listPaths.map((p) => `"${p.join('.')}"`).join(' or ');
  const item = layout.itemKeys?.length ? ` (or one record in "${layout.itemKeys.join('" or "')}")` : '';
  return {
    code: 'import.wrong_format',
    reason: `the file is an object whose arrays are ${arrays.map((a) => `"${a}"`).join(', ')}; this format reads its records from ${expected}${item}`,
  };
}

/** `_embedded.threads` is Help Scout's wrapping of `threads`. */
const otherList = (path: string): string | undefined =>
  OTHER_LISTS[path.startsWith('_embedded.') ? path.slice('_embedded.'.length) : path];

/** What the head shows of a top-level JSON object. */
interface HeadObject {
  /** Its keys, in order, as far as the head goes. */
  keys: string[];
  /** Keys (and `_embedded.<key>` paths) whose value is an array starting with an object. */
  arrays: string[];
  /** The whole object is in the head. */
  complete: boolean;
}

const WHITE = /\s/;

function jsonString(quoted: string): string | null {
  try {
    return JSON.parse(quoted) as string;
  } catch {
    return null;
  }
}

/**
 * The keys and arrays of the object a head starts with (of the first line, in JSON Lines), without parsing the
 * rest: only its first level is looked at, and `_embedded`'s. Null when the head does not start with an object.
 */
function headObject(head: string): HeadObject | null {
  let i = 0;
  while (i < head.length && WHITE.test(head.charAt(i))) i++;
  if (head.charAt(i) !== '{') return null;
  const page: HeadObject = { keys: [], arrays: [], complete: false };
  /** Open containers, `{` or `[`; and the key being read at each object level. */
  const open: string[] = [];
  const keys: string[] = [];
  let expectKey = false;
  for (; i < head.length; i++) {
    const c = head.charAt(i);
    if (c === '"') {
      const end = stringEnd(head, i);
      if (end < 0) break;
      if (expectKey) {
        const key = jsonString(head.slice(i, end + 1));
        // A key that is not valid JSON (a bad escape, a raw control character): nothing can be judged from the
        // head; the record reader rejects what it cannot parse, with its line.
        if (key === null) return null;
        keys[open.length - 1] = key;
        if (open.length === 1) page.keys.push(key);
        expectKey = false;
      }
      i = end;
    } else if (c === '{' || c === '[') {
      const path =
        open.length === 1
          ? keys[0]
          : open.length === 2 && keys[0] === '_embedded'
            ? `_embedded.${keys[1]}`
            : null;
      if (c === '[' && path && open.every((o) => o === '{') && nextNonWhite(head, i + 1) === '{') {
        page.arrays.push(path);
      }
      open.push(c);
      expectKey = c === '{';
    } else if (c === '}' || c === ']') {
      open.pop();
      if (open.length === 0) {
        page.complete = true;
        break;
      }
    } else if (c === ',') {
      expectKey = open[open.length - 1] === '{';
    }
  }
  return page;
}

/** The index of the quote that ends the string starting at `start`, or -1 when the head ends first. */
function stringEnd(text: string, start: number): number {
  for (let i = start + 1; i < text.length; i++) {
    const c = text.charAt(i);
    if (c === '\\') i++;
    else if (c === '"') return i;
  }
  return -1;
}

function nextNonWhite(text: string, from: number): string {
  let i = from;
  while (i < text.length && WHITE.test(text.charAt(i))) i++;
  return text.charAt(i);
}
