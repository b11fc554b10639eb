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
  isPublicReply,
  nonEmpty,
  optionalId,
  optionalTimestamp,
  requiredId,
  requiredTimestamp,
  text,
  undatedWarning,
  withCsatComment,
} from './conversation-api-fields.ts';
import { isJsonObject } from './json-layout.ts';
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
    keys: () => ['type', ...Object.keys(IntercomConversation.shape)],
    format: {
      what: 'an Intercom export',
      layout: { listPaths: [['conversations']], isPage: (wrapper) => wrapper.type === 'conversation.list' },
      indexSide: () => undefined,
      foreign: () => null,
      toTicket: (record, _side, options, warnings) => intercomTicket(record, options.source, warnings),
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
  // API 1.x: the opening message.
  /"conversation_message"\s*:/,
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

/** The opening message: `source` in API 2.x, `conversation_message` in 1.x. */
const Opening = z
  .object({ type: text, id: optionalId, subject: text, body: text, author: Author, delivered_as: text })
  .nullish();
type Opening = z.output<typeof Opening>;

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
  source: Opening,
  contacts: listOf(Reference, 'contacts'),
  // API 1.x: the opening message, the customer (also `customers`) and the assignee (an admin, a team or nobody).
  conversation_message: Opening,
  user: Author,
  customers: z.array(Reference).nullish(),
  assignee: Author,
  teammates: Teammates,
  custom_attributes: z.record(z.string(), z.unknown()).nullish(),
  statistics: Statistics,
  conversation_parts: listOf(Part, 'conversation_parts'),
});
type IntercomConversation = z.output<typeof IntercomConversation>;

// ---------------------------------------------------------------------------------------------------------------
// Mapping to the normalised ticket.

/**
 * Turns one Intercom conversation (API 2.x, or 1.x with `conversation_message`, `user` and `assignee`) into a
 * ticket, or says why it cannot; what is doubtful but kept goes to `warnings`.
 */
export function intercomTicket(
  value: unknown,
  source = 'intercom',
  warnings: string[] = [],
): Result<TicketRecord, string> {
  const parsed = IntercomConversation.safeParse(value);
  if (!parsed.success) return err(describeIssues(parsed.error));
  const c = parsed.data;
  const opening = c.source ?? c.conversation_message ?? null;
  if (opening === null) {
    warnings.push(
      'no opening message (neither source nor conversation_message): the ticket has only its parts',
    );
  }
  const { messages, undated } = intercomMessages(c, opening, warnings);

  const ticket = blankTicket(source, c.id, c.created_at);
  if (openedByAdmin(opening)) ticket.startedBy = 'agent';
  const statusRaw = c.state ?? (c.open === true ? 'open' : c.open === false ? 'closed' : null);
  const stats = c.statistics;
  ticket.subject = nonEmpty(opening?.subject) ?? nonEmpty(c.title);
  ticket.channel = nonEmpty(opening?.type);
  ticket.status = normaliseStatus(statusRaw);
  ticket.statusRaw = statusRaw;
  ticket.priority = intercomPriority(c.priority);
  ticket.tags = c.tags;
  ticket.assignee = c.admin_assignee_id !== undefined ? c.admin_assignee_id : fallbackAssignee(c);
  ticket.group = c.team_assignee_id !== undefined ? c.team_assignee_id : fallbackTeam(c);
  ticket.updatedAt = c.updated_at;
  ticket.firstResponseAt = firstAdminReply(stats);
  // The statistics say no admin has replied; a reply given the conversation's time must not count as one either.
  const statedNone =
    isJsonObject(value) && isJsonObject(value.statistics) && value.statistics.first_admin_reply_at === null;
  ticket.deriveFirstResponse = !statedNone && !undated;
  ticket.closedAt = ticket.status === 'closed' ? closeTime(c) : null;
  ticket.reopens = stats?.count_reopens ?? null;
  ticket.handleTimeSeconds = stats?.handling_time ?? null;
  Object.assign(ticket, fiveStarRating(c.conversation_rating?.rating));
  ticket.customFields = withCsatComment(c.custom_attributes ?? {}, c.conversation_rating?.remark);
  ticket.customer = intercomCustomer(c, opening);
  ticket.messages = messages;
  return ok(ticket);
}

/** An admin wrote the opening message, or Intercom says the conversation was admin-initiated. */
function openedByAdmin(opening: Opening): boolean {
  return opening?.delivered_as === 'admin_initiated' || intercomRole(opening?.author) === 'agent';
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

/**
 * Used only when the export omits `admin_assignee_id`: the 1.x `assignee` when an admin (`nobody_admin` and a team
 * leave it unassigned), else the last admin assignment, else the only teammate who wrote.
 */
function fallbackAssignee(c: IntercomConversation): string | null {
  const type = c.assignee?.type;
  if (type === 'admin' || type === 'teammate') return c.assignee?.id ?? null;
  if (type === 'nobody_admin' || type === 'team') return null;
  const assigned = lastAssigned(c.conversation_parts, 'admin');
  if (assigned !== null) return assigned;
  return c.teammates.length === 1 ? (c.teammates[0]?.id ?? null) : null;
}

/** Used only when the export omits `team_assignee_id`: a 1.x team `assignee`, else the last team assignment. */
function fallbackTeam(c: IntercomConversation): string | null {
  if (c.assignee?.type === 'team') return c.assignee.id;
  return lastAssigned(c.conversation_parts, 'team');
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

/** The customer: the opening message's author when a customer wrote it, else the 1.x `user`, else the first contact. */
function intercomCustomer(c: IntercomConversation, opening: Opening): Customer | null {
  const isCustomer = (a: z.output<typeof Author>) => CUSTOMER_TYPES.has(a?.type ?? '');
  const author = isCustomer(opening?.author) ? opening?.author : isCustomer(c.user) ? c.user : null;
  const contact = c.contacts[0] ?? c.customers?.[0];
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

/**
 * The opening message and the parts that are messages, in time order. A part without a time takes the
 * conversation's, with a warning; `undated` says whether such a part is a public reply, which must not be taken for
 * the first response.
 */
function intercomMessages(
  c: IntercomConversation,
  opening: Opening,
  warnings: string[],
): { messages: Message[]; undated: boolean } {
  const messages: Message[] = [];
  let undated = false;
  if (opening) {
    messages.push({
      externalId: opening.id,
      authorRole: intercomRole(opening.author),
      authorId: opening.author?.id ?? null,
      body: htmlToText(opening.body ?? ''),
      createdAt: c.created_at,
      public: true,
    });
  }
  for (const [index, part] of c.conversation_parts.entries()) {
    const type = part.part_type ?? '';
    if (!MESSAGE_PARTS.has(type) && !PARTS_WITH_OPTIONAL_MESSAGE.has(type)) continue;
    const body = htmlToText(part.body ?? '');
    if (!MESSAGE_PARTS.has(type) && body === '') continue;
    const message: Message = {
      externalId: part.id,
      authorRole: intercomRole(part.author),
      authorId: part.author?.id ?? null,
      body,
      createdAt: part.created_at ?? c.created_at,
      public: type !== 'note',
    };
    if (part.created_at === null) {
      warnings.push(
        undatedWarning(`conversation_parts.${index} (${type} ${part.id ?? 'without id'}): created_at`),
      );
      undated ||= isPublicReply(message);
    }
    messages.push(message);
  }
  return { messages: byTime(messages), undated };
}
