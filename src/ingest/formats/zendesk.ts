import { z } from 'zod';
import {
  type AuthorRole,
  blankTicket,
  type Customer,
  htmlToText,
  type Message,
  normalisePriority,
  normaliseStatus,
  type TicketRecord,
} from '../../domain/index.ts';
import { err, ok, type Result } from '../../shared/index.ts';
import type { Importer } from '../importer.ts';
import { type CsvRow, csvColumns } from './csv-tickets.ts';
import { isJsonObject, type JsonObject } from './json-layout.ts';
import { hasJsonKey, looksLikeJson } from './json-records.ts';
import { describeIssues } from './json-tickets.ts';
import {
  csvId,
  csvIdAndCreated,
  FRESHDESK_KEYS,
  groupByTicket,
  idSchema,
  idText,
  notTicketOf,
  optionalId,
  optionalText,
  optionalTimestamp,
  slug,
  timestampSchema,
  ZENDESK_KEYS,
} from './ticket-api-fields.ts';
import { vendorImporter } from './vendor-importer.ts';

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
export const zendeskImporter: Importer = vendorImporter({
  format: 'zendesk',
  description:
    'Zendesk tickets: API JSON, incremental export, JSON Lines export with comments, or CSV export',
  expected: 'expected JSON tickets or a Zendesk CSV export (columns Id, Status, Created at, Requester...)',
  json: {
    detect: isZendeskJson,
    accepts: looksLikeJson,
    keys: () => [...Object.keys(TicketSchema.shape), 'url', 'raw_subject', 'recipient', 'brand_id'],
    format: {
      what: 'a Zendesk export',
      layout: {
        // `results`: a page of the search API, whose results may also be users, organizations or groups.
        listPaths: [['tickets'], ['results']],
        itemKeys: ['ticket'],
        sideKeys: ['users', 'organizations', 'groups', 'comments', 'metric_sets', 'ticket_metrics'],
      },
      indexSide: indexZendeskSide,
      foreign: notZendesk,
      toTicket: zendeskTicket,
    },
  },
  csv: { detect: isZendeskCsv, columns: () => ZENDESK_CSV_MAPPED, toTicket: zendeskCsvTicket },
});

const SOURCE = 'zendesk';

const NamedSchema = z.object({ id: idSchema, name: z.string() });

const splitTags = (s: string) => s.split(/[\s,]+/).filter((t) => t !== '');

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
  const reason = notTicketOf(first, { name: 'Freshdesk', keys: FRESHDESK_KEYS });
  if (reason !== null || !isJsonObject(first)) return reason;
  return typeof first.status === 'number'
    ? 'the first ticket has a numeric status, as Freshdesk exports do'
    : null;
}

// `source.from` holds the sender's address on a ticket created by email, a rule on one created by a trigger...
const ViaSchema = z
  .object({ channel: z.union([z.string(), z.number()]).nullish(), source: z.unknown().optional() })
  .nullish();

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

function indexZendeskSide(side: JsonObject): ZendeskSide {
  return {
    users: indexById(side.users, PersonSchema, (u) => u),
    organizations: indexById(side.organizations, NamedSchema, (o) => o.name),
    groups: indexById(side.groups, NamedSchema, (g) => g.name),
    comments: isJsonObject(side.comments)
      ? new Map(Object.entries(side.comments))
      : groupByTicket(side.comments),
    metrics: firstByTicket([side.metric_sets, side.ticket_metrics]),
  };
}

function zendeskTicket(raw: JsonObject, side: ZendeskSide): Result<TicketRecord, string> {
  if (typeof raw.result_type === 'string' && raw.result_type !== 'ticket') {
    return err(`a search result of type "${raw.result_type}", not a ticket`);
  }
  const parsed = TicketSchema.safeParse(withSideLoads(raw, side));
  if (!parsed.success) return err(describeIssues(parsed.error));
  const t = parsed.data;
  const metric = t.metric_set;
  const rating = t.satisfaction_rating?.score ?? null;
  const agentStarted = isAgentStarted(t, side);
  const replyStated =
    metric != null &&
    (metric.reply_time_in_minutes !== undefined || metric.reply_time_in_seconds !== undefined);
  const firstResponseAt = firstReplyAt(t.created_at, metric);
  return ok({
    ...blankTicket(SOURCE, t.id, t.created_at),
    ...(agentStarted ? { startedBy: 'agent' as const } : {}),
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
    firstResponseAt,
    // A metric set that gives no reply time says no agent has replied: nothing to derive from the comments.
    deriveFirstResponse: !(replyStated && firstResponseAt === null),
    resolvedAt: metric?.solved_at ?? null,
    csatScore: rating === 'good' ? 1 : rating === 'bad' ? 0 : null,
    csatRaw: rating,
    reopens: metric?.reopens ?? null,
    customFields: zendeskCustomFields(t),
    customer: zendeskCustomer(t, side, agentStarted),
    messages: zendeskMessages(t, side),
  });
}

/** Side-loaded comments and metrics join their ticket before validation, so their errors reject it too. */
function withSideLoads(raw: JsonObject, side: ZendeskSide): JsonObject {
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

/**
 * A ticket submitted by someone other than its requester was opened by an agent for them (a phone call logged, a
 * proactive message), unless the side-loaded users say the submitter is an end user too.
 */
function isAgentStarted(t: ZendeskTicket, side: ZendeskSide): boolean {
  const submitter = t.submitter_id;
  const requester = t.requester_id ?? t.requester?.id ?? null;
  if (submitter === null || requester === null || submitter === requester) return false;
  return side.users.get(submitter)?.role !== 'end-user';
}

function zendeskCustomer(t: ZendeskTicket, side: ZendeskSide, agentStarted: boolean): Customer | null {
  const id = t.requester_id ?? t.requester?.id ?? null;
  const user = (id === null ? undefined : side.users.get(id)) ?? t.requester;
  // The sender of the mail that opened the ticket is the requester, unless an agent opened it.
  const from = agentStarted ? null : sender(t.via?.source);
  const email = user?.email ?? from?.address ?? null;
  const name = user?.name ?? from?.name ?? null;
  if (id === null && email === null && name === null) return null;
  const orgId = t.organization_id ?? user?.organization_id ?? null;
  const attributes: Record<string, unknown> = {};
  if (orgId !== null) attributes.organizationId = orgId;
  const orgName = orgId === null ? undefined : side.organizations.get(orgId);
  if (orgName) attributes.organization = orgName;
  return { externalId: id, email, name, segment: null, attributes };
}

const SenderSchema = z.object({ from: z.object({ address: optionalText, name: optionalText }) });

/** `via.source.from` when it is a sender (`{address, name}`); null for a rule or anything else. */
function sender(source: unknown): { address: string | null; name: string | null } | null {
  const parsed = SenderSchema.safeParse(source);
  return parsed.success ? parsed.data.from : null;
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

const ZENDESK_CSV = csvColumns({
  id: 'Id',
  subject: 'Subject',
  status: 'Status',
  priority: 'Priority',
  via: 'Via',
  type: 'Ticket type',
  tags: 'Tags',
  requester: 'Requester',
  requesterEmail: 'Requester email',
  requesterId: 'Requester id',
  organization: 'Organization',
  assignee: 'Assignee',
  group: 'Group',
  createdAt: 'Created at',
  updatedAt: 'Updated at',
  solvedAt: 'Solved at',
  reopens: 'Reopens',
  firstReply: 'First reply time in minutes',
  satisfaction: 'Satisfaction Score',
});
const ZENDESK_CSV_MAPPED: ReadonlySet<string> = new Set(Object.values(ZENDESK_CSV));
const ZENDESK_CSV_MARKERS = Object.values(
  csvColumns({
    via: 'Via',
    type: 'Ticket type',
    satisfaction: 'Satisfaction Score',
    summation: 'Summation column',
    solvedAt: 'Solved at',
    domain: 'Requester domain',
    firstReply: 'First reply time in minutes',
  }),
);

function isZendeskCsv(header: ReadonlySet<string>): boolean {
  const C = ZENDESK_CSV;
  return (
    [C.id, C.status, C.createdAt].every((h) => header.has(h)) &&
    [C.requester, C.requesterEmail, C.requesterId].some((h) => header.has(h)) &&
    ZENDESK_CSV_MARKERS.some((h) => header.has(h))
  );
}

function zendeskCsvTicket(row: CsvRow): Result<TicketRecord, string> {
  const C = ZENDESK_CSV;
  const required = csvIdAndCreated(
    row,
    { id: C.id, created: C.createdAt },
    { id: 'Id', created: 'Created at' },
  );
  if (!required.ok) return required;
  const { id, createdAt } = required.value;
  const status = row.get(C.status);
  const score = row.get(C.satisfaction)?.toLowerCase() ?? null;
  const firstReply = Number(row.get(C.firstReply) ?? Number.NaN);
  const reopens = Number(row.get(C.reopens) ?? Number.NaN);
  return ok({
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
    updatedAt: row.time(C.updatedAt),
    firstResponseAt: Number.isFinite(firstReply) && firstReply >= 0 ? createdAt + firstReply * 60_000 : null,
    resolvedAt: row.time(C.solvedAt),
    csatScore: score === 'good' ? 1 : score === 'bad' ? 0 : null,
    csatRaw: row.get(C.satisfaction),
    reopens: Number.isInteger(reopens) && reopens >= 0 ? reopens : null,
    customFields: row.unmapped(ZENDESK_CSV_MAPPED),
    customer: zendeskCsvCustomer(row),
  });
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

function firstByTicket(lists: readonly unknown[]): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const list of lists) {
    for (const [id, items] of groupByTicket(list)) if (!out.has(id)) out.set(id, items[0]);
  }
  return out;
}
