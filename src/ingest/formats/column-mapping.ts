/**
 * Column mapping for the generic formats (`generic-csv`, `generic-json`): which column (CSV header) or key (JSON)
 * holds which ticket field, and how its text becomes a typed value.
 *
 * ## Field names
 *
 * These are the names accepted by `--map field=column` and by a mapping file (`field: column` pairs). Matching of
 * field names is case-insensitive and ignores `_`/`-`, so `external_id` and `externalId` are the same field.
 *
 * | field | meaning | recognised column names (besides the field name itself) |
 * | --- | --- | --- |
 * | `externalId` | ticket id (required) | `ticket_id`, `id`, `Ticket ID`, `ticket number`, `case id`, `conversation id`, `number` |
 * | `subject` | subject line | `Ticket Subject`, `title`, `summary`, `issue` |
 * | `body` | description: the opening customer message | `description`, `Ticket Description`, `message`, `text`, `content`, `issue description` |
 * | `status` | helpdesk status word (kept raw in statusRaw) | `Ticket Status`, `state` |
 * | `priority` | low / normal (medium) / high / urgent (critical) | `Ticket Priority`, `urgency`, `severity` |
 * | `channel` | email, chat, phone, web, social... | `Ticket Channel`, `via`, `source`, `medium`, `origin` |
 * | `tags` | tags, separated by `\|` or `,` (a JSON array also works) | `labels` |
 * | `category` | type / category / topic | `Ticket Type`, `type`, `issue type`, `topic`, `reason` |
 * | `customerId` | the requester's id | `requester id`, `contact id`, `user id` |
 * | `customerEmail` | | `Requester email`, `Customer Email`, `email` |
 * | `customerName` | | `Requester`, `Customer Name`, `Full name`, `name` |
 * | `segment` | plan or tier | `customer_plan`, `plan`, `tier` |
 * | `assignee` | | `agent`, `owner`, `responder`, `assigned to`, `Assigned_Agent`, `agent assigned`, `assignee name`, `handled by` |
 * | `group` | | `team`, `queue`, `assigned group` |
 * | `createdAt` | ticket creation time (required unless messages carry times) | `created`, `Created time`, `date created`, `opened at`, `created on`, `date` |
 * | `updatedAt` | | `updated`, `Last update time`, `modified` |
 * | `firstResponseAt` | first reply time stamp | `first reply at`, `Initial response time`, `First Response Time` (without a unit) |
 * | `resolvedAt` | | `solved at`, `Resolved time`, `Time to Resolution` (without a unit) |
 * | `closedAt` | | `Closed time` |
 * | `firstResponseMinutes` | duration, used when no firstResponseAt | `First reply time in minutes`, `First response time (in hrs)`, `frt` |
 * | `resolutionMinutes` | duration, used when no resolvedAt | `Full resolution time in minutes`, `Resolution time (in hrs)` |
 * | `csat` | 1-5, 0-10, good/bad, percentages (raw kept in csatRaw) | `Satisfaction Score`, `Survey results`, `Customer Satisfaction Rating`, `rating` |
 * | `handleTimeSeconds` | agent handling time in seconds | `handle_time_seconds`, `handle time`, `aht` |
 * | `handleTimeMinutes` | the same in minutes | `handle time (min)` |
 * | `reopens` | reopen count | `reopen count`, `times reopened` |
 * | `messageId` | message-per-row files: the message's id | `comment id` |
 * | `authorRole` | customer, agent, bot or system (also requester/end-user, admin/staff, automation...) | `author type`, `sender type` |
 * | `authorId` | | `author`, `sender id` |
 * | `messageBody` | the message text (HTML is turned into text) | `message text`, `comment body` |
 * | `messageCreatedAt` | | `message created`, `sent at` |
 * | `messagePublic` | true/false, yes/no, 1/0, public/private/internal | `public`, `is public` |
 * | `messages` | JSON only: an array of message objects inside a ticket object | `comments`, `conversation`, `thread` |
 *
 * Header names are compared after trimming, dropping a BOM, lower-casing, splitting camelCase and removing spaces,
 * `_`, `-` and `.`; a trailing unit (`(in hrs)`, `[min]`, `in minutes`, `_seconds`) is ignored for matching and
 * used to convert durations (HH:MM:SS or decimal). Nested JSON objects are matched by their dotted path
 * (`customer.email`). Columns that map to no field are kept verbatim in `customFields`, under their header name.
 */
import { type AuthorRole, type DateOrder, htmlToText, parseTimestamp } from '../../domain/index.ts';
import { UserError } from '../../shared/index.ts';

export const GENERIC_FIELDS = [
  'externalId',
  'subject',
  'body',
  'status',
  'priority',
  'channel',
  'tags',
  'category',
  'customerId',
  'customerEmail',
  'customerName',
  'segment',
  'assignee',
  'group',
  'createdAt',
  'updatedAt',
  'firstResponseAt',
  'resolvedAt',
  'closedAt',
  'firstResponseMinutes',
  'resolutionMinutes',
  'csat',
  'handleTimeSeconds',
  'handleTimeMinutes',
  'reopens',
  'messageId',
  'authorRole',
  'authorId',
  'messageBody',
  'messageCreatedAt',
  'messagePublic',
  'messages',
] as const;
export type GenericField = (typeof GENERIC_FIELDS)[number];

/** Field ordinals: rows carry their values in arrays indexed by these, which keeps the per-row path lean. */
export const F = Object.fromEntries(GENERIC_FIELDS.map((field, i) => [field, i])) as Record<
  GenericField,
  number
>;

export const MESSAGE_FIELDS: readonly GenericField[] = [
  'messageId',
  'authorRole',
  'authorId',
  'messageBody',
  'messageCreatedAt',
  'messagePublic',
];

/** Fields that are durations, with their unit in seconds when the column name gives none. */
const DURATION_DEFAULT_SECONDS: Partial<Record<GenericField, number>> = {
  firstResponseMinutes: 60,
  resolutionMinutes: 60,
  handleTimeSeconds: 1,
  handleTimeMinutes: 60,
};

/**
 * Recognised names per field, best first. A trailing `*` means the name counts only with a unit (`Resolution` is a
 * text column in the Kaggle file, `Resolution time (in hrs)` a duration in Freshdesk's).
 */
const SYNONYMS: Record<GenericField, readonly string[]> = {
  externalId: [
    'ticket id',
    'id',
    'ticket number',
    'ticket',
    'case id',
    'case number',
    'conversation id',
    'issue id',
    'number',
  ],
  subject: ['subject', 'ticket subject', 'title', 'summary', 'issue', 'issue summary', 'issue title'],
  body: [
    'description',
    'ticket description',
    'body',
    'message',
    'text',
    'content',
    'first message',
    'question',
    'issue description',
    'problem description',
    'customer message',
  ],
  status: ['status', 'ticket status', 'state'],
  priority: ['priority', 'ticket priority', 'urgency', 'severity'],
  channel: ['channel', 'ticket channel', 'via', 'source', 'medium', 'origin'],
  tags: ['tags', 'labels', 'tag', 'label'],
  category: [
    'category',
    'ticket category',
    'ticket type',
    'type',
    'issue type',
    'topic',
    'reason',
    'contact reason',
  ],
  customerId: ['customer id', 'requester id', 'contact id', 'user id', 'client id', 'customer'],
  customerEmail: [
    'customer email',
    'requester email',
    'email',
    'contact email',
    'user email',
    'email address',
  ],
  customerName: [
    'customer name',
    'requester',
    'requester name',
    'full name',
    'name',
    'contact name',
    'user name',
  ],
  segment: ['customer plan', 'plan', 'segment', 'customer segment', 'tier', 'customer tier'],
  assignee: [
    'assignee',
    'agent',
    'owner',
    'responder',
    'assigned to',
    'agent name',
    'assignee name',
    'assigned agent',
    'agent assigned',
    'assigned agent name',
    'assigned to agent',
    'assigned user',
    'assigned person',
    'assigned rep',
    'assigned',
    'assignee email',
    'agent email',
    'ticket owner',
    'owner name',
    'handled by',
    'support agent',
  ],
  group: ['group', 'team', 'queue', 'group name', 'assigned group', 'assigned team', 'team name'],
  createdAt: [
    'created at',
    'created',
    'created time',
    'created date',
    'date created',
    'creation date',
    'opened at',
    'opened',
    'submitted at',
    'ticket created at',
    'created on',
    'creation time',
    'open date',
    'date opened',
    'date submitted',
    'ticket date',
    'date',
  ],
  updatedAt: [
    'updated at',
    'updated',
    'last update time',
    'last updated',
    'updated time',
    'modified',
    'modified at',
    'last modified',
  ],
  firstResponseAt: [
    'first response at',
    'first reply at',
    'first responded at',
    'initial response time',
    'first response time',
    'first reply time',
  ],
  resolvedAt: [
    'resolved at',
    'solved at',
    'resolved time',
    'solved time',
    'resolution date',
    'resolved date',
    'time to resolution',
  ],
  closedAt: ['closed at', 'closed time', 'closed date', 'closed'],
  firstResponseMinutes: [
    'first response time',
    'first reply time',
    'time to first response',
    'frt',
    'first response*',
    'first reply*',
  ],
  resolutionMinutes: [
    'full resolution time',
    'resolution time',
    'time to resolution',
    'resolution*',
    'time to resolve',
  ],
  csat: [
    'csat',
    'csat score',
    'satisfaction score',
    'satisfaction',
    'satisfaction rating',
    'customer satisfaction rating',
    'customer satisfaction',
    'survey results',
    'rating',
  ],
  handleTimeSeconds: ['handle time', 'handling time', 'aht', 'time spent'],
  handleTimeMinutes: [],
  reopens: ['reopens', 'reopen count', 'reopened count', 'times reopened', 'reopened'],
  messageId: ['message id', 'comment id', 'reply id'],
  authorRole: ['author role', 'author type', 'sender role', 'sender type', 'message author role'],
  authorId: ['author id', 'sender id', 'message author id', 'author'],
  messageBody: ['message body', 'message text', 'comment body', 'message content', 'message html'],
  messageCreatedAt: [
    'message created at',
    'message created',
    'message time',
    'message date',
    'message sent at',
    'comment created at',
    'sent at',
  ],
  messagePublic: ['message public', 'public', 'is public', 'comment public'],
  messages: ['messages', 'comments', 'conversation', 'thread', 'conversation parts'],
};

/** Keys of a message object nested in a JSON ticket (`messages: [...]`), matched like headers. */
const NESTED_MESSAGE_SYNONYMS: Partial<Record<GenericField, readonly string[]>> = {
  messageId: ['id', 'message id'],
  authorRole: ['author role', 'role', 'author type', 'sender type', 'sender role'],
  authorId: ['author id', 'author', 'sender id', 'sender', 'user id'],
  messageBody: ['body', 'text', 'message', 'content', 'html body', 'plain body', 'message body'],
  messageCreatedAt: ['created at', 'created', 'timestamp', 'sent at', 'date', 'time'],
  messagePublic: ['public', 'is public'],
};

interface Candidate {
  field: number;
  rank: number;
  needsUnit: boolean;
}

function synonymIndex(
  table: Partial<Record<GenericField, readonly string[]>>,
  withFieldNames: boolean,
): Map<string, Candidate[]> {
  const index = new Map<string, Candidate[]>();
  for (const field of GENERIC_FIELDS) {
    const names = withFieldNames ? [field, ...(table[field] ?? [])] : (table[field] ?? []);
    names.forEach((name, rank) => {
      const starred = name.endsWith('*');
      const { key, unitSeconds } = headerKey(starred ? name.slice(0, -1) : name);
      // A name that carries a unit (`resolutionMinutes`) only matches columns that carry one too.
      const needsUnit = starred || unitSeconds !== null;
      const list = index.get(key) ?? [];
      if (!list.some((c) => c.field === F[field])) list.push({ field: F[field], rank, needsUnit });
      index.set(key, list);
    });
  }
  return index;
}

/** A header name reduced for matching, plus the unit its suffix names (seconds per unit), if any. */
export function headerKey(name: string): { key: string; unitSeconds: number | null } {
  let s = name.charCodeAt(0) === 0xfeff ? name.slice(1) : name;
  s = s
    .trim()
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase();
  let unitSeconds: number | null = null;
  const group = /[([]([^)\]]*)[)\]]\s*$/.exec(s);
  if (group) {
    unitSeconds = unitIn(group[1] ?? '');
    s = s.slice(0, group.index);
  }
  const words = s.split(/[\s_.\-/]+/).filter((w) => w !== '');
  const last = words.at(-1);
  const unitWord = last === undefined ? null : UNIT_WORDS[last];
  if (unitSeconds === null && unitWord !== undefined && unitWord !== null && words.length > 1) {
    unitSeconds = unitWord;
    words.pop();
    if (words.at(-1) === 'in' && words.length > 1) words.pop();
  }
  return { key: words.join(''), unitSeconds };
}

const UNIT_WORDS: Record<string, number> = {
  ms: 0.001,
  millis: 0.001,
  milliseconds: 0.001,
  sec: 1,
  secs: 1,
  seconds: 1,
  min: 60,
  mins: 60,
  minutes: 60,
  hr: 3600,
  hrs: 3600,
  hours: 3600,
};

function unitIn(text: string): number | null {
  for (const word of text.toLowerCase().split(/[^a-z]+/)) {
    const unit = UNIT_WORDS[word];
    if (unit !== undefined) return unit;
    if (word === 'h' || word === 'hour') return 3600;
    if (word === 'm' || word === 'minute') return 60;
    if (word === 's' || word === 'second') return 1;
  }
  return null;
}

const TICKET_INDEX = synonymIndex(SYNONYMS, true);
// Inside a message object `body` and `id` are the message's, so ticket field names must not match there.
const NESTED_MESSAGE_INDEX = synonymIndex(NESTED_MESSAGE_SYNONYMS, false);

/** A column (or JSON key) matched to a field. */
export interface Match {
  field: number;
  /** Lower is a better name for the field: decides between two columns claiming the same field. */
  rank: number;
  /** Seconds per unit of a duration field; 0 for other fields. */
  unitSeconds: number;
}

/** The field a header names, or null. With a unit, durations win; without one, time stamps do. */
export function matchHeader(name: string, nested = false): Match | null {
  const { key, unitSeconds } = headerKey(name);
  const candidates = (nested ? NESTED_MESSAGE_INDEX : TICKET_INDEX).get(key);
  if (!candidates) return null;
  let best: Candidate | null = null;
  for (const c of candidates) {
    const isDuration = DURATION_DEFAULT_SECONDS[GENERIC_FIELDS[c.field] as GenericField] !== undefined;
    if (c.needsUnit && unitSeconds === null) continue;
    if (unitSeconds !== null ? isDuration : !isDuration) return toMatch(c, unitSeconds);
    best ??= c;
  }
  return best ? toMatch(best, unitSeconds) : null;
}

function toMatch(c: Candidate, unitSeconds: number | null): Match {
  const fallback = DURATION_DEFAULT_SECONDS[GENERIC_FIELDS[c.field] as GenericField];
  return {
    field: c.field,
    rank: c.rank,
    unitSeconds: fallback === undefined ? 0 : (unitSeconds ?? fallback),
  };
}

/** `--map` keys to fields: case-insensitive, `_`/`-` ignored. Unknown names are a user error listing the valid ones. */
export function mappedFields(mapping: Record<string, string>): Array<{ field: number; column: string }> {
  const byName = new Map(GENERIC_FIELDS.map((f, i) => [f.toLowerCase(), i]));
  return Object.entries(mapping).map(([name, column]) => {
    const field = byName.get(name.replace(/[\s_-]/g, '').toLowerCase());
    if (field === undefined) {
      throw new UserError(
        'import.bad_mapping',
        `unknown field "${name}" in the column mapping; fields are: ${GENERIC_FIELDS.join(', ')}`,
        { field: '--map' },
      );
    }
    return { field, column };
  });
}

/** The resolved header of a CSV file: computed once, then used by index on every row. */
export interface ColumnPlan {
  /** Column index per field ordinal; -1 when the file has no such column. */
  column: number[];
  /** Header name per field ordinal ('' when absent): customFields keys for values that do not parse. */
  names: string[];
  /** Seconds per unit per field ordinal (durations only). */
  units: number[];
  /** Columns that map to no field: kept verbatim in customFields. */
  custom: Array<{ index: number; name: string }>;
  /** A message-body or author-role column is present: one row per message. */
  messagePerRow: boolean;
}

/**
 * Resolves a header: `--map` entries first (exact header name, else the same matching as detection), then the
 * recognised names. Throws `import.wrong_format` when there is no id column or no time column, and
 * `import.bad_mapping` when a mapped column is not in the header.
 */
export function planColumns(
  header: readonly string[],
  mapping: Record<string, string>,
  file: string,
): ColumnPlan {
  const count = GENERIC_FIELDS.length;
  const plan: ColumnPlan = {
    column: new Array<number>(count).fill(-1),
    names: new Array<string>(count).fill(''),
    units: new Array<number>(count).fill(0),
    custom: [],
    messagePerRow: false,
  };
  const names = header.map((h, i) => (i === 0 && h.charCodeAt(0) === 0xfeff ? h.slice(1) : h).trim());
  const taken = new Set<number>();
  const mappedByUser = new Set<number>();
  for (const { field, column } of mappedFields(mapping)) {
    const index = findColumn(names, column);
    if (index < 0) {
      throw new UserError(
        'import.bad_mapping',
        `--map ${GENERIC_FIELDS[field]}=${column}: the file has no column "${column}"; its columns are: ${names.join(', ')}`,
        { file, field: '--map' },
      );
    }
    assign(plan, field, index, names[index] ?? '', headerKey(names[index] ?? '').unitSeconds);
    taken.add(index);
    mappedByUser.add(field);
  }
  const ranks = new Array<number>(count).fill(Number.POSITIVE_INFINITY);
  names.forEach((name, index) => {
    if (taken.has(index)) return;
    const match = matchHeader(name);
    if (!match || match.field === F.messages || mappedByUser.has(match.field)) return;
    if (match.rank >= (ranks[match.field] ?? 0)) return;
    ranks[match.field] = match.rank;
    assign(plan, match.field, index, name, match.unitSeconds);
  });
  const used = new Set(plan.column.filter((c) => c >= 0));
  plan.custom = names.flatMap((name, index) => (used.has(index) ? [] : [{ index, name }]));
  plan.messagePerRow = plan.column[F.messageBody]! >= 0 || plan.column[F.authorRole]! >= 0;
  requireColumns(plan, names, file);
  return plan;
}

function assign(plan: ColumnPlan, field: number, index: number, name: string, unitSeconds: number | null) {
  const fieldName = GENERIC_FIELDS[field] as GenericField;
  plan.column[field] = index;
  plan.names[field] = name;
  plan.units[field] = unitSeconds ?? DURATION_DEFAULT_SECONDS[fieldName] ?? 0;
}

function findColumn(names: readonly string[], column: string): number {
  const exact = names.indexOf(column.trim());
  if (exact >= 0) return exact;
  const key = headerKey(column).key;
  return names.findIndex((n) => headerKey(n).key === key);
}

function requireColumns(plan: ColumnPlan, names: readonly string[], file: string): void {
  const missing: Array<{ field: GenericField; what: string }> = [];
  if (plan.column[F.externalId]! < 0) {
    missing.push({ field: 'externalId', what: 'a ticket id (ticket_id, id, Ticket ID...)' });
  }
  if (plan.column[F.createdAt]! < 0 && plan.column[F.messageCreatedAt]! < 0) {
    missing.push({ field: 'createdAt', what: 'a creation time (created_at, created, Created time...)' });
  }
  if (missing.length === 0) return;
  const recognised = plan.column.some((c) => c >= 0);
  const lacking = missing.map((m) => m.what).join(' and ');
  const which = recognised ? `no column for ${lacking}` : `no column it recognises: it needs ${lacking}`;
  const flags = missing.map((m) => `--map ${m.field}=COLUMN`).join(' ');
  throw new UserError(
    'import.wrong_format',
    `the header has ${which} (columns: ${names.slice(0, 30).join(', ')}); name the columns with ${flags}`,
    { file, line: 1 },
  );
}

// ---------------------------------------------------------------------------------------------------------------
// Values. Each takes what a CSV cell (string) or a JSON value (string, number, boolean, array) can be.

export const isBlank = (v: unknown): boolean => v === undefined || v === null || v === '';

/** Trimmed text, or null when empty. Numbers and booleans are written as text. */
export function textOf(v: unknown): string | null {
  if (typeof v === 'string') {
    const t = v.trim();
    return t === '' ? null : t;
  }
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  return null;
}

/** A ticket or message id as text: `3.0` (an id a spreadsheet turned into a float) becomes `3`. */
export function idOf(v: unknown): string | null {
  const t = textOf(v);
  if (t === null || t.charCodeAt(t.length - 1) !== 48 || !/^\d+\.0+$/.test(t)) return t;
  return t.slice(0, t.indexOf('.'));
}

/**
 * Epoch ms of an ISO-ish or epoch time stamp, or of a numeric date read in `order` (see parseTimestamp); null when
 * not a time stamp or before 1970.
 */
export function timeOf(v: unknown, order?: DateOrder | null): number | null {
  if (typeof v === 'string') {
    const fast = isoZulu(v);
    if (fast >= 0) return fast;
  }
  const ms = parseTimestamp(typeof v === 'string' || typeof v === 'number' ? v : null, order ?? undefined);
  return ms !== null && ms >= 0 ? ms : null;
}

/**
 * `YYYY-MM-DDTHH:MM:SS[.fff]Z`, the shape most exports and the demo generator write, read digit by digit: the
 * import hot path parses several per row and Date.parse is the slowest step. -1 for any other shape.
 */
function isoZulu(s: string): number {
  const n = s.length;
  if (n < 20 || s.charCodeAt(n - 1) !== 90 || s.charCodeAt(10) !== 84) return -1;
  if (
    s.charCodeAt(4) !== 45 ||
    s.charCodeAt(7) !== 45 ||
    s.charCodeAt(13) !== 58 ||
    s.charCodeAt(16) !== 58
  ) {
    return -1;
  }
  const year = digits(s, 0, 4);
  const month = digits(s, 5, 2);
  const day = digits(s, 8, 2);
  const hour = digits(s, 11, 2);
  const minute = digits(s, 14, 2);
  const second = digits(s, 17, 2);
  if (
    year < 1970 ||
    month < 1 ||
    month > 12 ||
    day < 1 ||
    day > daysInMonth(year, month) ||
    hour > 23 ||
    minute > 59 ||
    second > 59
  ) {
    return -1;
  }
  let ms = 0;
  if (n > 20) {
    if (s.charCodeAt(19) !== 46) return -1;
    const fraction = digits(s, 20, n - 21);
    if (fraction < 0 || n - 21 > 9) return -1;
    ms = Math.floor(fraction / 10 ** (n - 21 - 3));
  }
  return ((daysFromCivil(year, month, day) * 24 + hour) * 60 + minute) * 60_000 + second * 1000 + ms;
}

/** 28 to 31: `2025-02-30` is not a date (Date.parse would roll it over into March). */
function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/**
 * Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's `days_from_civil`); plain arithmetic is about
 * twice as fast as Date.UTC. A day past the month's end rolls over, as Date.parse does.
 */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

/** The number written by `count` ASCII digits at `from`, or -1. */
function digits(s: string, from: number, count: number): number {
  if (count <= 0) return -1;
  let value = 0;
  for (let i = from; i < from + count; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    value = value * 10 + d;
  }
  return value;
}

/** A duration in seconds: `HH:MM[:SS]`, or a number in `unitSeconds` units. Null when blank or invalid. */
export function durationSecondsOf(v: unknown, unitSeconds: number): number | null {
  if (typeof v === 'number') return Number.isFinite(v) && v >= 0 ? v * unitSeconds : null;
  const t = textOf(v);
  if (t === null) return null;
  if (t.includes(':')) {
    const parts = t.split(':').map(Number);
    if (parts.length > 3 || parts.some((p) => !Number.isFinite(p) || p < 0)) return null;
    const [h = 0, m = 0, s = 0] = parts;
    return h * 3600 + m * 60 + s;
  }
  const n = Number(t);
  return Number.isFinite(n) && n >= 0 ? n * unitSeconds : null;
}

/** Tags from `a|b`, `a,b`, `a;b` or a JSON array; trimmed, empties and repeats dropped. */
export function tagsOf(v: unknown): string[] {
  let parts: unknown[];
  if (Array.isArray(v)) parts = v;
  else {
    const t = textOf(v);
    if (t === null) return [];
    const separator = t.includes('|') ? '|' : t.includes(',') ? ',' : t.includes(';') ? ';' : null;
    parts = separator ? t.split(separator) : [t];
  }
  const tags: string[] = [];
  for (const part of parts) {
    const tag = textOf(part);
    if (tag !== null && !tags.includes(tag)) tags.push(tag);
  }
  return tags;
}

const CSAT_WORDS: Record<string, number | null> = {
  good: 1,
  positive: 1,
  satisfied: 1,
  yes: 1,
  bad: 0,
  negative: 0,
  dissatisfied: 0,
  unsatisfied: 0,
  no: 0,
  offered: null,
  unoffered: null,
  'not offered': null,
  // Freshdesk's 7-point survey labels.
  'extremely happy': 1,
  'very happy': 5 / 6,
  happy: 4 / 6,
  neutral: 3 / 6,
  unhappy: 2 / 6,
  'very unhappy': 1 / 6,
  'extremely unhappy': 0,
};

/**
 * CSAT normalised to 0..1, with the raw text. 1-5 stars: (n-1)/4; 0 and 6-10: n/10; a fraction below 1 or a
 * percentage as given; good/bad: 1/0; `offered` and unknown words: no score. A file on a 0-10 scale whose values
 * happen to fall within 1-5 is read as stars: map such a column through a converted file if that matters.
 */
export function csatOf(v: unknown): { score: number | null; raw: string } | null {
  const raw = textOf(v);
  if (raw === null) return null;
  const percent = raw.endsWith('%');
  const n = Number(percent ? raw.slice(0, -1) : raw);
  if (Number.isFinite(n)) return { score: percent ? clamp01(n / 100) : numericCsat(n), raw };
  const word = raw.toLowerCase().replace(/[\s_-]+/g, ' ');
  const score = CSAT_WORDS[word];
  return { score: score === undefined ? null : score, raw };
}

function numericCsat(n: number): number | null {
  if (n < 0 || n > 10) return null;
  if (n > 0 && n < 1) return n;
  if (n >= 1 && n <= 5) return (n - 1) / 4;
  return n / 10;
}

const clamp01 = (n: number) => Math.max(0, Math.min(n, 1));

/** A count such as reopens: a non-negative integer (`2.0` accepted), else null. */
export function countOf(v: unknown): number | null {
  const n = typeof v === 'number' ? v : Number(textOf(v) ?? Number.NaN);
  return Number.isInteger(n) && n >= 0 ? n : null;
}

const ROLES: Record<string, AuthorRole> = {
  customer: 'customer',
  requester: 'customer',
  'end user': 'customer',
  enduser: 'customer',
  user: 'customer',
  client: 'customer',
  contact: 'customer',
  lead: 'customer',
  inbound: 'customer',
  agent: 'agent',
  admin: 'agent',
  staff: 'agent',
  support: 'agent',
  operator: 'agent',
  teammate: 'agent',
  employee: 'agent',
  company: 'agent',
  outbound: 'agent',
  bot: 'bot',
  automation: 'bot',
  ai: 'bot',
  'ai agent': 'bot',
  assistant: 'bot',
  system: 'system',
  event: 'system',
};

/** An author role word, or null when it is none of the known ones. */
export function roleOf(v: unknown): AuthorRole | null {
  const t = textOf(v);
  if (t === null) return null;
  return ROLES[t] ?? ROLES[t.toLowerCase().replace(/[\s_-]+/g, ' ')] ?? null;
}

/** Message visibility: private/internal/false/no/0 are private; anything else, blank included, is public. */
export function publicOf(v: unknown): boolean {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v !== 0;
  const t = textOf(v);
  if (t === null) return true;
  switch (t.toLowerCase()) {
    case 'false':
    case 'f':
    case 'no':
    case 'n':
    case '0':
    case 'private':
    case 'internal':
    case 'note':
      return false;
    default:
      return true;
  }
}

const CHANNELS: Record<string, string> = {
  mail: 'email',
  'e mail': 'email',
  email: 'email',
  'outbound email': 'email',
  'web form': 'web',
  web: 'web',
  portal: 'web',
  'feedback widget': 'web',
  'live chat': 'chat',
  chat: 'chat',
  messaging: 'chat',
  phone: 'phone',
  'phone call (incoming)': 'phone',
  'phone call (outgoing)': 'phone',
  voice: 'phone',
  call: 'phone',
  'social media': 'social',
  social: 'social',
  twitter: 'social',
  facebook: 'social',
  api: 'api',
  'web service': 'api',
};

/** A channel word lower-cased, with the common helpdesk labels folded (`Web Form` -> web, `Mail` -> email). */
export function channelOf(v: unknown): string | null {
  const t = textOf(v);
  if (t === null) return null;
  const lower = t.toLowerCase();
  return CHANNELS[lower] ?? CHANNELS[lower.replace(/[\s_-]+/g, ' ')] ?? lower;
}

/** Message text: HTML (a tag is present) becomes plain text; anything else is kept as written. */
export function bodyOf(v: unknown): string | null {
  if (typeof v !== 'string') return textOf(v);
  if (v.trim() === '') return null;
  return v.indexOf('<') >= 0 && HTML_TAG.test(v) ? htmlToText(v) : v;
}

const HTML_TAG = /<\/?[a-z][^>]*>/i;
