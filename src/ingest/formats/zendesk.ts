import { createInterface } from 'node:readline';
import { pipeline, type Readable, Transform } from 'node:stream';
import { parse as parseCsv } from 'csv-parse';
import { parse as parseCsvSync } from 'csv-parse/sync';
import Ignore from 'stream-json/filters/Ignore.js';
import Pick from 'stream-json/filters/Pick.js';
import Parser from 'stream-json/Parser.js';
import StreamArray from 'stream-json/streamers/StreamArray.js';
import StreamObject from 'stream-json/streamers/StreamObject.js';
import StreamValues from 'stream-json/streamers/StreamValues.js';
import { z } from 'zod';
import {
  type AuthorRole,
  blankTicket,
  type Customer,
  htmlToText,
  type Message,
  normalisePriority,
  normaliseStatus,
  parseTimestamp,
  type TicketRecord,
} from '../../domain/index.ts';
import { UserError } from '../../shared/index.ts';
import type { Importer, ImportItem, ImportSource } from '../importer.ts';

/**
 * Zendesk Support tickets. Reads, by shape:
 * - JSON Lines, one ticket per line (Zendesk's JSON export), comments inline; a line may also be a whole API page;
 * - a JSON object `{"tickets": [...]}` (list endpoint or cursor/time-based incremental export) with optional
 *   side-loads `users`, `organizations`, `groups`, `metric_sets`/`ticket_metrics` and `comments` (keyed by
 *   ticket id, or an array with `ticket_id`), or `{"ticket": {...}}`;
 * - a bare JSON array of tickets;
 * - the Zendesk CSV export (`Id`, `Status`, `Created at`, `Requester email`...), recognised by its header.
 *
 * @example
 * for await (const item of zendeskImporter.read(openFileSource('tickets.jsonl'), { mapping: {} })) {
 *   if (item.kind === 'ticket') console.log(item.ticket.externalId, item.ticket.messages.length);
 * }
 */
export const zendeskImporter: Importer = {
  format: 'zendesk',
  description:
    'Zendesk tickets: API JSON, incremental export, JSON Lines export with comments, or CSV export',
  detect: (head) => (looksLikeJson(head) ? isZendeskJson(head) : isZendeskCsv(csvHeader(head))),
  async *read(source) {
    if (looksLikeJson(source.head)) {
      yield* readJsonTickets(source, ZENDESK_JSON);
    } else if (isZendeskCsv(csvHeader(source.head))) {
      yield* readCsvTickets(source, zendeskCsvTicket);
    } else {
      throw wrongFormat(
        source,
        'Zendesk',
        'expected JSON tickets or a Zendesk CSV export (columns Id, Status, Created at, Requester...)',
      );
    }
  },
};

const SOURCE = 'zendesk';

// ---------------------------------------------------------------------------------------------------------------
// Values (shared with freshdesk.ts)

/**
 * Keys that tell the two ticket APIs apart (both have `requester_id`): each format's detection requires its own
 * and rejects the other's, so one file never matches both.
 */
export const ZENDESK_KEYS = [
  'submitter_id',
  'raw_subject',
  'email_cc_ids',
  'collaborator_ids',
  'via',
] as const;
export const FRESHDESK_KEYS = [
  'responder_id',
  'fr_escalated',
  'fr_due_by',
  'nr_escalated',
  'description_text',
  'cc_emails',
  'email_config_id',
] as const;

const idError = (iss: { input: unknown }) => (iss.input == null ? 'missing' : 'not an id');
export const idSchema = z.union([z.number(), z.string().min(1)], { error: idError }).transform(String);
export const optionalId = idSchema.nullish().transform((v) => v ?? null);
export const optionalText = z
  .string()
  .nullish()
  .transform((v) => v ?? null);
export const timestampSchema = z
  .union([z.string(), z.number()], { error: (iss) => (iss.input == null ? 'missing' : 'not a timestamp') })
  .transform((v, ctx) => {
    const ms = epochMs(v);
    if (ms === null) ctx.addIssue({ code: 'custom', message: `not a timestamp: ${JSON.stringify(v)}` });
    return ms ?? 0;
  });
/** Optional timestamps are read leniently: an unreadable one is unknown, not a reason to lose the ticket. */
export const optionalTimestamp = z.unknown().optional().transform(epochMs);
const NamedSchema = z.object({ id: idSchema, name: z.string() });

export function epochMs(raw: unknown): number | null {
  const ms = parseTimestamp(raw);
  return ms !== null && ms >= 0 ? ms : null;
}

export function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((i) => (i.path.length > 0 ? `${i.path.join('.')}: ${i.message}` : i.message))
    .join('; ');
}

export const idText = (v: unknown): string | null =>
  typeof v === 'number' || (typeof v === 'string' && v !== '') ? String(v) : null;

/** Spreadsheets turn ids into floats (`3.0`). */
export const csvId = (v: string | null) => (v === null ? null : v.replace(/^(\d+)\.0+$/, '$1'));

export const splitTags = (s: string) => s.split(/[\s,]+/).filter((t) => t !== '');

/** A label as a channel name: `Web Form` -> `web_form`. */
export const slug = (v: string | null) =>
  v === null
    ? null
    : v
        .trim()
        .toLowerCase()
        .replace(/[^\p{L}\p{N}]+/gu, '_')
        .replace(/^_+|_+$/g, '') || null;

// ---------------------------------------------------------------------------------------------------------------
// Zendesk JSON

function isZendeskJson(head: string): boolean {
  return (
    hasJsonKey(head, 'requester_id') &&
    (ZENDESK_KEYS.some((k) => hasJsonKey(head, k)) ||
      /"url"\s*:\s*"[^"]*\/api\/v2\/tickets\/\d/.test(head)) &&
    !FRESHDESK_KEYS.some((k) => hasJsonKey(head, k))
  );
}

function notZendesk(first: unknown): string | null {
  if (!isObject(first)) return 'the first record is not a JSON object';
  const freshdesk = FRESHDESK_KEYS.find((k) => k in first);
  if (freshdesk) return `the first ticket has "${freshdesk}", a Freshdesk field`;
  if (typeof first.status === 'number')
    return 'the first ticket has a numeric status, as Freshdesk exports do';
  if (!['id', 'created_at', 'subject', 'status'].some((k) => k in first)) {
    return 'the first record has none of id, created_at, subject, status';
  }
  return null;
}

const ViaSchema = z.object({ channel: z.union([z.string(), z.number()]).nullish() }).nullish();

const CommentSchema = z.object({
  id: optionalId,
  author_id: optionalId,
  // VoiceComment bodies are not always strings.
  body: z.unknown().optional(),
  plain_body: z.string().nullish(),
  html_body: z.string().nullish(),
  public: z.boolean().nullish(),
  via: ViaSchema,
  created_at: timestampSchema,
});
type ZendeskComment = z.infer<typeof CommentSchema>;

const DurationSchema = z.object({ calendar: z.number().nullish() }).nullish();
const MetricSchema = z.object({
  solved_at: optionalTimestamp,
  reopens: z.number().int().nonnegative().nullish(),
  reply_time_in_minutes: DurationSchema,
  reply_time_in_seconds: DurationSchema,
});
// The OpenAPI file types ticket_metric as an array; the live API sends one object.
const MetricField = z
  .union([MetricSchema, z.array(MetricSchema)])
  .nullish()
  .transform((m) => (Array.isArray(m) ? m[0] : m) ?? null);

const PersonSchema = z.object({
  id: optionalId,
  name: optionalText,
  email: optionalText,
  role: optionalText,
  organization_id: optionalId,
});
type ZendeskPerson = z.infer<typeof PersonSchema>;

const CustomFieldsSchema = z.array(z.object({ id: idSchema, value: z.unknown().optional() })).nullish();

const TicketSchema = z.object({
  id: idSchema,
  created_at: timestampSchema,
  updated_at: optionalTimestamp,
  subject: optionalText,
  description: optionalText,
  status: optionalText,
  priority: optionalText,
  type: optionalText,
  external_id: z.union([z.string(), z.number()]).nullish(),
  custom_status_id: optionalId,
  requester_id: optionalId,
  submitter_id: optionalId,
  assignee_id: optionalId,
  group_id: optionalId,
  organization_id: optionalId,
  is_public: z.boolean().nullish(),
  // Ticket-event webhooks send tags as one space-separated string.
  tags: z.union([z.array(z.string()), z.string()]).nullish(),
  custom_fields: CustomFieldsSchema,
  fields: CustomFieldsSchema,
  satisfaction_rating: z
    .object({ score: optionalText, comment: optionalText, reason: optionalText })
    .nullish()
    .transform((r) => r ?? null),
  via: ViaSchema,
  requester: PersonSchema.nullish(),
  comments: z.array(CommentSchema).nullish(),
  metric_set: MetricField,
});
type ZendeskTicket = z.infer<typeof TicketSchema>;

interface ZendeskSide {
  users: Map<string, ZendeskPerson>;
  organizations: Map<string, string>;
  groups: Map<string, string>;
  comments: Map<string, unknown>;
  metrics: Map<string, unknown>;
}

const ZENDESK_JSON: JsonFormat<ZendeskSide> = {
  title: 'Zendesk',
  listKeys: ['tickets'],
  itemKeys: ['ticket'],
  sideKeys: ['users', 'organizations', 'groups', 'comments', 'metric_sets', 'ticket_metrics'],
  indexSide: (side) => ({
    users: indexById(side.users, PersonSchema, (u) => u),
    organizations: indexById(side.organizations, NamedSchema, (o) => o.name),
    groups: indexById(side.groups, NamedSchema, (g) => g.name),
    comments: isObject(side.comments) ? new Map(Object.entries(side.comments)) : groupByTicket(side.comments),
    metrics: firstByTicket([side.metric_sets, side.ticket_metrics]),
  }),
  foreign: notZendesk,
  toTicket: zendeskTicket,
};

function zendeskTicket(raw: unknown, side: ZendeskSide): TicketRecord | string {
  const parsed = TicketSchema.safeParse(withSideLoads(raw, side));
  if (!parsed.success) return describeIssues(parsed.error);
  const t = parsed.data;
  const metric = t.metric_set;
  const rating = t.satisfaction_rating?.score ?? null;
  return {
    ...blankTicket(SOURCE, t.id, t.created_at),
    subject: t.subject,
    channel: t.via?.channel == null ? null : String(t.via.channel),
    status: normaliseStatus(t.status),
    statusRaw: t.status,
    priority: normalisePriority(t.priority),
    tags: typeof t.tags === 'string' ? splitTags(t.tags) : (t.tags ?? []),
    category: t.type,
    assignee: t.assignee_id === null ? null : (side.users.get(t.assignee_id)?.name ?? t.assignee_id),
    group: t.group_id === null ? null : (side.groups.get(t.group_id) ?? t.group_id),
    updatedAt: t.updated_at,
    firstResponseAt: firstReplyAt(t.created_at, metric),
    resolvedAt: metric?.solved_at ?? null,
    csatScore: rating === 'good' ? 1 : rating === 'bad' ? 0 : null,
    csatRaw: rating,
    reopens: metric?.reopens ?? null,
    customFields: zendeskCustomFields(t),
    customer: zendeskCustomer(t, side),
    messages: zendeskMessages(t, side),
  };
}

/** Side-loaded comments and metrics join their ticket before validation, so their errors reject it too. */
function withSideLoads(raw: unknown, side: ZendeskSide): unknown {
  if (!isObject(raw)) return raw;
  const id = idText(raw.id);
  if (id === null) return raw;
  return {
    ...raw,
    comments: raw.comments ?? side.comments.get(id),
    metric_set: raw.metric_set ?? raw.ticket_metric ?? side.metrics.get(id),
  };
}

function firstReplyAt(createdAt: number, metric: ZendeskTicket['metric_set']): number | null {
  // reply_time_in_seconds exists only for messaging tickets and is the more precise of the two.
  const seconds = metric?.reply_time_in_seconds?.calendar;
  if (seconds != null) return createdAt + seconds * 1000;
  const minutes = metric?.reply_time_in_minutes?.calendar;
  return minutes == null ? null : createdAt + minutes * 60_000;
}

function zendeskCustomFields(t: ZendeskTicket): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of t.custom_fields ?? t.fields ?? []) {
    if (f.value != null) out[f.id] = f.value;
  }
  if (t.external_id != null) out.external_id = String(t.external_id);
  if (t.custom_status_id !== null) out.custom_status_id = t.custom_status_id;
  if (t.priority !== null && normalisePriority(t.priority) === null) out.priority_raw = t.priority;
  if (t.satisfaction_rating?.comment) out.satisfaction_comment = t.satisfaction_rating.comment;
  if (t.satisfaction_rating?.reason) out.satisfaction_reason = t.satisfaction_rating.reason;
  return out;
}

function zendeskCustomer(t: ZendeskTicket, side: ZendeskSide): Customer | null {
  const id = t.requester_id ?? t.requester?.id ?? null;
  const user = (id === null ? undefined : side.users.get(id)) ?? t.requester;
  const email = user?.email ?? null;
  const name = user?.name ?? null;
  if (id === null && email === null && name === null) return null;
  const orgId = t.organization_id ?? user?.organization_id ?? null;
  const attributes: Record<string, unknown> = {};
  if (orgId !== null) attributes.organizationId = orgId;
  const orgName = orgId === null ? undefined : side.organizations.get(orgId);
  if (orgName) attributes.organization = orgName;
  return { externalId: id, email, name, segment: null, attributes };
}

function zendeskMessages(t: ZendeskTicket, side: ZendeskSide): Message[] {
  if (t.comments && t.comments.length > 0) {
    return t.comments
      .map((c) => ({
        externalId: c.id,
        authorRole: zendeskRole(c.author_id, c.via?.channel, t, side),
        authorId: c.author_id,
        body: commentBody(c),
        createdAt: c.created_at,
        public: c.public ?? true,
      }))
      .sort((a, b) => a.createdAt - b.createdAt);
  }
  // Without the thread, the description is the first comment's text.
  if (!t.description) return [];
  const author = t.submitter_id ?? t.requester_id;
  return [
    {
      externalId: null,
      authorRole: zendeskRole(author, null, t, side),
      authorId: author,
      body: t.description,
      createdAt: t.created_at,
      public: t.is_public ?? true,
    },
  ];
}

function zendeskRole(
  authorId: string | null,
  channel: string | number | null | undefined,
  t: ZendeskTicket,
  side: ZendeskSide,
): AuthorRole {
  // Answer Bot posts on its own channel, and its replies are not an agent's.
  if (channel === 'answer_bot') return 'bot';
  if (authorId === null) return 'agent';
  if (authorId === (t.requester_id ?? t.requester?.id)) return 'customer';
  return side.users.get(authorId)?.role === 'end-user' ? 'customer' : 'agent';
}

function commentBody(c: ZendeskComment): string {
  if (typeof c.body === 'string') return c.body;
  if (c.plain_body != null) return c.plain_body;
  return c.html_body ? htmlToText(c.html_body) : '';
}

// ---------------------------------------------------------------------------------------------------------------
// Zendesk CSV export

const ZENDESK_CSV = {
  id: 'id',
  subject: 'subject',
  status: 'status',
  priority: 'priority',
  via: 'via',
  type: 'ticket type',
  tags: 'tags',
  requester: 'requester',
  requesterEmail: 'requester email',
  requesterId: 'requester id',
  organization: 'organization',
  assignee: 'assignee',
  group: 'group',
  createdAt: 'created at',
  updatedAt: 'updated at',
  solvedAt: 'solved at',
  reopens: 'reopens',
  firstReply: 'first reply time in minutes',
  satisfaction: 'satisfaction score',
} as const;
const ZENDESK_CSV_MAPPED: ReadonlySet<string> = new Set(Object.values(ZENDESK_CSV));
const ZENDESK_CSV_MARKERS = [
  'via',
  'ticket type',
  'satisfaction score',
  'summation column',
  'solved at',
  'requester domain',
  'first reply time in minutes',
];

function isZendeskCsv(header: ReadonlySet<string> | null): boolean {
  if (!header) return false;
  const C = ZENDESK_CSV;
  return (
    [C.id, C.status, C.createdAt].every((h) => header.has(h)) &&
    [C.requester, C.requesterEmail, C.requesterId].some((h) => header.has(h)) &&
    ZENDESK_CSV_MARKERS.some((h) => header.has(h))
  );
}

function zendeskCsvTicket(row: CsvRow): TicketRecord | string {
  const C = ZENDESK_CSV;
  const id = csvId(row.get(C.id));
  if (id === null) return 'Id: missing';
  const createdAt = epochMs(row.get(C.createdAt));
  if (createdAt === null) return `Created at: not a timestamp: ${JSON.stringify(row.get(C.createdAt) ?? '')}`;
  const status = row.get(C.status);
  const score = row.get(C.satisfaction)?.toLowerCase() ?? null;
  const firstReply = Number(row.get(C.firstReply) ?? Number.NaN);
  const reopens = Number(row.get(C.reopens) ?? Number.NaN);
  return {
    ...blankTicket(SOURCE, id, createdAt),
    subject: row.get(C.subject),
    channel: slug(row.get(C.via)),
    status: normaliseStatus(status),
    statusRaw: status,
    priority: normalisePriority(row.get(C.priority)),
    tags: splitTags(row.get(C.tags) ?? ''),
    category: row.get(C.type),
    assignee: row.get(C.assignee),
    group: row.get(C.group),
    updatedAt: epochMs(row.get(C.updatedAt)),
    firstResponseAt: Number.isFinite(firstReply) && firstReply >= 0 ? createdAt + firstReply * 60_000 : null,
    resolvedAt: epochMs(row.get(C.solvedAt)),
    csatScore: score === 'good' ? 1 : score === 'bad' ? 0 : null,
    csatRaw: row.get(C.satisfaction),
    reopens: Number.isInteger(reopens) && reopens >= 0 ? reopens : null,
    customFields: row.unmapped(ZENDESK_CSV_MAPPED),
    customer: zendeskCsvCustomer(row),
  };
}

function zendeskCsvCustomer(row: CsvRow): Customer | null {
  const C = ZENDESK_CSV;
  const externalId = csvId(row.get(C.requesterId));
  const email = row.get(C.requesterEmail);
  const name = row.get(C.requester);
  if (externalId === null && email === null && name === null) return null;
  const organization = row.get(C.organization);
  return { externalId, email, name, segment: null, attributes: organization ? { organization } : {} };
}

// ---------------------------------------------------------------------------------------------------------------
// Shared with freshdesk.ts: reading JSON and CSV ticket exports as a stream of tickets and rejects.

export type JsonObject = Record<string, unknown>;
export const isObject = (v: unknown): v is JsonObject =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** A JSON ticket format: where its records sit in an envelope and how one becomes a ticket. */
export interface JsonFormat<S> {
  /** For messages: `Zendesk`. */
  title: string;
  /** Envelope keys holding the array of records (`tickets`). */
  listKeys: readonly string[];
  /** Envelope keys holding one record (`ticket`). */
  itemKeys: readonly string[];
  /** Envelope keys holding side-loaded data for the records beside them (`users`...). */
  sideKeys: readonly string[];
  /** Indexes an envelope's side-loads once, for all its records. */
  indexSide(side: JsonObject): S;
  /** Why the first record shows the file is not this format at all, or null when it may be. */
  foreign(first: unknown): string | null;
  /** The ticket, or the reason the record is rejected. */
  toTicket(record: unknown, side: S): TicketRecord | string;
}

export const looksLikeJson = (head: string) => /^\s*[[{]/.test(head);

/** True when `"key":` appears as an object key (not inside a string value, where the quotes are escaped). */
export const hasJsonKey = (head: string, key: string) => new RegExp(`[{,\\s]"${key}"\\s*:`).test(head);

export function wrongFormat(source: ImportSource, title: string, reason: string): UserError {
  return new UserError('import.wrong_format', `not a ${title} export: ${reason}`, { file: source.path });
}

/**
 * Streams the tickets of a JSON export. Shapes: JSON Lines (each line a record or an envelope page; rejects carry
 * the physical line), a bare array, or one envelope object (rejects carry the record number, since the streaming
 * parser has no line positions).
 */
export async function* readJsonTickets<S>(
  source: ImportSource,
  format: JsonFormat<S>,
): AsyncGenerator<ImportItem> {
  const shape = jsonShape(source.head, [...format.listKeys, ...format.itemKeys]);
  if (shape === 'lines') yield* readJsonLines(source, format);
  else if (shape === 'array') yield* readArray(source, format, format.indexSide({}), openArray(source));
  else yield* readDocument(source, format);
}

type JsonShape = 'array' | 'lines' | 'document';

function jsonShape(head: string, envelopeKeys: readonly string[]): JsonShape {
  const text = head.trimStart();
  if (text.startsWith('[')) return 'array';
  const end = text.indexOf('\n');
  if (parsesAsJson(end === -1 ? text : text.slice(0, end))) return 'lines';
  if (end !== -1) return 'document';
  // No line break in the head: a line longer than 64 KiB. Stream it if it is an envelope; a JSON Lines record
  // that long is read whole.
  const firstKey = /^\{\s*"([^"\\]*)"/.exec(text)?.[1];
  return firstKey !== undefined && envelopeKeys.includes(firstKey) ? 'document' : 'lines';
}

function parsesAsJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

async function* readJsonLines<S>(source: ImportSource, format: JsonFormat<S>): AsyncGenerator<ImportItem> {
  const noSide = format.indexSide({});
  let line = 0;
  let checked = false;
  for await (const text of createInterface({ input: source.text(), crlfDelay: Number.POSITIVE_INFINITY })) {
    line++;
    if (text.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      yield { kind: 'reject', line, reason: `invalid JSON: ${errorMessage(error)}`, raw: text };
      continue;
    }
    const page = unwrap(value, format, noSide);
    if (!checked && page.records.length > 0) {
      assertFormat(source, format, page.records[0]);
      checked = true;
    }
    for (const [i, record] of page.records.entries()) {
      const where = page.paged ? `ticket ${i + 1} on this line: ` : '';
      yield toItem(format, record, page.side, line, where, page.paged ? undefined : text);
    }
  }
}

function unwrap<S>(value: unknown, format: JsonFormat<S>, noSide: S) {
  if (isObject(value)) {
    const listKey = format.listKeys.find((k) => Array.isArray(value[k]));
    const itemKey = format.itemKeys.find((k) => isObject(value[k]));
    const key = listKey ?? itemKey;
    if (key !== undefined) {
      const side = format.indexSide(pick(value, format.sideKeys));
      const records: unknown[] = listKey ? (value[listKey] as unknown[]) : [value[key]];
      return { records, side, paged: listKey !== undefined };
    }
  }
  return { records: [value], side: noSide, paged: false };
}

const PARSER_OPTIONS = { packValues: true, streamValues: false } as const;
const ignoreResult = () => {};

function openArray(source: ImportSource): Readable {
  return pipeline(source.text(), new Parser(PARSER_OPTIONS), new StreamArray(), ignoreResult);
}

/**
 * Yields each element of a streamed array. A syntax error ends the file: with an error when nothing was read yet,
 * else with one reject. Records parsed in the same chunk as the error are lost with it, so the reject can only
 * say after which record it came.
 */
async function* readArray<S>(
  source: ImportSource,
  format: JsonFormat<S>,
  side: S,
  elements: Readable,
): AsyncGenerator<ImportItem> {
  let n = 0;
  for await (const step of untilError<{ value: unknown }>(elements)) {
    if ('error' in step) {
      if (n === 0) throw invalidJson(source, step.error);
      const reason = `invalid JSON after record ${n}, the rest of the file was not read: ${errorMessage(step.error)}`;
      yield { kind: 'reject', line: n + 1, reason, raw: '' };
      return;
    }
    n++;
    if (n === 1) assertFormat(source, format, step.value.value);
    yield toItem(format, step.value.value, side, n, `record ${n}: `);
  }
}

/**
 * One JSON object holding the records. Side-loads may come after the records (Zendesk puts `users` after
 * `tickets`), so a first pass buffers them (they are small next to the tickets) while skipping the records,
 * and a second pass streams the records.
 */
async function* readDocument<S>(source: ImportSource, format: JsonFormat<S>): AsyncGenerator<ImportItem> {
  const envelope = await readEnvelope(source, format);
  const side = format.indexSide(envelope.side);
  if (envelope.listKey !== null) {
    const elements = pipeline(
      source.text(),
      new Parser(PARSER_OPTIONS),
      new Pick({ filter: envelope.listKey }),
      new StreamArray(),
      ignoreResult,
    );
    yield* readArray(source, format, side, elements);
    return;
  }
  const itemKey = format.itemKeys.find((k) => isObject(envelope.side[k]));
  // A document that is itself one record (a pretty-printed single ticket) is small: read it whole.
  const record = itemKey === undefined ? await readWhole(source) : envelope.side[itemKey];
  assertFormat(source, format, record);
  yield toItem(format, record, side, 1, '');
}

interface Envelope {
  listKey: string | null;
  keys: Set<string>;
  side: JsonObject;
}

async function readEnvelope<S>(source: ImportSource, format: JsonFormat<S>): Promise<Envelope> {
  const kept = new Set([...format.itemKeys, ...format.sideKeys]);
  const ignore = new Ignore({
    filter: (stack) => stack.length > 1 && !(typeof stack[0] === 'string' && kept.has(stack[0])),
  });
  const pairs = pipeline(source.text(), new Parser(PARSER_OPTIONS), ignore, new StreamObject(), ignoreResult);
  const envelope: Envelope = { listKey: null, keys: new Set(), side: {} };
  for await (const step of untilError<{ key: string; value: unknown }>(pairs)) {
    if ('error' in step) throw invalidJson(source, step.error);
    const { key, value } = step.value;
    envelope.keys.add(key);
    if (envelope.listKey === null && format.listKeys.includes(key) && Array.isArray(value))
      envelope.listKey = key;
    else if (kept.has(key)) envelope.side[key] = value;
  }
  if (
    envelope.listKey === null &&
    !format.itemKeys.some((k) => isObject(envelope.side[k])) &&
    !envelope.keys.has('id')
  ) {
    const expected = [...format.listKeys, ...format.itemKeys].map((k) => `"${k}"`).join(' or ');
    throw wrongFormat(source, format.title, `the JSON object has no ${expected} key and is not a ticket`);
  }
  return envelope;
}

async function readWhole(source: ImportSource): Promise<unknown> {
  const values = pipeline(source.text(), new Parser(PARSER_OPTIONS), new StreamValues(), ignoreResult);
  for await (const step of untilError<{ value: unknown }>(values)) {
    if ('error' in step) throw invalidJson(source, step.error);
    return step.value.value;
  }
  return null;
}

function assertFormat<S>(source: ImportSource, format: JsonFormat<S>, first: unknown): void {
  const reason = format.foreign(first);
  if (reason !== null) throw wrongFormat(source, format.title, reason);
}

function toItem<S>(
  format: JsonFormat<S>,
  record: unknown,
  side: S,
  line: number,
  where: string,
  raw?: string,
): ImportItem {
  const result = format.toTicket(record, side);
  if (typeof result !== 'string') return { kind: 'ticket', line, ticket: result };
  return { kind: 'reject', line, reason: where + result, raw: raw ?? JSON.stringify(record) };
}

function invalidJson(source: ImportSource, cause: unknown): UserError {
  return new UserError(
    'import.invalid_json',
    `not valid JSON: ${errorMessage(cause)}`,
    { file: source.path },
    { cause },
  );
}

/** A parsing stream's items, with its error (if any) as a last item instead of a throw. */
async function* untilError<T>(
  items: AsyncIterable<unknown>,
): AsyncGenerator<{ value: T } | { error: unknown }> {
  try {
    for await (const value of items) yield { value: value as T };
  } catch (error) {
    yield { error };
  }
}

const errorMessage = (e: unknown) => (e instanceof Error ? e.message : String(e));

function pick(value: JsonObject, keys: readonly string[]): JsonObject {
  const out: JsonObject = {};
  for (const k of keys) if (k in value) out[k] = value[k];
  return out;
}

// --- CSV

/** One data row of a CSV export, read by header name (matched ignoring case and runs of spaces, `_` or `-`). */
export interface CsvRow {
  /** The trimmed cell under that header; null when the column is absent or the cell empty. */
  get(header: string): string | null;
  /** Non-empty cells whose normalised header is not in `mapped`, keyed by the header as written. */
  unmapped(mapped: ReadonlySet<string>): Record<string, string>;
}

export const normaliseHeader = (h: string) =>
  h
    .trim()
    .toLowerCase()
    .replace(/[\s_-]+/g, ' ');

/** The normalised header names of the first CSV record in the head, or null when it is not CSV. */
export function csvHeader(head: string): Set<string> | null {
  if (head.trim() === '' || looksLikeJson(head)) return null;
  try {
    const [first] = parseCsvSync(head, { to: 1, relax_quotes: true, relax_column_count: true }) as string[][];
    return first ? new Set(first.map(normaliseHeader)) : null;
  } catch {
    return null;
  }
}

type Reject = Extract<ImportItem, { kind: 'reject' }>;

/**
 * Streams the rows of a CSV export as tickets (or rejects, with the row's first physical line). A row that
 * breaks the CSV grammar or has the wrong number of cells is rejected; the rest of the file is still read.
 */
export async function* readCsvTickets(
  source: ImportSource,
  toTicket: (row: CsvRow) => TicketRecord | string,
): AsyncGenerator<ImportItem> {
  const skipped: Reject[] = [];
  const parser = parseCsv({
    info: true,
    raw: true,
    relax_quotes: true,
    skip_empty_lines: true,
    skip_records_with_error: true,
    on_skip: (error, raw) => {
      skipped.push(csvSkip(error, raw));
      return undefined;
    },
  });
  const records = pipeline(source.text(), lfLineEnds(), parser, ignoreResult);
  let header: string[] | null = null;
  let index = new Map<string, number>();
  for await (const r of records as AsyncIterable<{
    record: string[];
    info: { lines: number };
    raw: string;
  }>) {
    const line = r.info.lines - newlines(r.record.join(''));
    yield* drain(skipped, line);
    if (header === null) {
      header = r.record;
      index = headerIndex(header);
      continue;
    }
    const result = toTicket(csvRow(header, index, r.record));
    if (typeof result !== 'string') yield { kind: 'ticket', line, ticket: result };
    else yield { kind: 'reject', line, reason: result, raw: trimLines(r.raw) };
  }
  yield* drain(skipped, Number.POSITIVE_INFINITY);
}

function csvSkip(error: { message: string } | undefined, raw: string | undefined): Reject {
  const text = trimLines(raw ?? '');
  const lines = (error as { lines?: unknown } | undefined)?.lines;
  const end = typeof lines === 'number' ? lines : 0;
  return {
    kind: 'reject',
    line: Math.max(1, end - newlines(text)),
    reason: `CSV: ${error?.message ?? 'bad row'}`,
    raw: text,
  };
}

function* drain(skipped: Reject[], before: number): Generator<Reject> {
  skipped.sort((a, b) => a.line - b.line);
  while (skipped.length > 0 && (skipped[0] as Reject).line < before) yield skipped.shift() as Reject;
}

/** csv-parse counts a CRLF inside a quoted cell as two lines; plain LF line ends keep its line numbers true. */
function lfLineEnds(): Transform {
  let heldCr = false;
  return new Transform({
    decodeStrings: false,
    encoding: 'utf8',
    transform(chunk: string | Buffer, _encoding, done) {
      let text = (heldCr ? '\r' : '') + chunk.toString();
      heldCr = text.endsWith('\r');
      if (heldCr) text = text.slice(0, -1);
      done(null, text.replace(/\r\n/g, '\n'));
    },
    flush(done) {
      done(null, heldCr ? '\r' : '');
    },
  });
}

function headerIndex(header: readonly string[]): Map<string, number> {
  const index = new Map<string, number>();
  header.forEach((h, i) => {
    const key = normaliseHeader(h);
    if (!index.has(key)) index.set(key, i);
  });
  return index;
}

function csvRow(
  header: readonly string[],
  index: ReadonlyMap<string, number>,
  cells: readonly string[],
): CsvRow {
  const cell = (i: number | undefined) => {
    const v = i === undefined ? undefined : cells[i]?.trim();
    return v ? v : null;
  };
  return {
    get: (name) => cell(index.get(name)),
    unmapped: (mapped) => {
      const out: Record<string, string> = {};
      header.forEach((h, i) => {
        const v = cell(i);
        if (v !== null && !mapped.has(normaliseHeader(h))) out[h.trim()] = v;
      });
      return out;
    },
  };
}

const newlines = (s: string) => s.split('\n').length - 1;
const trimLines = (s: string) => s.replace(/^\n+|\n+$/g, '');

function indexById<T extends { id: string | null }, V>(
  list: unknown,
  schema: z.ZodType<T>,
  value: (item: T) => V,
): Map<string, V> {
  const out = new Map<string, V>();
  if (!Array.isArray(list)) return out;
  for (const raw of list) {
    const parsed = schema.safeParse(raw);
    if (parsed.success && parsed.data.id !== null) out.set(parsed.data.id, value(parsed.data));
  }
  return out;
}

/** Side-loaded items that carry `ticket_id`, grouped per ticket. */
export function groupByTicket(list: unknown): Map<string, unknown[]> {
  const out = new Map<string, unknown[]>();
  if (!Array.isArray(list)) return out;
  for (const item of list) {
    const id = isObject(item) ? idText(item.ticket_id) : null;
    if (id === null) continue;
    const group = out.get(id);
    if (group) group.push(item);
    else out.set(id, [item]);
  }
  return out;
}

function firstByTicket(lists: readonly unknown[]): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const list of lists) {
    for (const [id, items] of groupByTicket(list)) if (!out.has(id)) out.set(id, items[0]);
  }
  return out;
}
