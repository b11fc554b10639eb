import { z } from 'zod';
import {
  type AuthorRole,
  blankTicket,
  type Customer,
  htmlToText,
  type Message,
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
import { looksLikeJson } from './json-records.ts';
import { describeIssues } from './json-tickets.ts';
import { vendorImporter } from './vendor-importer.ts';

/**
 * Help Scout Mailbox API 2.0 conversations with embedded threads (`?embed=threads`), one per ticket. Accepts HAL
 * pages (`{"_embedded": {"conversations": [...]}, "page": {...}}`), a JSON array, a single conversation, and JSON
 * Lines (one conversation or one page per line). Customer threads become customer messages, replies agent
 * messages, notes private ones and line items system events; the rated reply gives the CSAT.
 *
 * @example
 * for await (const item of helpscoutImporter.read(openFileSource('helpscout-pages.jsonl'), { mapping: {} })) {
 *   if (item.kind === 'reject') console.error(item.line, item.reason);
 * }
 */
export const helpscoutImporter: Importer = vendorImporter({
  format: 'helpscout',
  description:
    'Help Scout conversations with threads (Mailbox API 2.0 JSON: HAL pages, array, or JSON Lines)',
  expected:
    'expected JSON or JSON Lines of conversations, with fields such as "mailboxId", "primaryCustomer", "_embedded"',
  json: {
    detect: (head) => HELPSCOUT_MARKERS.filter((m) => m.test(head)).length >= 2,
    accepts: (head) =>
      looksLikeJson(head) && [EMPTY_HAL_PAGE, ...HELPSCOUT_MARKERS].some((m) => m.test(head)),
    keys: () => [...Object.keys(HelpscoutConversation.shape), 'number', 'folderId', 'state', '_links'],
    format: {
      what: 'a Help Scout export',
      layout: {
        // `items` / `item`: the pages and single conversations of the legacy Mailbox API 1.0.
        listPaths: [['_embedded', 'conversations'], ['conversations'], ['items']],
        itemKeys: ['item'],
        isPage: (wrapper) =>
          typeof wrapper.page === 'object' && wrapper.page !== null && wrapper.id === undefined,
      },
      indexSide: () => undefined,
      foreign: () => null,
      toTicket: (record, _side, options, warnings) => helpscoutTicket(record, options.source, warnings),
    },
  },
});

const HELPSCOUT_MARKERS = [
  /"_embedded"\s*:\s*\{\s*"(?:threads|conversations)"\s*:\s*\[/,
  /"primaryCustomer"\s*:/,
  /"mailboxId"\s*:/,
  /"folderId"\s*:/,
  /"customerWaitingSince"\s*:/,
  // Mailbox API 1.0.
  /"mailbox"\s*:\s*\{\s*"id"\s*:/,
  /"threadCount"\s*:/,
];
/** Help Scout omits `_embedded` from an empty page, leaving only the paging block. */
const EMPTY_HAL_PAGE = /"page"\s*:\s*\{[^}]*"totalElements"\s*:/;

// ---------------------------------------------------------------------------------------------------------------
// Help Scout conversation schema: only the fields the ticket needs; a field of the wrong type makes a reject.

// Mailbox API 2.0 names people `first` / `last`; 1.0 and the customers endpoint `firstName` / `lastName`.
const Person = z
  .object({
    id: optionalId,
    type: text,
    first: text,
    last: text,
    firstName: text,
    lastName: text,
    email: text,
  })
  .nullish();
type Person = z.output<typeof Person>;

const Thread = z.object({
  id: optionalId,
  type: text,
  state: text,
  body: text,
  action: z.object({ type: text, text }).nullish(),
  createdBy: Person,
  customer: Person,
  createdAt: optionalTimestamp(),
  rating: z.object({ rating: text, comments: text }).nullish(),
});
type Thread = z.output<typeof Thread>;

const Tag = z.union([
  z.string(),
  z.object({ tag: z.string() }).transform((t) => t.tag),
  z.object({ name: z.string() }).transform((t) => t.name),
]);

const CustomField = z.object({
  id: optionalId,
  name: text,
  value: z.union([z.string(), z.number(), z.boolean()]).nullish(),
  text,
});

const HelpscoutConversation = z.object({
  id: requiredId(),
  createdAt: requiredTimestamp(),
  type: text,
  status: text,
  subject: text,
  mailboxId: optionalId,
  assignee: Person,
  createdBy: Person,
  closedAt: optionalTimestamp(),
  userUpdatedAt: optionalTimestamp(),
  // Mailbox API 1.0: the assignee, the mailbox and the last change.
  owner: Person,
  mailbox: z.object({ id: optionalId }).nullish(),
  modifiedAt: optionalTimestamp(),
  customerWaitingSince: z.object({ time: optionalTimestamp() }).nullish(),
  source: z.object({ type: text, via: text }).nullish(),
  tags: z.array(Tag).nullish(),
  primaryCustomer: Person,
  customer: Person,
  customFields: z.array(CustomField).nullish(),
  _embedded: z.object({ threads: z.array(Thread).nullish() }).nullish(),
  // The API gives a thread count here; some dumps put the thread list itself.
  threads: z.union([z.number(), z.array(Thread)]).nullish(),
});
type HelpscoutConversation = z.output<typeof HelpscoutConversation>;

// ---------------------------------------------------------------------------------------------------------------
// Mapping to the normalised ticket.

/**
 * Turns one Help Scout conversation (Mailbox API 2.0, or 1.0's `owner` / `mailbox` / `threads` shape) into a
 * ticket, or says why it cannot; what is doubtful but kept goes to `warnings`.
 */
export function helpscoutTicket(
  value: unknown,
  source = 'helpscout',
  warnings: string[] = [],
): Result<TicketRecord, string> {
  const parsed = HelpscoutConversation.safeParse(value);
  if (!parsed.success) return err(describeIssues(parsed.error));
  const c = parsed.data;
  const threads = c._embedded?.threads ?? (Array.isArray(c.threads) ? c.threads : []);
  const { messages, undated } = helpscoutMessages(threads, c.createdAt, warnings);

  const ticket = blankTicket(source, c.id, c.createdAt);
  // A conversation a user (an agent) created: an outbound email, or a call or chat the agent logged.
  if (c.createdBy?.type === 'user') ticket.startedBy = 'agent';
  const rated = latestRating(threads);
  ticket.subject = nonEmpty(c.subject);
  ticket.channel = nonEmpty(c.type) ?? nonEmpty(c.source?.type);
  ticket.status = normaliseStatus(c.status);
  ticket.statusRaw = c.status ?? null;
  ticket.tags = c.tags ?? [];
  ticket.assignee = c.assignee?.id ?? c.owner?.id ?? null;
  // Mailboxes are Help Scout's routing unit, the nearest thing to a helpdesk group.
  ticket.group = c.mailboxId ?? c.mailbox?.id ?? null;
  ticket.updatedAt = latest(c.userUpdatedAt ?? c.modifiedAt, c.customerWaitingSince?.time ?? null);
  ticket.firstResponseAt = firstReplyAfterCustomer(messages.filter((m) => !undated.has(m)));
  // A reply given the conversation's time must not be taken for the first response by the derivation either.
  ticket.deriveFirstResponse = ![...undated].some(isPublicReply);
  ticket.closedAt = c.status === 'closed' ? c.closedAt : null;
  ticket.csatScore = rated ? (RATING_SCORES[rated.rating] ?? null) : null;
  ticket.csatRaw = rated?.rating ?? null;
  ticket.customFields = withCsatComment(customFields(c.customFields ?? []), rated?.comments);
  ticket.customer = helpscoutCustomer(c, threads);
  ticket.messages = messages;
  return ok(ticket);
}

const RATING_SCORES: Record<string, number> = { great: 1, ok: 0.5, 'not-good': 0 };

/** The most recent rated reply: a customer can rate several replies, and the last rating is the current one. */
function latestRating(threads: readonly Thread[]): { rating: string; comments: string | null } | null {
  let found: { at: number; rating: string; comments: string | null } | null = null;
  for (const t of threads) {
    const rating = nonEmpty(t.rating?.rating);
    const at = t.createdAt ?? 0;
    if (rating !== null && (found === null || at >= found.at)) {
      found = { at, rating, comments: t.rating?.comments ?? null };
    }
  }
  return found;
}

function latest(a: number | null, b: number | null): number | null {
  if (a === null) return b;
  return b === null ? a : Math.max(a, b);
}

/** Help Scout states no first-response time; an outbound conversation's first reply is the one after the customer wrote. */
function firstReplyAfterCustomer(messages: readonly Message[]): number | null {
  const firstCustomer = messages.find((m) => m.authorRole === 'customer');
  if (!firstCustomer) return null;
  const reply = messages.find((m) => isPublicReply(m) && m.createdAt >= firstCustomer.createdAt);
  return reply?.createdAt ?? null;
}

/** Display text when there is one (a dropdown's `value` is an option id), else the raw value. */
function customFields(fields: readonly z.output<typeof CustomField>[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of fields) {
    const key = nonEmpty(f.name) ?? f.id;
    if (key !== null) out[key] = nonEmpty(f.text) ?? f.value ?? null;
  }
  return out;
}

function helpscoutCustomer(c: HelpscoutConversation, threads: readonly Thread[]): Customer | null {
  const person =
    c.primaryCustomer ??
    c.customer ??
    (c.createdBy?.type === 'customer' ? c.createdBy : null) ??
    threads.find((t) => t.customer)?.customer;
  if (!person) return null;
  const name = [person.first ?? person.firstName, person.last ?? person.lastName]
    .map(nonEmpty)
    .filter(Boolean)
    .join(' ');
  const email = nonEmpty(person.email);
  if (person.id === null && email === null && name === '') return null;
  return { externalId: person.id, email, name: name || null, segment: null, attributes: {} };
}

const THREAD_KINDS: Record<string, { role: AuthorRole; public: boolean } | undefined> = {
  customer: { role: 'customer', public: true },
  reply: { role: 'agent', public: true },
  // Mailbox API 1.0's name for a reply.
  message: { role: 'agent', public: true },
  note: { role: 'agent', public: false },
  chat: { role: 'customer', public: true },
  beaconchat: { role: 'customer', public: true },
  phone: { role: 'agent', public: true },
  lineitem: { role: 'system', public: false },
};

/** `customer` threads are the customer's words even when an agent logged them; other threads follow their author. */
function threadRole(type: string, defaultRole: AuthorRole, author: Person): AuthorRole {
  if (type === 'customer' || type === 'lineitem') return defaultRole;
  switch (author?.type) {
    case 'customer':
      return 'customer';
    case 'user':
      return 'agent';
    case 'system_user':
      return 'bot';
    default:
      return defaultRole;
  }
}

/**
 * The threads that are messages, in time order. A thread without a time takes the conversation's, with a warning;
 * such messages are returned in `undated` too, so that none is taken for the first response.
 */
function helpscoutMessages(
  threads: readonly Thread[],
  createdAt: number,
  warnings: string[],
): { messages: Message[]; undated: Set<Message> } {
  const messages: Message[] = [];
  const undated = new Set<Message>();
  for (const [index, thread] of threads.entries()) {
    const type = thread.type ?? '';
    const kind = THREAD_KINDS[type];
    // Drafts were never sent; forward markers and unknown types carry no conversation content.
    if (!kind || thread.state === 'draft') continue;
    const body =
      type === 'lineitem'
        ? (thread.action?.text ?? htmlToText(thread.body ?? ''))
        : htmlToText(thread.body ?? '');
    const message: Message = {
      externalId: thread.id,
      authorRole: threadRole(type, kind.role, thread.createdBy),
      authorId: (type === 'customer' ? thread.customer?.id : null) ?? thread.createdBy?.id ?? null,
      body,
      createdAt: thread.createdAt ?? createdAt,
      // Hidden threads were removed from the customer's emails.
      public: kind.public && thread.state !== 'hidden',
    };
    if (thread.createdAt === null) {
      warnings.push(
        undatedWarning(`_embedded.threads.${index} (${type} ${thread.id ?? 'without id'}): createdAt`),
      );
      undated.add(message);
    }
    messages.push(message);
  }
  return { messages: byTime(messages), undated };
}
