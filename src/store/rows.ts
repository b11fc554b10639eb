import { type BotLineKind, type Customer, deriveTicketFigures, type TicketRecord } from '../domain/index.ts';
import type {
  ApiKeysTable,
  ArtifactsTable,
  ConversationMessagesTable,
  ConversationsTable,
  CustomersTable,
  EventsTable,
  FeedbackTable,
  HandoffsTable,
  MessagesTable,
  TicketsTable,
} from './schema.ts';
import type {
  ArtifactInfo,
  ArtifactKind,
  StoredApiKey,
  StoredConversation,
  StoredConversationMessage,
  StoredCustomer,
  StoredEvent,
  StoredFeedback,
  StoredHandoff,
  StoredMessage,
  StoredTicket,
} from './store.ts';

/** Row mapping shared by both implementations, so they cannot drift apart. */

export function customerKey(customer: Customer | null): string | null {
  if (!customer) return null;
  return customer.externalId ?? customer.email?.toLowerCase() ?? customer.name ?? null;
}

export type CustomerRow = Omit<CustomersTable, 'id'>;
export type TicketRow = Omit<TicketsTable, 'id'>;
export type MessageRow = Omit<MessagesTable, 'id'>;

export function customerRow(source: string, customer: Customer, key: string): CustomerRow {
  return {
    source,
    customer_key: key,
    external_id: customer.externalId,
    email: customer.email,
    name: customer.name,
    segment: customer.segment,
    attributes: JSON.stringify(customer.attributes),
  };
}

export function ticketRow(ticket: TicketRecord, customerId: number | null, hash: string): TicketRow {
  const d = deriveTicketFigures(ticket);
  return {
    source: ticket.source,
    external_id: ticket.externalId,
    customer_id: customerId,
    subject: ticket.subject,
    channel: ticket.channel,
    status: ticket.status,
    status_raw: ticket.statusRaw,
    priority: ticket.priority,
    tags: JSON.stringify(ticket.tags),
    category: ticket.category,
    assignee: ticket.assignee,
    group_name: ticket.group,
    created_at: ticket.createdAt,
    updated_at: ticket.updatedAt,
    first_response_at: d.firstResponseAt,
    resolved_at: ticket.resolvedAt,
    closed_at: ticket.closedAt,
    csat_score: ticket.csatScore,
    csat_raw: ticket.csatRaw,
    handle_time_seconds: ticket.handleTimeSeconds,
    reopens: ticket.reopens,
    custom_fields: JSON.stringify(ticket.customFields),
    first_response_seconds: d.firstResponseSeconds,
    resolution_seconds: d.resolutionSeconds,
    customer_message_count: d.customerMessageCount,
    agent_message_count: d.agentMessageCount,
    content_hash: hash,
    agent_started: d.agentStarted ? 1 : 0,
  };
}

export function messageRows(ticket: TicketRecord, ticketId: number): MessageRow[] {
  return ticket.messages.map((m, seq) => ({
    ticket_id: ticketId,
    seq,
    external_id: m.externalId,
    author_role: m.authorRole,
    author_id: m.authorId,
    body: m.body,
    created_at: m.createdAt,
    public: m.public ? 1 : 0,
  }));
}

type Num = number | string | bigint;
const num = (v: Num): number => (typeof v === 'number' ? v : Number(v));
const numOrNull = (v: Num | null): number | null => (v === null ? null : num(v));

export interface TicketSelectRow extends Omit<TicketsTable, 'id'> {
  id: Num;
  c_id: Num | null;
  c_source: string | null;
  c_external_id: string | null;
  c_email: string | null;
  c_name: string | null;
  c_segment: string | null;
  c_attributes: string | null;
}

export function storedTicket(row: TicketSelectRow): StoredTicket {
  const customer: StoredCustomer | null =
    row.c_id === null
      ? null
      : {
          id: num(row.c_id),
          source: row.c_source ?? row.source,
          externalId: row.c_external_id,
          email: row.c_email,
          name: row.c_name,
          segment: row.c_segment,
          attributes: JSON.parse(row.c_attributes ?? '{}'),
        };
  return {
    id: num(row.id),
    source: row.source,
    externalId: row.external_id,
    subject: row.subject,
    channel: row.channel,
    status: row.status as StoredTicket['status'],
    statusRaw: row.status_raw,
    priority: row.priority as StoredTicket['priority'],
    tags: JSON.parse(row.tags),
    category: row.category,
    assignee: row.assignee,
    group: row.group_name,
    createdAt: num(row.created_at),
    updatedAt: numOrNull(row.updated_at),
    firstResponseAt: numOrNull(row.first_response_at),
    resolvedAt: numOrNull(row.resolved_at),
    closedAt: numOrNull(row.closed_at),
    csatScore: row.csat_score,
    csatRaw: row.csat_raw,
    handleTimeSeconds: row.handle_time_seconds,
    reopens: row.reopens,
    customFields: JSON.parse(row.custom_fields),
    customer,
    firstResponseSeconds: row.first_response_seconds,
    resolutionSeconds: row.resolution_seconds,
    customerMessageCount: num(row.customer_message_count),
    agentMessageCount: num(row.agent_message_count),
    agentStarted: Boolean(row.agent_started),
  };
}

export function storedMessage(row: Omit<MessagesTable, 'id'> & { id: Num }): StoredMessage {
  return {
    id: num(row.id),
    seq: num(row.seq),
    externalId: row.external_id,
    authorRole: row.author_role as StoredMessage['authorRole'],
    authorId: row.author_id,
    body: row.body,
    createdAt: num(row.created_at),
    public: Boolean(row.public),
  };
}

export function storedEvent(row: {
  id: Num;
  at: Num;
  type: string;
  ticket_id: Num | null;
  conversation_id: string | null;
  payload: string;
}): StoredEvent {
  return {
    id: num(row.id),
    at: num(row.at),
    type: row.type,
    ticketId: numOrNull(row.ticket_id),
    conversationId: row.conversation_id,
    payload: JSON.parse(row.payload),
  };
}

export type EventRow = Omit<EventsTable, 'id'>;
export type ConversationRow = ConversationsTable;
export type ConversationMessageRow = Omit<ConversationMessagesTable, 'id'>;
export type HandoffRow = Omit<HandoffsTable, 'id'>;

/**
 * A conversation row as the store hands it out. The state (a few KB of JSON) is parsed on first use only: most
 * reads (a credential check, a status check) never look at it.
 */
export function storedConversation(row: ConversationRow): StoredConversation {
  const text = row.state;
  let state: unknown;
  let parsed = false;
  return {
    id: row.id,
    customer: JSON.parse(row.customer),
    channel: row.channel,
    owner: row.owner as StoredConversation['owner'],
    status: row.status as StoredConversation['status'],
    workflowId: row.workflow_id,
    workflowVersion: numOrNull(row.workflow_version),
    get state() {
      if (!parsed) {
        state = text === null ? null : JSON.parse(text);
        parsed = true;
      }
      return state;
    },
    revision: num(row.revision),
    createdAt: num(row.created_at),
    updatedAt: num(row.updated_at),
    tokenHash: row.token_hash ?? null,
  };
}

export function storedConversationMessage(
  row: ConversationMessageRow & { id: Num },
): StoredConversationMessage {
  return {
    id: num(row.id),
    seq: num(row.seq),
    role: row.role as StoredConversationMessage['role'],
    text: row.text,
    at: num(row.created_at),
    // Absent rather than null, so a line reads back exactly as it was written.
    ...(row.analysis === null ? {} : { analysis: JSON.parse(row.analysis) }),
    ...(row.step_id === null ? {} : { stepId: row.step_id }),
    ...(row.kind === null || row.kind === undefined ? {} : { kind: row.kind as BotLineKind }),
    ...(row.choices === null || row.choices === undefined ? {} : { choices: JSON.parse(row.choices) }),
    ...(row.idempotency_key === null || row.idempotency_key === undefined
      ? {}
      : { idempotencyKey: row.idempotency_key }),
    ...(Number(row.pending) === 1 ? { pending: true as const } : {}),
  };
}

export function storedHandoff(row: HandoffRow & { id: Num }): StoredHandoff {
  return {
    id: num(row.id),
    conversationId: row.conversation_id,
    createdAt: num(row.created_at),
    code: row.code as StoredHandoff['code'],
    queue: row.queue,
    priority: row.priority as StoredHandoff['priority'],
    packet: JSON.parse(row.packet),
  };
}

export type FeedbackRow = Omit<FeedbackTable, 'id'>;

export function storedFeedback(row: FeedbackRow & { id: Num }): StoredFeedback {
  return {
    id: num(row.id),
    conversationId: row.conversation_id,
    resolved: row.resolved === null ? null : Number(row.resolved) === 1,
    rating: numOrNull(row.rating),
    comment: row.comment,
    source: row.source,
    at: num(row.at),
  };
}

export function artifactInfo(
  row: Omit<ArtifactsTable, 'id' | 'content'>,
  activeVersion: number | null | undefined,
): ArtifactInfo {
  const version = num(row.version);
  return {
    kind: row.kind as ArtifactKind,
    version,
    sha256: row.sha256,
    bytes: num(row.bytes),
    note: row.note,
    createdBy: row.created_by,
    createdAt: num(row.created_at),
    active: activeVersion === version,
  };
}

export function storedApiKey(row: ApiKeysTable): StoredApiKey {
  return {
    id: row.id,
    name: row.name,
    scopes: JSON.parse(row.scopes),
    secretHash: row.secret_hash,
    publishable: Number(row.publishable) === 1,
    origins: JSON.parse(row.origins),
    identitySecret: row.identity_secret,
    publishableKey: row.publishable_key ?? null,
    createdAt: num(row.created_at),
    revokedAt: numOrNull(row.revoked_at),
  };
}
