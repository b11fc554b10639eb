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
    format: {
      what: 'a Help Scout export',
      layout: {
        listPaths: [['_embedded', 'conversations'], ['conversations']],
        isPage: (wrapper) =>
          typeof wrapper.page === 'object' && wrapper.page !== null && wrapper.id === undefined,
      },
      indexSide: () => undefined,
      foreign: () => null,
      toTicket: (record, _side, options) => helpscoutTicket(record, options.source),
    },
  },
});

const HELPSCOUT_MARKERS = [
  /"_embedded"\s*:\s*\{\s*"(?:threads|conversations)"\s*:\s*\[/,
  /"primaryCustomer"\s*:/,
  /"mailboxId"\s*:/,
  /"folderId"\s*:/,
  /"customerWaitingSince"\s*:/,
];
/** Help Scout omits `_embedded` from an empty page, leaving only the paging block. */
const EMPTY_HAL_PAGE = /"page"\s*:\s*\{[^}]*"totalElements"\s*:/;

// ---------------------------------------------------------------------------------------------------------------
// Help Scout conversation schema: only the fields the ticket needs; a field of the wrong type makes a reject.

const Person = z.object({ id: optionalId, type: text, first: text, last: text, email: text }).nullish();
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
  customerWaitingSince: z.object({ time: optionalTimestamp() }).nullish(),
  source: z.object({ type: text }).nullish(),
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

/** Turns one Help Scout conversation into a ticket, or says why it cannot. */
export function helpscoutTicket(value: unknown, source = 'helpscout'): Result<TicketRecord, string> {
  const parsed = HelpscoutConversation.safeParse(value);
  if (!parsed.success) return err(describeIssues(parsed.error));
  const c = parsed.data;
  const threads = c._embedded?.threads ?? (Array.isArray(c.threads) ? c.threads : []);
  const messages = helpscoutMessages(threads);
  if (!messages.ok) return messages;

  const ticket = blankTicket(source, c.id, c.createdAt);
  const rated = latestRating(threads);
  ticket.subject = nonEmpty(c.subject);
  ticket.channel = nonEmpty(c.type) ?? nonEmpty(c.source?.type);
  ticket.status = normaliseStatus(c.status);
  ticket.statusRaw = c.status ?? null;
  ticket.tags = c.tags ?? [];
  ticket.assignee = c.assignee?.id ?? null;
  // Mailboxes are Help Scout's routing unit, the nearest thing to a helpdesk group.
  ticket.group = c.mailboxId;
  ticket.updatedAt = latest(c.userUpdatedAt, c.customerWaitingSince?.time ?? null);
  ticket.firstResponseAt = firstReplyAfterCustomer(messages.value);
  ticket.closedAt = c.status === 'closed' ? c.closedAt : null;
  ticket.csatScore = rated ? (RATING_SCORES[rated.rating] ?? null) : null;
  ticket.csatRaw = rated?.rating ?? null;
  ticket.customFields = withCsatComment(customFields(c.customFields ?? []), rated?.comments);
  ticket.customer = helpscoutCustomer(c, threads);
  ticket.messages = messages.value;
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
  const reply = messages.find(
    (m) =>
      m.public &&
      (m.authorRole === 'agent' || m.authorRole === 'bot') &&
      m.createdAt >= firstCustomer.createdAt,
  );
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
  const name = [person.first, person.last].map(nonEmpty).filter(Boolean).join(' ');
  const email = nonEmpty(person.email);
  if (person.id === null && email === null && name === '') return null;
  return { externalId: person.id, email, name: name || null, segment: null, attributes: {} };
}

const THREAD_KINDS: Record<string, { role: AuthorRole; public: boolean } | undefined> = {
  customer: { role: 'customer', public: true },
  reply: { role: 'agent', public: true },
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

function helpscoutMessages(threads: readonly Thread[]): Result<Message[], string> {
  const messages: Message[] = [];
  for (const [index, thread] of threads.entries()) {
    const type = thread.type ?? '';
    const kind = THREAD_KINDS[type];
    // Drafts were never sent; forward markers and unknown types carry no conversation content.
    if (!kind || thread.state === 'draft') continue;
    if (thread.createdAt === null) {
      return err(
        `_embedded.threads.${index} (${type} ${thread.id ?? 'without id'}): createdAt missing or invalid`,
      );
    }
    const body =
      type === 'lineitem'
        ? (thread.action?.text ?? htmlToText(thread.body ?? ''))
        : htmlToText(thread.body ?? '');
    messages.push({
      externalId: thread.id,
      authorRole: threadRole(type, kind.role, thread.createdBy),
      authorId: (type === 'customer' ? thread.customer?.id : null) ?? thread.createdBy?.id ?? null,
      body,
      createdAt: thread.createdAt,
      // Hidden threads were removed from the customer's emails.
      public: kind.public && thread.state !== 'hidden',
    });
  }
  return ok(byTime(messages));
}
