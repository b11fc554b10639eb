import { createInterface } from 'node:readline';
import Assembler from 'stream-json/Assembler.js';
import Parser from 'stream-json/Parser.js';
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
import { err, ok, type Result, UserError } from '../../shared/index.ts';
import type { Importer, ImportItem, ImportSource } from '../importer.ts';

/**
 * Intercom conversations, as returned by `GET /conversations/{id}` (with `source`, `conversation_parts`,
 * `statistics`, `conversation_rating`), one per ticket. Accepts a JSON array of conversations, an object wrapping
 * `conversations` (a page of the list or search API), a single conversation, and JSON Lines (one conversation or
 * one page per line). Comment parts become public messages and notes private ones; assignment and close parts
 * fill the assignee and close time when the conversation does not state them.
 *
 * @example
 * for await (const item of intercomImporter.read(openFileSource('conversations.jsonl'), { mapping: {} })) {
 *   if (item.kind === 'ticket') console.log(item.ticket.externalId, item.ticket.messages.length);
 * }
 */
export const intercomImporter: Importer = {
  format: 'intercom',
  description: 'Intercom conversations (API JSON: array, list page, single conversation, or JSON Lines)',
  detect: (head) =>
    startsLikeJson(head) &&
    (INTERCOM_LIST_PAGE.test(head) || INTERCOM_MARKERS.filter((m) => m.test(head)).length >= 2),
  async *read(source, options) {
    if (!startsLikeJson(source.head) || !hasAny(source.head, [INTERCOM_LIST_PAGE, ...INTERCOM_MARKERS])) {
      throw wrongFormat(source, 'Intercom conversations', '"type": "conversation", "conversation_parts"');
    }
    const ticketSource = options.source ?? 'intercom';
    yield* readConversations(source, INTERCOM_LAYOUT, (value) => intercomTicket(value, ticketSource));
  },
};

const INTERCOM_LIST_PAGE = /"type"\s*:\s*"conversation\.list"/;
const INTERCOM_MARKERS = [
  /"type"\s*:\s*"conversation"/,
  /"conversation_parts"\s*:/,
  /"part_type"\s*:/,
  /"delivered_as"\s*:/,
  /"admin_assignee_id"\s*:/,
  /"conversation_rating"\s*:/,
];

const INTERCOM_LAYOUT: JsonLayout = {
  recordPaths: [['conversations']],
  isPage: (value) => value.type === 'conversation.list',
};

// ---------------------------------------------------------------------------------------------------------------
// Intercom conversation schema: only the fields the ticket needs. Missing or null fields are fine; a field of the
// wrong type makes the record a reject rather than a silently wrong ticket.

const text = z.string().nullish();
const optionalId = z
  .union([z.string(), z.number()])
  .nullish()
  .transform((v) => (v === null || v === undefined || v === '' ? null : String(v)));
/** `admin_assignee_id` and friends: absent (undefined) differs from unassigned (null, and `0` in some exports). */
const assigneeId = z
  .union([z.string(), z.number()])
  .nullish()
  .transform((v) =>
    v === undefined ? undefined : v === null || v === '' || String(v) === '0' ? null : String(v),
  );

const Author = z
  .object({ type: text, id: optionalId, name: text, email: text, from_ai_agent: z.boolean().nullish() })
  .nullish();
const Reference = z.object({ type: text, id: optionalId, external_id: optionalId });

const Part = z.object({
  id: optionalId,
  part_type: text,
  body: text,
  created_at: optionalTimestamp(),
  author: Author,
  assigned_to: Reference.nullish(),
});
type Part = z.output<typeof Part>;

/** Lists arrive either bare or wrapped in a typed list object (`{type: "tag.list", tags: [...]}`). */
const listOf = <T extends z.ZodType>(item: T, key: string) =>
  z
    .union([z.array(item), z.looseObject({ [key]: z.array(item).nullish() })])
    .nullish()
    .transform((v) => (Array.isArray(v) ? v : (v?.[key] ?? [])));

const Tag = z.union([z.string(), z.object({ name: z.string() }).transform((t) => t.name)]);
const Teammates = z
  .object({ teammates: z.array(Reference).nullish(), admins: z.array(Reference).nullish() })
  .nullish()
  .transform((v) => v?.teammates ?? v?.admins ?? []);

const Statistics = z
  .object({
    first_contact_reply_at: optionalTimestamp(),
    first_admin_reply_at: optionalTimestamp(),
    first_close_at: optionalTimestamp(),
    last_close_at: optionalTimestamp(),
    count_reopens: z.number().int().nonnegative().nullish(),
    handling_time: z.number().nonnegative().nullish(),
  })
  .nullish();

const IntercomConversation = z.object({
  id: requiredId(),
  created_at: requiredTimestamp(),
  updated_at: optionalTimestamp(),
  title: text,
  state: text,
  open: z.boolean().nullish(),
  priority: text,
  admin_assignee_id: assigneeId,
  team_assignee_id: assigneeId,
  tags: listOf(Tag, 'tags'),
  conversation_rating: z.object({ rating: z.number().nullish(), remark: text }).nullish(),
  source: z.object({ type: text, id: optionalId, subject: text, body: text, author: Author }).nullish(),
  contacts: listOf(Reference, 'contacts'),
  teammates: Teammates,
  custom_attributes: z.record(z.string(), z.unknown()).nullish(),
  statistics: Statistics,
  conversation_parts: listOf(Part, 'conversation_parts'),
});
type IntercomConversation = z.output<typeof IntercomConversation>;

// ---------------------------------------------------------------------------------------------------------------
// Mapping to the normalised ticket.

/** Turns one Intercom conversation into a ticket, or says why it cannot. */
export function intercomTicket(value: unknown, source = 'intercom'): Result<TicketRecord, string> {
  const parsed = IntercomConversation.safeParse(value);
  if (!parsed.success) return err(describeIssues(parsed.error));
  const c = parsed.data;
  const messages = intercomMessages(c);
  if (!messages.ok) return messages;

  const ticket = blankTicket(source, c.id, c.created_at);
  const statusRaw = c.state ?? (c.open === true ? 'open' : c.open === false ? 'closed' : null);
  const stats = c.statistics;
  ticket.subject = nonEmpty(c.source?.subject) ?? nonEmpty(c.title);
  ticket.channel = nonEmpty(c.source?.type);
  ticket.status = normaliseStatus(statusRaw);
  ticket.statusRaw = statusRaw;
  ticket.priority = intercomPriority(c.priority);
  ticket.tags = c.tags;
  ticket.assignee = c.admin_assignee_id !== undefined ? c.admin_assignee_id : fallbackAssignee(c);
  ticket.group =
    c.team_assignee_id !== undefined ? c.team_assignee_id : lastAssigned(c.conversation_parts, 'team');
  ticket.updatedAt = c.updated_at;
  ticket.firstResponseAt = firstAdminReply(stats);
  ticket.closedAt = ticket.status === 'closed' ? closeTime(c) : null;
  ticket.reopens = stats?.count_reopens ?? null;
  ticket.handleTimeSeconds = stats?.handling_time ?? null;
  Object.assign(ticket, fiveStarRating(c.conversation_rating?.rating));
  ticket.customFields = withCsatComment(c.custom_attributes ?? {}, c.conversation_rating?.remark);
  ticket.customer = intercomCustomer(c);
  ticket.messages = messages.value;
  return ok(ticket);
}

/** 1-5 stars normalised to 0..1, as the ticket model wants; out-of-range values keep only the raw text. */
function fiveStarRating(rating: number | null | undefined): Pick<TicketRecord, 'csatScore' | 'csatRaw'> {
  if (rating === null || rating === undefined) return { csatScore: null, csatRaw: null };
  const valid = Number.isInteger(rating) && rating >= 1 && rating <= 5;
  return { csatScore: valid ? (rating - 1) / 4 : null, csatRaw: String(rating) };
}

function intercomPriority(raw: string | null | undefined): TicketRecord['priority'] {
  if (raw === 'priority') return 'high';
  if (raw === 'not_priority') return 'normal';
  return normalisePriority(raw);
}

/** The stated first reply, unless it precedes the customer's first message (an outbound conversation). */
function firstAdminReply(stats: IntercomConversation['statistics']): number | null {
  const reply = stats?.first_admin_reply_at ?? null;
  const contact = stats?.first_contact_reply_at ?? null;
  return reply !== null && (contact === null || reply >= contact) ? reply : null;
}

function closeTime(c: IntercomConversation): number | null {
  const closes = c.conversation_parts.filter((p) => p.part_type === 'close');
  return (
    c.statistics?.last_close_at ??
    c.statistics?.first_close_at ??
    closes[closes.length - 1]?.created_at ??
    null
  );
}

/** Used only when the export omits `admin_assignee_id`: the last admin assignment, else the only teammate who wrote. */
function fallbackAssignee(c: IntercomConversation): string | null {
  const assigned = lastAssigned(c.conversation_parts, 'admin');
  if (assigned !== null) return assigned;
  return c.teammates.length === 1 ? (c.teammates[0]?.id ?? null) : null;
}

function lastAssigned(parts: readonly Part[], type: 'admin' | 'team'): string | null {
  let found: string | null = null;
  for (const p of parts) {
    const to = p.assigned_to;
    if (
      p.part_type?.includes('assign') &&
      to?.id &&
      (to.type === type || (type === 'admin' && to.type === 'teammate'))
    ) {
      found = to.id;
    }
  }
  return found;
}

const CUSTOMER_TYPES = new Set(['user', 'lead', 'contact']);

function intercomCustomer(c: IntercomConversation): Customer | null {
  const author = CUSTOMER_TYPES.has(c.source?.author?.type ?? '') ? c.source?.author : null;
  const contact = c.contacts[0];
  const externalId = author?.id ?? contact?.id ?? null;
  const email = nonEmpty(author?.email);
  const name = nonEmpty(author?.name);
  if (externalId === null && email === null && name === null) return null;
  const attributes: Record<string, unknown> = {};
  if (author?.type) attributes.type = author.type;
  if (contact?.external_id) attributes.external_id = contact.external_id;
  return { externalId, email, name, segment: null, attributes };
}

function intercomRole(author: z.output<typeof Author>): AuthorRole {
  if (author?.from_ai_agent) return 'bot';
  switch (author?.type) {
    case 'user':
    case 'lead':
    case 'contact':
      return 'customer';
    case 'admin':
    case 'teammate':
    case 'team':
      return 'agent';
    case 'bot':
      return 'bot';
    default:
      return 'system';
  }
}

/** Parts that are messages whatever their body; the routing and status parts below are only when they carry text. */
const MESSAGE_PARTS = new Set(['comment', 'note']);
const PARTS_WITH_OPTIONAL_MESSAGE = new Set([
  'assignment',
  'assign_and_reopen',
  'away_mode_assignment',
  'default_assignment',
  'open',
  'close',
  'snoozed',
  'quick_reply',
]);

function intercomMessages(c: IntercomConversation): Result<Message[], string> {
  const messages: Message[] = [];
  if (c.source) {
    messages.push({
      externalId: c.source.id,
      authorRole: intercomRole(c.source.author),
      authorId: c.source.author?.id ?? null,
      body: htmlToText(c.source.body ?? ''),
      createdAt: c.created_at,
      public: true,
    });
  }
  for (const [index, part] of c.conversation_parts.entries()) {
    const type = part.part_type ?? '';
    if (!MESSAGE_PARTS.has(type) && !PARTS_WITH_OPTIONAL_MESSAGE.has(type)) continue;
    const body = htmlToText(part.body ?? '');
    if (!MESSAGE_PARTS.has(type) && body === '') continue;
    if (part.created_at === null) {
      return err(
        `conversation_parts.${index} (${type} ${part.id ?? 'without id'}): created_at missing or invalid`,
      );
    }
    messages.push({
      externalId: part.id,
      authorRole: intercomRole(part.author),
      authorId: part.author?.id ?? null,
      body,
      createdAt: part.created_at,
      public: type !== 'note',
    });
  }
  return ok(byTime(messages));
}

// ---------------------------------------------------------------------------------------------------------------
// Helpers shared with helpscout.ts (both formats are JSON documents of conversations).

/** The customer's CSAT comment has no field of its own in the ticket model, so it travels with the custom fields. */
export function withCsatComment(
  fields: Record<string, unknown>,
  comment: string | null | undefined,
): Record<string, unknown> {
  const text = nonEmpty(comment);
  return text === null ? fields : { ...fields, csat_comment: text };
}

export function nonEmpty(value: string | null | undefined): string | null {
  const trimmed = value?.trim();
  return trimmed ? trimmed : null;
}

/** Messages in time order; the sort is stable, so equal times keep the export's order. */
export function byTime(messages: Message[]): Message[] {
  return messages.sort((a, b) => a.createdAt - b.createdAt);
}

// `.optional()` lets an absent key reach the transform, which reports it as missing.
export function requiredId() {
  return z
    .unknown()
    .optional()
    .transform((raw, ctx) => {
      if (
        (typeof raw === 'string' && raw.trim() !== '') ||
        (typeof raw === 'number' && Number.isFinite(raw))
      ) {
        return String(raw).trim();
      }
      ctx.issues.push({ code: 'custom', message: problem(raw, 'not an id'), input: raw });
      return z.NEVER;
    });
}

export function requiredTimestamp() {
  return z
    .unknown()
    .optional()
    .transform((raw, ctx) => {
      const ms = toTime(raw);
      if (ms !== null) return ms;
      ctx.issues.push({ code: 'custom', message: problem(raw, 'not a timestamp'), input: raw });
      return z.NEVER;
    });
}

/** An optional time: absent, null or unreadable gives null (these feed metrics, never the record's identity). */
export function optionalTimestamp() {
  return z.unknown().optional().transform(toTime);
}

/** Exports write `0` for "never happened"; the epoch is never a real support event. */
function toTime(raw: unknown): number | null {
  const ms = parseTimestamp(raw);
  return ms !== null && ms > 0 ? ms : null;
}

function problem(raw: unknown, what: string): string {
  return raw === null || raw === undefined ? 'missing' : `${what}: ${JSON.stringify(raw).slice(0, 80)}`;
}

export function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message))
    .join('; ');
}

export function startsLikeJson(head: string): boolean {
  return /^\s*[[{]/.test(head);
}

export function hasAny(head: string, patterns: readonly RegExp[]): boolean {
  return patterns.some((p) => p.test(head));
}

export function wrongFormat(source: ImportSource, what: string, expected: string): UserError {
  return new UserError(
    'import.wrong_format',
    `${source.path} does not look like ${what}: expected JSON or JSON Lines with fields such as ${expected}`,
    { file: source.path },
  );
}

// ---------------------------------------------------------------------------------------------------------------
// Streaming JSON records out of a document or JSON Lines, with line numbers.

/** Where a format's records sit inside a wrapper object, and how to recognise a page that holds no records. */
export interface JsonLayout {
  /** Key paths of the arrays holding records in a wrapper object, e.g. `[['_embedded', 'conversations']]`. */
  recordPaths: readonly (readonly string[])[];
  /** True for a top-level object that is a page or wrapper even when its record array is absent. */
  isPage(value: Record<string, unknown>): boolean;
}

type JsonRecord =
  | { kind: 'record'; line: number; where: string | null; value: unknown; raw: string | null }
  | { kind: 'broken'; line: number; reason: string; raw: string };

/**
 * Yields each record of a JSON document or JSON Lines file as a ticket or a reject: the runner's contract for
 * both JSON formats. `toTicket` returns the reason when a record is not a valid conversation.
 */
export async function* readConversations(
  source: ImportSource,
  layout: JsonLayout,
  toTicket: (value: unknown) => Result<TicketRecord, string>,
): AsyncGenerator<ImportItem> {
  for await (const record of readJsonRecords(source, layout)) {
    if (record.kind === 'broken') {
      yield { kind: 'reject', line: record.line, reason: record.reason, raw: record.raw };
      continue;
    }
    const result = isObject(record.value) ? toTicket(record.value) : err('not a JSON object');
    if (result.ok) {
      yield { kind: 'ticket', line: record.line, ticket: result.value };
    } else {
      const reason = record.where ? `${record.where}: ${result.error}` : result.error;
      yield { kind: 'reject', line: record.line, reason, raw: record.raw ?? JSON.stringify(record.value) };
    }
  }
}

/**
 * JSON Lines when the first line is a whole object (a bad line then costs one reject); otherwise one streamed
 * document, which also covers a single pretty-printed object and minified files whose first line exceeds the head.
 */
function readJsonRecords(source: ImportSource, layout: JsonLayout): AsyncGenerator<JsonRecord> {
  return isJsonLines(source.head) ? jsonLinesRecords(source, layout) : documentRecords(source, layout);
}

function isJsonLines(head: string): boolean {
  const text = head.trimStart();
  const end = text.indexOf('\n');
  if (end < 0) return false;
  const first = text.slice(0, end).trim();
  return first.startsWith('{') && first.endsWith('}');
}

async function* jsonLinesRecords(source: ImportSource, layout: JsonLayout): AsyncGenerator<JsonRecord> {
  let line = 0;
  for await (const text of createInterface({ input: source.text(), crlfDelay: Number.POSITIVE_INFINITY })) {
    line++;
    if (text.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (cause) {
      yield { kind: 'broken', line, reason: `not valid JSON: ${(cause as Error).message}`, raw: text };
      continue;
    }
    const records = recordsIn(value, layout);
    if (records === null) {
      yield { kind: 'record', line, where: null, value, raw: text };
      continue;
    }
    for (const [index, record] of records.entries()) {
      yield { kind: 'record', line, where: `record ${index + 1} on this line`, value: record, raw: null };
    }
  }
}

/** The records a JSON Lines value holds when it is an array or a page; null when the value is itself a record. */
function recordsIn(value: unknown, layout: JsonLayout): unknown[] | null {
  if (Array.isArray(value)) return value;
  if (!isObject(value)) return null;
  const lists = layout.recordPaths.map((path) => valueAt(value, path)).filter(Array.isArray);
  if (lists.length > 0) return lists.flat();
  return layout.isPage(value) ? [] : null;
}

function valueAt(value: unknown, path: readonly string[]): unknown {
  let current = value;
  for (const key of path) current = isObject(current) ? current[key] : undefined;
  return current;
}

/** A raw excerpt for a syntax-error reject: enough to find the spot, never a whole minified file. */
const EXCERPT_CHARS = 500;

/**
 * Streams a JSON document (or several concatenated ones) through stream-json's tokenizer, assembling one record
 * at a time. The text is fed a line at a time and the tokens drained after each write, so every record knows the
 * line it starts on. A syntax error cannot be skipped in a document: it becomes the last reject.
 */
async function* documentRecords(source: ImportSource, layout: JsonLayout): AsyncGenerator<JsonRecord> {
  // decodeStrings: false keeps the text as strings; by default every write would be encoded and decoded again.
  const parser = new Parser({ jsonStreaming: true, streamValues: false, decodeStrings: false });
  // Errors are read from parser.errored after each write; the listener only keeps the event from crashing.
  parser.on('error', () => {});
  const picker = recordPicker(layout);
  let line = 0;
  let atLineStart = true;
  let recent = '';
  const write = (piece: string) => {
    if (atLineStart) line++;
    atLineStart = piece.endsWith('\n');
    recent = (recent + piece).slice(-EXCERPT_CHARS);
    parser.write(piece);
    for (let token = parser.read(); token !== null; token = parser.read()) picker.consume(token, line);
  };
  // The tokenizer looks up to 16 characters ahead, so it may notice an error a line after the one at fault.
  const broken = (): JsonRecord => ({
    kind: 'broken',
    line,
    reason: `invalid JSON at or just before this line, reading stopped: ${parser.errored?.message ?? 'unknown error'}`,
    raw: recent,
  });
  for await (const chunk of source.text()) {
    for (const piece of String(chunk).split(/(?<=\n)/)) {
      write(piece);
      yield* picker.take();
      if (parser.errored) {
        yield broken();
        return;
      }
    }
  }
  parser.end();
  for (let token = parser.read(); token !== null; token = parser.read()) picker.consume(token, line);
  yield* picker.take();
  if (parser.errored) yield broken();
}

interface Token {
  name: string;
  value?: string;
}

/**
 * Feeds tokens to an Assembler and pops each finished record out of its array at once, so memory holds one
 * record, not the document. Records are the elements of a top-level array or of an array at one of the layout's
 * paths, or else each top-level object that is not a page.
 */
function recordPicker(layout: JsonLayout) {
  const asm = new Assembler();
  const ready: JsonRecord[] = [];
  let count = 0;
  let recordLine = 0;
  let topLine = 0;

  const inRecordArray = (): boolean =>
    Array.isArray(asm.current) &&
    (asm.stack.length === 0 || layout.recordPaths.some((path) => stackIsAt(asm.stack, path)));

  const finishTopLevel = () => {
    const value: unknown = asm.current;
    if (Array.isArray(value) || (isObject(value) && recordsIn(value, layout) !== null)) return;
    ready.push({ kind: 'record', line: topLine, where: null, value, raw: null });
  };

  return {
    consume(token: Token, line: number) {
      if (asm.done) topLine = line;
      else if (token.name !== 'endArray' && inRecordArray()) recordLine = line;
      asm.consume(token);
      if (asm.done) finishTopLevel();
      else if (inRecordArray() && asm.current.length > 0) {
        count++;
        ready.push({
          kind: 'record',
          line: recordLine,
          where: `record ${count}`,
          value: asm.current.pop(),
          raw: null,
        });
      }
    },
    take: (): JsonRecord[] => ready.splice(0),
  };
}

/** The Assembler's stack alternates parent and key; the keys spell the path to the current container. */
function stackIsAt(stack: readonly unknown[], path: readonly string[]): boolean {
  if (stack.length !== path.length * 2) return false;
  return path.every((key, i) => stack[i * 2 + 1] === key);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
