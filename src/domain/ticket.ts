import { z } from 'zod';
import { contentHash } from './content-hash.ts';

/**
 * The normalised ticket every importer produces, whatever the helpdesk. Timestamps are epoch milliseconds
 * (UTC); durations carry their unit in the name.
 */
export const AUTHOR_ROLES = ['customer', 'agent', 'bot', 'system'] as const;
export type AuthorRole = (typeof AUTHOR_ROLES)[number];

export const TICKET_STATUSES = ['new', 'open', 'pending', 'resolved', 'closed', 'other'] as const;
export type TicketStatus = (typeof TICKET_STATUSES)[number];

export const PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;
export type Priority = (typeof PRIORITIES)[number];

const epochMs = z.number().int().nonnegative();
const jsonRecord = z.record(z.string(), z.unknown());

export const CustomerSchema = z.object({
  /** The helpdesk's id for the person; null when the export only has an email. */
  externalId: z.string().min(1).nullable(),
  email: z.string().nullable(),
  name: z.string().nullable(),
  /** Plan tier or segment (free, pro, enterprise, vip...). */
  segment: z.string().nullable(),
  attributes: jsonRecord,
});
export type Customer = z.infer<typeof CustomerSchema>;

export const MessageSchema = z.object({
  externalId: z.string().nullable(),
  authorRole: z.enum(AUTHOR_ROLES),
  authorId: z.string().nullable(),
  /** Plain text: importers turn HTML bodies into text. */
  body: z.string(),
  createdAt: epochMs,
  public: z.boolean(),
});
export type Message = z.infer<typeof MessageSchema>;

export const TicketRecordSchema = z.object({
  /** Where it came from: `zendesk`, `freshdesk`, `intercom`, `helpscout`, `twcs`, `generic`, `demo`... */
  source: z.string().min(1),
  externalId: z.string().min(1),
  subject: z.string().nullable(),
  channel: z.string().nullable(),
  status: z.enum(TICKET_STATUSES),
  /** The helpdesk's own status word, kept verbatim. */
  statusRaw: z.string().nullable(),
  priority: z.enum(PRIORITIES).nullable(),
  tags: z.array(z.string()),
  category: z.string().nullable(),
  assignee: z.string().nullable(),
  group: z.string().nullable(),
  createdAt: epochMs,
  updatedAt: epochMs.nullable(),
  /** When the export states it; otherwise derived from the messages (see deriveFirstResponse). */
  firstResponseAt: epochMs.nullable(),
  /**
   * False when the export's own rule decides the first response, so that a null firstResponseAt means "no first
   * response" rather than "derive it from the messages" (TWCS: only a direct company reply to the opening tweet
   * counts, not an answer to the customer's follow-up).
   */
  deriveFirstResponse: z.boolean(),
  /**
   * Who opened the ticket, when the export says: `agent` for a ticket an agent started (a phone call logged by an
   * agent, a proactive or outbound message, a conversation an admin opened). Absent when the export does not say
   * (most CSVs): the opening message's author decides then. Optional, so tickets that never set it keep their
   * content hash.
   */
  startedBy: z.enum(['customer', 'agent']).optional(),
  resolvedAt: epochMs.nullable(),
  closedAt: epochMs.nullable(),
  /** CSAT normalised to 0..1 (good/bad: 1/0; 1-5 stars: (n-1)/4); the raw value is in csatRaw. */
  csatScore: z.number().min(0).max(1).nullable(),
  csatRaw: z.string().nullable(),
  handleTimeSeconds: z.number().nonnegative().nullable(),
  reopens: z.number().int().nonnegative().nullable(),
  customFields: jsonRecord,
  customer: CustomerSchema.nullable(),
  messages: z.array(MessageSchema),
});
export type TicketRecord = z.infer<typeof TicketRecordSchema>;

/** Figures derived from a ticket's timestamps and messages, stored beside it for fast audits. */
export interface TicketDerived {
  firstResponseAt: number | null;
  firstResponseSeconds: number | null;
  resolutionSeconds: number | null;
  customerMessageCount: number;
  agentMessageCount: number;
  /** Started by an agent (see isAgentStarted): a first response, if any, answers the customer's first message. */
  agentStarted: boolean;
}

const isResponder = (role: AuthorRole) => role === 'agent' || role === 'bot';

/**
 * First response: see firstResponse. Resolution: resolved (or else closed) minus created, for a ticket that is
 * resolved or closed; a ticket still open, new or pending has none, whatever its time stamps say. Negative
 * durations, which real exports contain, are treated as unknown.
 */
export function deriveTicketFigures(ticket: TicketRecord): TicketDerived {
  let customerMessageCount = 0;
  let agentMessageCount = 0;
  for (const m of ticket.messages) {
    if (m.authorRole === 'customer') customerMessageCount++;
    else if (isResponder(m.authorRole)) agentMessageCount++;
  }
  const agentStarted = isAgentStarted(ticket);
  const response = firstResponse(ticket, agentStarted);
  const seconds = (from: number, to: number | null) => (to === null || to < from ? null : (to - from) / 1000);
  const done = ticket.status === 'resolved' || ticket.status === 'closed';
  return {
    firstResponseAt: response?.at ?? null,
    firstResponseSeconds: response ? seconds(response.since, response.at) : null,
    resolutionSeconds: done ? seconds(ticket.createdAt, ticket.resolvedAt ?? ticket.closedAt) : null,
    customerMessageCount,
    agentMessageCount,
    agentStarted,
  };
}

/**
 * Whether an agent opened the ticket (a logged phone call, an outbound email, a conversation an admin started):
 * the export's word (`startedBy`) when it gives one, else whether its earliest message is an agent's or a bot's.
 */
export function isAgentStarted(ticket: Pick<TicketRecord, 'startedBy' | 'messages'>): boolean {
  if (ticket.startedBy) return ticket.startedBy === 'agent';
  let earliest: Message | undefined;
  for (const m of ticket.messages) if (!earliest || m.createdAt < earliest.createdAt) earliest = m;
  return earliest !== undefined && isResponder(earliest.authorRole);
}

/**
 * The first response and the moment it answers. What the export states wins: its time (timed from the ticket's
 * creation, as the helpdesk counts it), or none when the importer says the export decides
 * (`deriveFirstResponse: false`). Otherwise the earliest public agent or bot message at or after the customer's
 * first message: the ticket's opening when the customer started it; when an agent did, the customer's first
 * message, and none when the customer never wrote.
 */
function firstResponse(ticket: TicketRecord, agentStarted: boolean): { at: number; since: number } | null {
  if (ticket.firstResponseAt !== null) return { at: ticket.firstResponseAt, since: ticket.createdAt };
  if (!ticket.deriveFirstResponse) return null;
  const since = agentStarted
    ? earliestAt(ticket.messages, (m) => m.authorRole === 'customer')
    : ticket.createdAt;
  if (since === null) return null;
  const at = earliestAt(
    ticket.messages,
    (m) => m.public && isResponder(m.authorRole) && m.createdAt >= since,
  );
  return at === null ? null : { at, since };
}

function earliestAt(messages: readonly Message[], match: (m: Message) => boolean): number | null {
  let at: number | null = null;
  for (const m of messages) if (match(m) && (at === null || m.createdAt < at)) at = m.createdAt;
  return at;
}

/** An empty ticket with every optional field unset, for importers and test builders to fill. */
export function blankTicket(source: string, externalId: string, createdAt: number): TicketRecord {
  return {
    source,
    externalId,
    subject: null,
    channel: null,
    status: 'open',
    statusRaw: null,
    priority: null,
    tags: [],
    category: null,
    assignee: null,
    group: null,
    createdAt,
    updatedAt: null,
    firstResponseAt: null,
    deriveFirstResponse: true,
    resolvedAt: null,
    closedAt: null,
    csatScore: null,
    csatRaw: null,
    handleTimeSeconds: null,
    reopens: null,
    customFields: {},
    customer: null,
    messages: [],
  };
}

/**
 * A fingerprint of one version of a ticket: the same content always gives the same hash, so the store detects an
 * unchanged re-import without reading messages back.
 */
export function ticketContentHash(ticket: TicketRecord): string {
  return contentHash(ticket);
}

/** The earliest plausible time stamp in a ticket: 1990-01-01 (helpdesk exports start decades later). */
export const EARLIEST_TIMESTAMP_MS = Date.UTC(1990, 0, 1);
/** How far ahead of now a time stamp may be (clocks and time zones that disagree): one day. */
export const FUTURE_TOLERANCE_MS = 24 * 60 * 60 * 1000;

/**
 * Why a ticket's time stamps are not plausible, naming the field; null when they are. Every time stamp must be a
 * whole number of ms between EARLIEST_TIMESTAMP_MS and `nowMs` + FUTURE_TOLERANCE_MS: `9000000000000000` or
 * `1e308` read as epoch ms, year 9999, or 1970 from a zero are not real times, and would later fail `new Date`.
 *
 * @example
 * timestampProblem({ ...ticket, createdAt: 9e15 }, Date.now());
 * // 'createdAt 9000000000000000 is not a plausible time (before 1990-01-01 or more than a day ahead)'
 */
export function timestampProblem(
  ticket: Pick<
    TicketRecord,
    'createdAt' | 'updatedAt' | 'firstResponseAt' | 'resolvedAt' | 'closedAt' | 'messages'
  >,
  nowMs: number,
): string | null {
  const latest = nowMs + FUTURE_TOLERANCE_MS;
  const check = (field: string, ms: number | null): string | null => {
    if (ms === null) return null;
    if (Number.isInteger(ms) && ms >= EARLIEST_TIMESTAMP_MS && ms <= latest) return null;
    const shown = Number.isFinite(ms) && Math.abs(ms) < 8.64e15 ? ` (${new Date(ms).toISOString()})` : '';
    return `${field} ${ms}${shown} is not a plausible time (before 1990-01-01 or more than a day ahead)`;
  };
  const fields = [
    check('createdAt', ticket.createdAt),
    check('updatedAt', ticket.updatedAt),
    check('firstResponseAt', ticket.firstResponseAt),
    check('resolvedAt', ticket.resolvedAt),
    check('closedAt', ticket.closedAt),
  ];
  const found = fields.find((f) => f !== null);
  if (found) return found;
  for (const [i, m] of ticket.messages.entries()) {
    const problem = check(`messages.${i}.createdAt`, m.createdAt);
    if (problem) return problem;
  }
  return null;
}
