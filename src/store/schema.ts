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
  feedback: FeedbackTable;
  artifacts: ArtifactsTable;
  active_artifacts: ActiveArtifactsTable;
  api_keys: ApiKeysTable;
  users: UsersTable;
  sessions: SessionsTable;
  invitations: InvitationsTable;
  login_failures: LoginFailuresTable;
  /** SQLite only: the job queue (PostgreSQL's is pg-boss). */
  jobs: JobsTable;
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
  /** 1 when an agent started the ticket (deriveTicketFigures' agentStarted), else 0. */
  agent_started: number;
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
  /** Added by 0003_live: sha256 of the conversation's access token. */
  token_hash: string | null;
  /** Added by 0003_live: the start request's idempotency key (unique). */
  idempotency_key: string | null;
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
  /** Added by 0003_live: a bot line's kind (BotLineKind). */
  kind: string | null;
  /** Added by 0003_live: JSON array of the choices a bot line offers. */
  choices: string | null;
  /** Added by 0003_live: the key a customer message was received with. */
  idempotency_key: string | null;
  /** Added by 0003_live: 1 while no turn has handled this customer message. */
  pending: number;
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

export interface FeedbackTable {
  id: Generated<number>;
  conversation_id: string;
  at: number;
  /** 1 yes, 0 no, null not answered. */
  resolved: number | null;
  rating: number | null;
  comment: string | null;
  source: string;
}

export interface ArtifactsTable {
  id: Generated<number>;
  /** `nlu-model` or `kb-index`. */
  kind: string;
  version: number;
  sha256: string;
  bytes: number;
  /** The model or index as JSON text. */
  content: string;
  note: string | null;
  created_by: string;
  created_at: number;
}

export interface ActiveArtifactsTable {
  kind: string;
  version: number;
  activated_at: number;
  activated_by: string;
}

export interface ApiKeysTable {
  id: string;
  name: string;
  /** JSON array. */
  scopes: string;
  secret_hash: string;
  publishable: number;
  /** JSON array. */
  origins: string;
  identity_secret: string | null;
  publishable_key: string | null;
  created_at: number;
  created_by: string;
  revoked_at: number | null;
}

export interface JobsTable {
  id: Generated<number>;
  queue: string;
  /** JSON. */
  payload: string;
  key: string | null;
  exclusive_key: string | null;
  /** queued | active | done | dead */
  state: string;
  attempts: number;
  max_attempts: number;
  timeout_ms: number;
  run_at: number;
  locked_by: string | null;
  locked_until: number | null;
  last_code: string | null;
  last_error: string | null;
  created_at: number;
  finished_at: number | null;
}

export interface UsersTable {
  id: string;
  /** Lower-cased: one account per address. */
  email: string;
  name: string | null;
  role: string;
  /** Argon2id (PHC string); null until an invitation is accepted. */
  password_hash: string | null;
  created_at: number;
  created_by: string;
  disabled_at: number | null;
}

export interface SessionsTable {
  /** sha256 (hex) of the cookie's token: the token itself is never stored. */
  id_hash: string;
  user_id: string;
  created_at: number;
  last_seen_at: number;
  expires_at: number;
}

export interface InvitationsTable {
  /** sha256 (hex) of the link's token. */
  token_hash: string;
  user_id: string;
  created_at: number;
  expires_at: number;
  used_at: number | null;
}

export interface LoginFailuresTable {
  /** What is throttled: `email:<address>`, `address:<ip>`. */
  key: string;
  failures: number;
  window_started_at: number;
  locked_until: number | null;
}
