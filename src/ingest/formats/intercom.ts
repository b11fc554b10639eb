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
import {
  byTime,
  nonEmpty,
  optionalId,
  optionalTimestamp,
  requiredId,
  requiredTimestamp,
  text,
  withCsatComment,
} from './conversation-api-fields.ts';
import { looksLikeJson } from './json-records.ts';
import { describeIssues } from './json-tickets.ts';
import { vendorImporter } from './vendor-importer.ts';

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
export const intercomImporter: Importer = vendorImporter({
  format: 'intercom',
  description: 'Intercom conversations (API JSON: array, list page, single conversation, or JSON Lines)',
  expected:
    'expected JSON or JSON Lines of conversations, with fields such as "type": "conversation", "conversation_parts"',
  json: {
    detect: (head) =>
      INTERCOM_LIST_PAGE.test(head) || INTERCOM_MARKERS.filter((m) => m.test(head)).length >= 2,
    accepts: (head) =>
      looksLikeJson(head) && [INTERCOM_LIST_PAGE, ...INTERCOM_MARKERS].some((m) => m.test(head)),
    format: {
      what: 'an Intercom export',
      layout: { listPaths: [['conversations']], isPage: (wrapper) => wrapper.type === 'conversation.list' },
      indexSide: () => undefined,
      foreign: () => null,
      toTicket: (record, _side, options) => intercomTicket(record, options.source),
    },
  },
});

const INTERCOM_LIST_PAGE = /"type"\s*:\s*"conversation\.list"/;
const INTERCOM_MARKERS = [
  /"type"\s*:\s*"conversation"/,
  /"conversation_parts"\s*:/,
  /"part_type"\s*:/,
  /"delivered_as"\s*:/,
  /"admin_assignee_id"\s*:/,
  /"conversation_rating"\s*:/,
];

// ---------------------------------------------------------------------------------------------------------------
// Intercom conversation schema: only the fields the ticket needs. Missing or null fields are fine; a field of the
// wrong type makes the record a reject rather than a silently wrong ticket.

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
