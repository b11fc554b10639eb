import { z } from 'zod';
import {
  type AuthorRole,
  blankTicket,
  type Customer,
  htmlToText,
  type Message,
  normalisePriority,
  normaliseStatus,
  type Priority,
  type TicketRecord,
  type TicketStatus,
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
 * Freshdesk API v2 tickets. Reads a bare JSON array (the list endpoint), one ticket object (the view endpoint),
 * an object wrapping the array in `tickets` or `results` (optionally side-loading `conversations` and
 * `satisfaction_ratings` that carry `ticket_id`), JSON Lines, and the Freshdesk CSV export (`Ticket ID`,
 * `Status`, `Created time`...). Embeds from `include=stats,requester,company,conversations` are mapped.
 *
 * @example
 * for await (const item of freshdeskImporter.read(openFileSource('tickets.json'), { mapping: {} })) {
 *   if (item.kind === 'ticket') console.log(item.ticket.externalId, item.ticket.status);
 * }
 */
export const freshdeskImporter: Importer = vendorImporter({
  format: 'freshdesk',
  description:
    'Freshdesk API v2 tickets (JSON array, wrapper object or JSON Lines) or the Freshdesk CSV export',
  expected: 'expected JSON tickets or a Freshdesk CSV export (columns Ticket ID, Status, Created time...)',
  json: {
    detect: isFreshdeskJson,
    accepts: looksLikeJson,
    keys: () => [...Object.keys(TicketSchema.shape), ...FRESHDESK_KEYS],
    format: {
      what: 'a Freshdesk export',
      layout: {
        listPaths: [['tickets'], ['results']],
        itemKeys: ['ticket'],
        sideKeys: ['conversations', 'satisfaction_ratings'],
      },
      indexSide: (side): FreshdeskSide => ({
        conversations: groupByTicket(side.conversations),
        ratings: groupByTicket(side.satisfaction_ratings),
      }),
      foreign: (first) => notTicketOf(first, { name: 'Zendesk', keys: ZENDESK_KEYS }),
      toTicket: freshdeskTicket,
    },
  },
  csv: { detect: isFreshdeskCsv, columns: () => FRESHDESK_CSV_MAPPED, toTicket: freshdeskCsvTicket },
});

const SOURCE = 'freshdesk';

// ---------------------------------------------------------------------------------------------------------------
// Code tables

const STATUS_CODES: Readonly<Record<number, TicketStatus>> = {
  2: 'open',
  3: 'pending',
  4: 'resolved',
  5: 'closed',
};
const PRIORITY_CODES: Readonly<Record<number, Priority>> = { 1: 'low', 2: 'normal', 3: 'high', 4: 'urgent' };
const SOURCE_CODES: Readonly<Record<number, string>> = {
  1: 'email',
  2: 'portal',
  3: 'phone',
  7: 'chat',
  8: 'mobihelp',
  9: 'feedback_widget',
  10: 'outbound_email',
};
const OUTBOUND_EMAIL = 10;

/** Survey answers on the 7-point scale (the 3-point survey uses 103 / 100 / -103), spread evenly over 0..1. */
const SURVEY_SCORES: Readonly<Record<string, number>> = {
  '103': 1,
  '102': 5 / 6,
  '101': 4 / 6,
  '100': 0.5,
  '-101': 2 / 6,
  '-102': 1 / 6,
  '-103': 0,
};
const SURVEY_LABELS: Readonly<Record<string, string>> = {
  'extremely happy': '103',
  'very happy': '102',
  happy: '101',
  neutral: '100',
  unhappy: '-101',
  'very unhappy': '-102',
  'extremely unhappy': '-103',
};

// ---------------------------------------------------------------------------------------------------------------
// Freshdesk JSON

function isFreshdeskJson(head: string): boolean {
  return (
    hasJsonKey(head, 'requester_id') &&
    (FRESHDESK_KEYS.some((k) => hasJsonKey(head, k)) || /[{,\s]"status"\s*:\s*\d/.test(head)) &&
    !ZENDESK_KEYS.some((k) => hasJsonKey(head, k))
  );
}

const code = z.union([z.number(), z.string()]).nullish();

const ConversationSchema = z.object({
  id: optionalId,
  body: optionalText,
  body_text: optionalText,
  incoming: z.boolean().nullish(),
  private: z.boolean().nullish(),
  user_id: optionalId,
  created_at: timestampSchema,
});

const RatingSchema = z.object({
  ratings: z.record(z.string(), z.number().nullable()).nullish(),
  feedback: optionalText,
  created_at: optionalTimestamp,
});
type FreshdeskRating = z.infer<typeof RatingSchema>;

const TicketSchema = z.object({
  id: idSchema,
  created_at: timestampSchema,
  updated_at: optionalTimestamp,
  subject: optionalText,
  description: optionalText,
  description_text: optionalText,
  status: code,
  priority: code,
  source: code,
  type: optionalText,
  requester_id: optionalId,
  responder_id: optionalId,
  group_id: optionalId,
  company_id: optionalId,
  email: optionalText,
  name: optionalText,
  phone: optionalText,
  tags: z.array(z.string()).nullish(),
  // The API sends an object keyed `cf_*`; some clients flatten it to [{name, value}].
  custom_fields: z
    .union([
      z.record(z.string(), z.unknown()),
      z.array(z.object({ name: z.string(), value: z.unknown().optional() })),
    ])
    .nullish(),
  is_escalated: z.boolean().nullish(),
  fr_escalated: z.boolean().nullish(),
  nr_escalated: z.boolean().nullish(),
  due_by: optionalText,
  fr_due_by: optionalText,
  spam: z.boolean().nullish(),
  deleted: z.boolean().nullish(),
  stats: z
    .object({
      first_responded_at: optionalTimestamp,
      resolved_at: optionalTimestamp,
      closed_at: optionalTimestamp,
    })
    .nullish(),
  requester: z
    .object({
      id: optionalId,
      name: optionalText,
      email: optionalText,
      phone: optionalText,
      mobile: optionalText,
    })
    .nullish(),
  company: z.object({ id: optionalId, name: optionalText }).nullish(),
  conversations: z.array(ConversationSchema).nullish(),
  satisfaction_ratings: z.array(RatingSchema).nullish(),
});
type FreshdeskTicket = z.infer<typeof TicketSchema>;

interface FreshdeskSide {
  conversations: Map<string, unknown[]>;
  ratings: Map<string, unknown[]>;
}

function freshdeskTicket(raw: JsonObject, side: FreshdeskSide): Result<TicketRecord, string> {
  const parsed = TicketSchema.safeParse(withSideLoads(raw, side));
  if (!parsed.success) return err(describeIssues(parsed.error));
  const t = parsed.data;
  const rating = latestRating(t.satisfaction_ratings ?? []);
  const csatRaw = rating?.ratings?.default_question;
  // `include=stats` states the first response; null there means no agent has responded (an outbound email).
  const noResponse = isJsonObject(raw.stats) && raw.stats.first_responded_at === null;
  return ok({
    ...blankTicket(SOURCE, t.id, t.created_at),
    ...(t.source === OUTBOUND_EMAIL ? { startedBy: 'agent' as const } : {}),
    subject: t.subject,
    channel:
      typeof t.source === 'number' ? (SOURCE_CODES[t.source] ?? String(t.source)) : slug(t.source ?? null),
    status: freshdeskStatus(t.status),
    statusRaw: t.status == null ? null : String(t.status),
    priority: freshdeskPriority(t.priority),
    tags: t.tags ?? [],
    category: t.type,
    assignee: t.responder_id,
    group: t.group_id,
    updatedAt: t.updated_at,
    firstResponseAt: t.stats?.first_responded_at ?? null,
    deriveFirstResponse: !noResponse,
    resolvedAt: t.stats?.resolved_at ?? null,
    closedAt: t.stats?.closed_at ?? null,
    csatScore: csatRaw == null ? null : (SURVEY_SCORES[String(csatRaw)] ?? null),
    csatRaw: csatRaw == null ? null : String(csatRaw),
    customFields: freshdeskCustomFields(t, rating),
    customer: freshdeskCustomer(t),
    messages: freshdeskMessages(t),
  });
}

/** Side-loaded conversations and ratings join their ticket before validation, so their errors reject it too. */
function withSideLoads(raw: JsonObject, side: FreshdeskSide): JsonObject {
  const id = idText(raw.id);
  if (id === null) return raw;
  return {
    ...raw,
    conversations: raw.conversations ?? side.conversations.get(id),
    satisfaction_ratings: raw.satisfaction_ratings ?? side.ratings.get(id),
  };
}

function freshdeskStatus(status: FreshdeskTicket['status']): TicketStatus {
  if (typeof status === 'number') return STATUS_CODES[status] ?? 'other';
  return normaliseStatus(status);
}

function freshdeskPriority(priority: FreshdeskTicket['priority']): Priority | null {
  if (typeof priority === 'number') return PRIORITY_CODES[priority] ?? null;
  return normalisePriority(priority);
}

function latestRating(ratings: readonly FreshdeskRating[]): FreshdeskRating | null {
  let latest: FreshdeskRating | null = null;
  for (const r of ratings) if (!latest || (r.created_at ?? 0) >= (latest.created_at ?? 0)) latest = r;
  return latest;
}

function freshdeskCustomFields(t: FreshdeskTicket, rating: FreshdeskRating | null): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const fields = Array.isArray(t.custom_fields)
    ? t.custom_fields.map((f) => [f.name, f.value] as const)
    : Object.entries(t.custom_fields ?? {});
  for (const [name, value] of fields) if (value != null) out[name] = value;
  if (t.priority != null && freshdeskPriority(t.priority) === null) out.priority_raw = t.priority;
  for (const key of ['is_escalated', 'fr_escalated', 'nr_escalated', 'due_by', 'fr_due_by'] as const) {
    if (t[key] != null) out[key] = t[key];
  }
  if (t.spam) out.spam = true;
  if (t.deleted) out.deleted = true;
  if (rating?.feedback) out.satisfaction_feedback = rating.feedback;
  return out;
}

function freshdeskCustomer(t: FreshdeskTicket): Customer | null {
  const externalId = t.requester_id ?? t.requester?.id ?? null;
  const email = t.requester?.email ?? t.email;
  const name = t.requester?.name ?? t.name;
  if (externalId === null && email === null && name === null) return null;
  const attributes: Record<string, unknown> = {};
  const phone = t.requester?.phone ?? t.requester?.mobile ?? t.phone;
  if (phone) attributes.phone = phone;
  const company = t.company?.name ?? t.company_id;
  if (company) attributes.company = company;
  return { externalId, email, name, segment: null, attributes };
}

function freshdeskMessages(t: FreshdeskTicket): Message[] {
  const messages: Message[] = [];
  const first = t.description_text ?? (t.description ? htmlToText(t.description) : '');
  // The description is the ticket's first message, not a conversation; on an outbound email an agent wrote it.
  if (first !== '') {
    const outbound = t.source === OUTBOUND_EMAIL;
    messages.push({
      externalId: null,
      authorRole: outbound ? 'agent' : 'customer',
      authorId: outbound ? t.responder_id : t.requester_id,
      body: first,
      createdAt: t.created_at,
      public: true,
    });
  }
  const thread = (t.conversations ?? []).map((c) => ({
    externalId: c.id,
    authorRole: conversationRole(c, t.requester_id),
    authorId: c.user_id,
    body: c.body_text ?? (c.body ? htmlToText(c.body) : ''),
    createdAt: c.created_at,
    public: !c.private,
  }));
  return [...messages, ...thread.sort((a, b) => a.createdAt - b.createdAt)];
}

function conversationRole(c: z.infer<typeof ConversationSchema>, requesterId: string | null): AuthorRole {
  if (c.private) return 'agent';
  if (c.incoming) return 'customer';
  return c.user_id !== null && c.user_id === requesterId ? 'customer' : 'agent';
}

// ---------------------------------------------------------------------------------------------------------------
// Freshdesk CSV export

const FRESHDESK_CSV = csvColumns({
  id: 'Ticket ID',
  subject: 'Subject',
  description: 'Description',
  status: 'Status',
  priority: 'Priority',
  source: 'Source',
  type: 'Type',
  // Accounts often leave Type empty and add their own Category field.
  category: 'Category',
  agent: 'Agent',
  group: 'Group',
  createdAt: 'Created time',
  updatedAt: 'Last update time',
  firstResponseAt: 'Initial response time',
  resolvedAt: 'Resolved time',
  closedAt: 'Closed time',
  timeTracked: 'Time tracked',
  tags: 'Tags',
  survey: 'Survey results',
  name: 'Full name',
  email: 'Email',
  contactId: 'Contact ID',
  company: 'Company Name',
});
const FRESHDESK_CSV_MAPPED: ReadonlySet<string> = new Set(Object.values(FRESHDESK_CSV));
const FRESHDESK_CSV_MARKERS = Object.values(
  csvColumns({
    updatedAt: 'Last update time',
    firstResponseAt: 'Initial response time',
    resolvedAt: 'Resolved time',
    closedAt: 'Closed time',
    agentInteractions: 'Agent interactions',
    customerInteractions: 'Customer interactions',
    survey: 'Survey results',
    dueBy: 'Due by Time',
    firstResponseHours: 'First response time (in hrs)',
    resolutionHours: 'Resolution time (in hrs)',
  }),
);

function isFreshdeskCsv(header: ReadonlySet<string>): boolean {
  const C = FRESHDESK_CSV;
  return (
    [C.id, C.status, C.createdAt].every((h) => header.has(h)) &&
    FRESHDESK_CSV_MARKERS.some((h) => header.has(h))
  );
}

/** CSV timestamps are in the account's time zone without an offset; they are read as UTC. */
function freshdeskCsvTicket(row: CsvRow): Result<TicketRecord, string> {
  const C = FRESHDESK_CSV;
  const required = csvIdAndCreated(
    row,
    { id: C.id, created: C.createdAt },
    {
      id: 'Ticket ID',
      created: 'Created time',
    },
  );
  if (!required.ok) return required;
  const { id, createdAt } = required.value;
  const status = row.get(C.status);
  const survey = row.get(C.survey);
  const surveyCode = survey === null ? undefined : SURVEY_LABELS[survey.toLowerCase()];
  const channel = slug(row.get(C.source));
  return ok({
    ...blankTicket(SOURCE, id, createdAt),
    ...(channel === SOURCE_CODES[OUTBOUND_EMAIL] ? { startedBy: 'agent' as const } : {}),
    subject: row.get(C.subject),
    channel,
    status: normaliseStatus(status),
    statusRaw: status,
    priority: normalisePriority(row.get(C.priority)),
    tags: (row.get(C.tags) ?? '')
      .split(',')
      .map((tag) => tag.trim())
      .filter((tag) => tag !== ''),
    category: row.get(C.type) ?? row.get(C.category),
    assignee: row.get(C.agent),
    group: row.get(C.group),
    updatedAt: row.time(C.updatedAt),
    firstResponseAt: row.time(C.firstResponseAt),
    resolvedAt: row.time(C.resolvedAt),
    closedAt: row.time(C.closedAt),
    csatScore: surveyCode === undefined ? null : (SURVEY_SCORES[surveyCode] ?? null),
    csatRaw: survey,
    handleTimeSeconds: durationSeconds(row.get(C.timeTracked)),
    customFields: row.unmapped(FRESHDESK_CSV_MAPPED),
    customer: freshdeskCsvCustomer(row),
    messages: freshdeskCsvMessages(row, createdAt, channel),
  });
}

function freshdeskCsvCustomer(row: CsvRow): Customer | null {
  const C = FRESHDESK_CSV;
  const externalId = csvId(row.get(C.contactId));
  const email = row.get(C.email);
  const name = row.get(C.name);
  if (externalId === null && email === null && name === null) return null;
  const company = row.get(C.company);
  return { externalId, email, name, segment: null, attributes: company ? { company } : {} };
}

function freshdeskCsvMessages(row: CsvRow, createdAt: number, channel: string | null): Message[] {
  const description = row.get(FRESHDESK_CSV.description);
  if (description === null) return [];
  const outbound = channel === SOURCE_CODES[OUTBOUND_EMAIL];
  return [
    {
      externalId: null,
      authorRole: outbound ? 'agent' : 'customer',
      authorId: outbound ? null : csvId(row.get(FRESHDESK_CSV.contactId)),
      body: htmlToText(description),
      createdAt,
      public: true,
    },
  ];
}

/** `Time tracked` is `HH:MM`, `HH:MM:SS` or decimal hours. */
function durationSeconds(raw: string | null): number | null {
  if (raw === null) return null;
  const clock = /^(\d+):(\d{2})(?::(\d{2}))?$/.exec(raw);
  if (clock) return Number(clock[1]) * 3600 + Number(clock[2]) * 60 + Number(clock[3] ?? 0);
  return /^\d+(\.\d+)?$/.test(raw) ? Math.round(Number(raw) * 3600) : null;
}
