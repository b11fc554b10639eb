import type { Generated } from 'kysely';

/**
 * The tables as Kysely sees them, shared by both implementations. JSON columns are stored as text and flags as
 * integers (0/1) so that one set of queries and row mappers serves SQLite and PostgreSQL.
 */
export interface Database {
  customers: CustomersTable;
  tickets: TicketsTable;
  messages: MessagesTable;
  events: EventsTable;
  conversations: ConversationsTable;
  conversation_messages: ConversationMessagesTable;
  handoffs: HandoffsTable;
}

export interface CustomersTable {
  id: Generated<number>;
  source: string;
  /** externalId, else the lower-cased email, else the name: what makes a customer the same person. */
  customer_key: string;
  external_id: string | null;
  email: string | null;
  name: string | null;
  segment: string | null;
  attributes: string;
}

export interface TicketsTable {
  id: Generated<number>;
  source: string;
  external_id: string;
  customer_id: number | null;
  subject: string | null;
  channel: string | null;
  status: string;
  status_raw: string | null;
  priority: string | null;
  tags: string;
  category: string | null;
  assignee: string | null;
  group_name: string | null;
  created_at: number;
  updated_at: number | null;
  first_response_at: number | null;
  resolved_at: number | null;
  closed_at: number | null;
  csat_score: number | null;
  csat_raw: string | null;
  handle_time_seconds: number | null;
  reopens: number | null;
  custom_fields: string;
  first_response_seconds: number | null;
  resolution_seconds: number | null;
  customer_message_count: number;
  agent_message_count: number;
  content_hash: string;
}

export interface MessagesTable {
  id: Generated<number>;
  ticket_id: number;
  seq: number;
  external_id: string | null;
  author_role: string;
  author_id: string | null;
  body: string;
  created_at: number;
  public: number;
}

export interface EventsTable {
  id: Generated<number>;
  at: number;
  type: string;
  ticket_id: number | null;
  /** Added by 0002_conversations. */
  conversation_id: string | null;
  payload: string;
}

export interface ConversationsTable {
  /** Chosen by the caller (a chat session id, a helpdesk conversation id). */
  id: string;
  /** JSON: the CustomerProfile. */
  customer: string;
  channel: string;
  owner: string;
  status: string;
  workflow_id: string | null;
  workflow_version: number | null;
  /** JSON: the workflow state, opaque to the store; null before a workflow starts. */
  state: string | null;
  /** Bumped by every write; a write naming another revision is refused (optimistic concurrency). */
  revision: number;
  created_at: number;
  updated_at: number;
}

export interface ConversationMessagesTable {
  id: Generated<number>;
  conversation_id: string;
  seq: number;
  role: string;
  text: string;
  /** JSON: the TurnAnalysis of a customer line. */
  analysis: string | null;
  step_id: string | null;
  created_at: number;
}

export interface HandoffsTable {
  id: Generated<number>;
  conversation_id: string;
  created_at: number;
  code: string;
  queue: string;
  priority: string;
  /** JSON: the handoff packet, opaque to the store. */
  packet: string;
}
