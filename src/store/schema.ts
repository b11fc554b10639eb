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
  payload: string;
}
