import type {
  ConversationOwner,
  ConversationStatus,
  CustomerProfile,
  EscalationCode,
  EscalationPriority,
  TicketRecord,
  TicketStatus,
  TranscriptLine,
  TurnAnalysis,
} from '../domain/index.ts';
import type { ClaimedJob, JobQueue, JobRequest } from './job-queue.ts';

/**
 * The store: one interface, two implementations (`sqlite/`, `postgres/`), one shared test suite
 * (`store.suite.ts`). Everything above `store/` sees only this file (and `prepareTicket`, through index.ts).
 *
 * @example
 * const store = await openStore({ url: ':memory:' });
 * const result = await store.upsertTickets([ticket], { origin: 'tickets.csv' });
 * console.log(result.inserted, (await store.stats()).tickets);
 * await store.close();
 */
export interface Store {
  /** What this implementation can do; shared code reads these flags instead of checking types. */
  readonly capabilities: StoreCapabilities;

  /** Durable background jobs, written in the same transactions as the state that asks for them. */
  readonly jobs: JobQueue;

  /** Hints that something was written, for streams, idle workers and reloads (see change-feed.ts). */
  readonly changes: ChangeFeed;

  /**
   * Inserts new tickets and updates changed ones (keyed on source + external id), with their customers and
   * messages, and appends one event per change, all in one transaction: either the whole batch is stored or
   * none of it. A ticket identical to the stored one is left alone (and counted `unchanged`); a version whose
   * updatedAt is older than the stored one's, or than another version's in the batch, is skipped (`older`), so
   * the newest version wins whatever the order (when either updatedAt is unknown, the later one wins).
   */
  upsertTickets(tickets: readonly TicketRecord[], context: UpsertContext): Promise<UpsertResult>;

  /**
   * The same, for tickets already turned into column values by `prepareTicket` (the import prepares them as it
   * reads). `upsertTickets(t)` is `upsertPreparedTickets(t.map(prepareTicket))`.
   */
  upsertPreparedTickets(tickets: readonly PreparedTicket[], context: UpsertContext): Promise<UpsertResult>;

  getTicket(source: string, externalId: string): Promise<StoredTicket | undefined>;

  /** Tickets in id order, a page at a time (keyset pagination: pass the last id seen). */
  listTickets(query: TicketQuery): Promise<StoredTicket[]>;

  /** Events in id order after `afterId`. The log is append-only. */
  listEvents(query: EventQuery): Promise<StoredEvent[]>;

  /**
   * Starts a conversation at revision 0, owned by the bot and open, and appends `conversation.started`
   * (payload: the channel) in the same transaction. An id that already exists is a UserError
   * `conversation.exists` and nothing is written, unless the input's `idempotencyKey` is the one that conversation
   * was started with: then the stored conversation is returned (a retried request).
   *
   * @example
   * const conversation = await store.createConversation({
   *   id: 'chat-1', customer: { name: 'Ana', attributes: {} }, channel: 'chat', at: clock.now(),
   * });
   * console.log(conversation.revision); // 0
   */
  createConversation(input: CreateConversationInput): Promise<StoredConversation>;

  /** A conversation with its transcript in seq order, or undefined when the id is unknown. */
  getConversation(id: string): Promise<ConversationWithMessages | undefined>;

  /**
   * The conversation alone, without its transcript: what a turn needs (the transcript grows with every
   * turn; only a handoff reads it).
   */
  findConversation(id: string): Promise<StoredConversation | undefined>;

  /**
   * Stores a customer message as it arrives, before any turn handles it: appended with the next seq number and
   * marked pending, with the input's jobs (the turn that will handle it) and a `conversation.messages` event, in
   * one transaction. The revision does not change (a turn being planned is not disturbed). With an
   * `idempotencyKey` already used in this conversation, nothing is written and the first message is returned
   * (`duplicate: true`); the same key with another text is a UserError `conversation.idempotency_key_reused`.
   *
   * @example
   * const { message } = await store.receiveMessage({
   *   conversationId: 'chat-1', text: 'Where is my order?', at: now, idempotencyKey: 'b3c1',
   *   jobs: [{ queue: 'conversation.turn', payload: { conversationId: 'chat-1' }, exclusiveKey: 'chat-1' }],
   * });
   */
  receiveMessage(input: ReceiveMessageInput): Promise<ReceivedMessage>;

  /** The customer messages no turn has handled yet, in seq order. */
  pendingMessages(conversationId: string): Promise<StoredConversationMessage[]>;

  /** Messages of one conversation with seq > `afterSeq` (all when absent), or exactly those of `seqs`. */
  listConversationMessages(query: ConversationMessageQuery): Promise<StoredConversationMessage[]>;

  /**
   * Conversations with a customer message still pending that arrived before `receivedBefore`: the sweep that
   * makes sure no message waits forever when the process that should have handled it died.
   */
  conversationsWithPendingMessages(query: { receivedBefore: number; limit: number }): Promise<string[]>;

  /**
   * Stores one turn in one transaction: appends the messages (next seq numbers), marks the customer messages
   * it handled as handled (with what the NLU made of them), sets the state, workflow, status and owner that are
   * given, stores the handoff, appends the events and the jobs, and bumps the revision. When the
   * stored revision is not `expectedRevision` (another process handled the conversation since it was read)
   * nothing is written and an OperationalError `conversation.conflict` is thrown: read it again and redo the
   * turn. An unknown conversation is a UserError `conversation.not_found`.
   *
   * Events, in this order: `conversation.messages` {seqs, roles} for the messages of the turn, the caller's `events`,
   * `handoff.created` {handoffId, code, queue}, `conversation.status_changed` {from, to, by?} and
   * `conversation.owner_changed` {from, to, by?} when they change. None carries customer text; the caller's
   * payloads must not either.
   *
   * @example
   * const { conversation } = (await store.getConversation('chat-1'))!;
   * const next = await store.recordTurn({
   *   conversationId: 'chat-1',
   *   expectedRevision: conversation.revision,
   *   messages: [
   *     { role: 'customer', text: 'Where is my order?', at: now },
   *     { role: 'bot', text: 'Which order number?', at: now, stepId: 'ask_order' },
   *   ],
   *   state: workflowState,
   *   workflowId: 'order-status',
   *   workflowVersion: 1,
   *   at: now,
   * });
   * console.log(next.revision); // conversation.revision + 1
   */
  recordTurn(input: RecordTurnInput): Promise<StoredConversation>;

  /**
   * An agent takes a conversation over (`human`) or hands it back to the bot, whatever the revision: the
   * revision is bumped so a turn in flight on the old revision is refused. Appends `conversation.owner_changed`
   * {from, to, by}; nothing happens when the owner is already `owner`.
   *
   * @example
   * await store.setConversationOwner({ conversationId: 'chat-1', owner: 'bot', by: 'agent:ana', at: now });
   */
  setConversationOwner(input: SetConversationOwnerInput): Promise<StoredConversation>;

  /**
   * Closes a conversation whatever the revision (bumping it) and appends `conversation.status_changed`
   * {from, to: 'closed', by}; nothing happens when it is already closed.
   *
   * @example
   * await store.closeConversation({ conversationId: 'chat-1', by: 'agent:ana', at: now });
   */
  closeConversation(input: CloseConversationInput): Promise<StoredConversation>;

  /**
   * A change from outside a turn, whatever the revision (bumping it): a helpdesk's signal (an agent took the
   * conversation, handed it back, closed or reopened it), an agent's line seen in the helpdesk, delivery records.
   * Sets the owner and status given, appends the lines, the events and the jobs, completes `completes`, in one
   * transaction, with `conversation.owner_changed` / `conversation.status_changed` {from, to, by} when they change.
   * Nothing is written (and the conversation is returned as it is) when the change changes nothing.
   *
   * @example
   * await store.changeConversation({ conversationId: 'chatwoot:1:12', owner: 'bot', status: 'open', by: 'agent:chatwoot:7', at: now });
   */
  changeConversation(input: ChangeConversationInput): Promise<StoredConversation>;

  /**
   * Conversations, most recently updated first, a page at a time: pass the page's `nextCursor` back as
   * `cursor` (null on the last page). A cursor that is not one of ours is a UserError
   * `conversation.bad_cursor`.
   *
   * @example
   * let cursor: string | null | undefined;
   * do {
   *   const page = await store.listConversations({ owner: 'human', status: 'escalated', limit: 50, cursor });
   *   for (const c of page.conversations) console.log(c.id);
   *   cursor = page.nextCursor;
   * } while (cursor);
   */
  listConversations(query: ConversationQuery): Promise<ConversationPage>;

  /**
   * Replaces a conversation's access token (its hash): a start retried with its idempotency key gets a new token,
   * since only hashes are kept. An unknown conversation is a UserError `conversation.not_found`.
   */
  setConversationTokenHash(input: { conversationId: string; tokenHash: string }): Promise<void>;

  /** Handoffs in id order, of one conversation or of all, after `afterId`. */
  listHandoffs(query: HandoffQuery): Promise<StoredHandoff[]>;

  /**
   * Stores the customer's answer to "Did this resolve your issue?" (and a rating or comment), with a
   * `conversation.feedback` event (no comment text in it) and the input's jobs, in one transaction. An unknown
   * conversation is a UserError `conversation.not_found`.
   */
  recordFeedback(input: FeedbackInput): Promise<StoredFeedback>;

  listFeedback(query: { conversationId: string }): Promise<StoredFeedback[]>;

  /**
   * Stores a new version of a model or knowledge-base index (versions count from 1 per kind), with an
   * `artifact.saved` event, and activates it when asked (`artifact.activated`). Content identical to the newest
   * version (same sha256) is not stored twice: that version is returned (and activated when asked).
   *
   * @example
   * const saved = await store.saveArtifact({ kind: 'nlu-model', content: json, by: 'cli', activate: true, at: now });
   * (await store.activeArtifacts())['nlu-model']; // saved.version
   */
  saveArtifact(input: SaveArtifactInput): Promise<ArtifactInfo>;

  /** One version with its content, or the active one (`version: 'active'`); undefined when there is none. */
  getArtifact(kind: ArtifactKind, version: number | 'active'): Promise<StoredArtifact | undefined>;

  /** Every version of a kind without content, newest first. */
  listArtifacts(kind: ArtifactKind): Promise<ArtifactInfo[]>;

  /** Makes a stored version the active one (`artifact.activated`); an unknown version is a UserError. */
  activateArtifact(input: {
    kind: ArtifactKind;
    version: number;
    by: string;
    at: number;
  }): Promise<ArtifactInfo>;

  /** The active version of each kind: a cheap read every process polls to notice a change. */
  activeArtifacts(): Promise<Partial<Record<ArtifactKind, number>>>;

  /** Stores an API key (its secret only as a hash), with an `api_key.created` event. */
  createApiKey(input: CreateApiKeyInput): Promise<StoredApiKey>;

  findApiKey(id: string): Promise<StoredApiKey | undefined>;

  /** Every key, newest first, revoked ones included. */
  listApiKeys(): Promise<StoredApiKey[]>;

  /** Revokes a key (`api_key.revoked`); undefined when there is no such key; revoking twice changes nothing. */
  revokeApiKey(input: { id: string; by: string; at: number }): Promise<StoredApiKey | undefined>;

  /**
   * People who sign in to the web app: an account per (lower-cased) email; an email already used is a UserError
   * `user.exists`. Passwords are stored only as Argon2id hashes (access/passwords.ts), sessions and invitation
   * links only as sha256 hashes of their tokens.
   *
   * @example
   * const user = await store.createUser({ id: 'u_1', email: 'ana@shop.example', role: 'agent', passwordHash, by: 'cli', at: now });
   */
  createUser(input: CreateUserInput): Promise<StoredUser>;
  findUser(query: { id: string } | { email: string }): Promise<StoredUser | undefined>;
  /** Every account, oldest first. */
  listUsers(): Promise<StoredUser[]>;
  setUserPassword(input: { userId: string; passwordHash: string }): Promise<void>;
  /** Disables (or enables) an account; disabling deletes its sessions. Undefined for an unknown user. */
  setUserDisabled(input: { userId: string; disabled: boolean; at: number }): Promise<StoredUser | undefined>;
  createSession(input: { idHash: string; userId: string; at: number; expiresAt: number }): Promise<void>;
  /**
   * The session and its user when the session exists, has not expired and the user is enabled (its last-seen time
   * set to `at`); else undefined.
   */
  findSession(input: {
    idHash: string;
    at: number;
  }): Promise<{ session: StoredSession; user: StoredUser } | undefined>;
  /** Deletes one session, or every session of a user (logout everywhere); how many. */
  deleteSessions(query: { idHash: string } | { userId: string }): Promise<number>;
  createInvitation(input: {
    tokenHash: string;
    userId: string;
    at: number;
    expiresAt: number;
  }): Promise<void>;
  /**
   * Uses an invitation once: when it exists, is unused and unexpired, marks it used and sets the user's password;
   * returns the user, else undefined.
   */
  acceptInvitation(input: {
    tokenHash: string;
    passwordHash: string;
    at: number;
  }): Promise<StoredUser | undefined>;
  /**
   * Counts a failed sign-in under `key` (an email, an address): past `limit` failures within `windowMs` of the first,
   * the key is locked for `lockMs`. Atomic across processes.
   */
  recordLoginFailure(input: {
    key: string;
    at: number;
    limit: number;
    windowMs: number;
    lockMs: number;
  }): Promise<{ failures: number; lockedUntil: number | null }>;
  /** Until when `key` may not sign in (null: it may). */
  loginLockedUntil(input: { key: string; at: number }): Promise<number | null>;
  clearLoginFailures(key: string): Promise<void>;

  /**
   * Pilot settings and the kill switch (docs/pilots.md) are events: `pilot.changed` {workflowId, before, after, by,
   * why}, `automation.killed` and `automation.resumed` {workflowId (null: all automation), by, why}. Appends one
   * (a single insert: atomic) and tells every process (topic `settings`). The caller (src/pilots/) checks the
   * payload; no customer text in it.
   *
   * @example
   * await store.appendPilotEvent({ type: 'automation.killed', payload: { workflowId: null, by: 'cli', why: 'outage' }, at: now });
   * (await store.listPilotEvents()).at(-1)?.type; // 'automation.killed'
   */
  appendPilotEvent(input: {
    type: PilotEventType;
    payload: Record<string, unknown>;
    at: number;
  }): Promise<StoredEvent>;
  /** The pilot events in id order, after `afterId` when given. */
  listPilotEvents(query?: { afterId?: number }): Promise<StoredEvent[]>;
  /** The newest pilot event's id (0 when none): the cheap read every process polls. */
  lastPilotEventId(): Promise<number>;

  stats(): Promise<StoreStats>;

  close(): Promise<void>;
}

export type PilotEventType = 'pilot.changed' | 'automation.killed' | 'automation.resumed';

export interface StoreCapabilities {
  dialect: 'sqlite' | 'postgres';
  /** Several processes may write at once (PostgreSQL); SQLite has a single writer. */
  concurrentWriters: boolean;
  /** A human-readable location with no credentials, for logs and summaries. */
  location: string;
  /** The file the store lives in (SQLite on disk, an absolute path), for files that belong beside it; null for PostgreSQL or memory. */
  file: string | null;
}

export interface UpsertContext {
  /** What the change came from (a file name, `demo`, `api`), recorded on each event. */
  origin: string;
}

export interface UpsertResult {
  inserted: number;
  updated: number;
  unchanged: number;
  /**
   * Versions older (updatedAt) than the one stored, or than another version of the same ticket in the batch:
   * skipped, the newer kept. Overlapping pages of an incremental export hold such versions.
   */
  older: number;
}

export interface StoredMessage {
  id: number;
  seq: number;
  externalId: string | null;
  authorRole: TicketRecord['messages'][number]['authorRole'];
  authorId: string | null;
  body: string;
  createdAt: number;
  public: boolean;
}

export interface StoredCustomer {
  id: number;
  source: string;
  externalId: string | null;
  email: string | null;
  name: string | null;
  segment: string | null;
  attributes: Record<string, unknown>;
}

export interface StoredTicket
  extends Omit<TicketRecord, 'messages' | 'customer' | 'deriveFirstResponse' | 'startedBy'> {
  id: number;
  customer: StoredCustomer | null;
  firstResponseSeconds: number | null;
  resolutionSeconds: number | null;
  customerMessageCount: number;
  agentMessageCount: number;
  /** Started by an agent (`isAgentStarted`): its first response, if any, is timed from the customer's first message. */
  agentStarted: boolean;
  /** Present when the query asked for messages. */
  messages?: StoredMessage[];
}

export interface TicketQuery {
  afterId?: number;
  limit: number;
  source?: string;
  /** Inclusive lower bound on createdAt (epoch ms). */
  createdFrom?: number;
  /** Exclusive upper bound on createdAt (epoch ms). */
  createdTo?: number;
  withMessages?: boolean;
}

export interface EventQuery {
  afterId?: number;
  limit: number;
  type?: string;
  /** Only the events of this conversation. */
  conversationId?: string;
}

export interface StoredEvent {
  id: number;
  at: number;
  type: string;
  ticketId: number | null;
  conversationId: string | null;
  payload: Record<string, unknown>;
}

export interface CreateConversationInput {
  /** Chosen by the caller: a chat session id, a helpdesk conversation id. */
  id: string;
  customer: CustomerProfile;
  channel: string;
  /** Epoch ms. */
  at: number;
  /** sha256 of the conversation's access token (the widget reads and writes only its own conversation). */
  tokenHash?: string;
  /** A retried start with the same key returns the conversation instead of failing (scoped by the caller). */
  idempotencyKey?: string;
}

export interface StoredConversation {
  id: string;
  customer: CustomerProfile;
  channel: string;
  owner: ConversationOwner;
  status: ConversationStatus;
  workflowId: string | null;
  workflowVersion: number | null;
  /**
   * The workflow state (`WorkflowState` of workflows/state.ts) exactly as stored: the store keeps it as opaque
   * JSON, so the reader validates it (`WorkflowStateSchema.parse`). Null before a workflow starts.
   */
  state: unknown;
  /** 0 when created, plus one per write; what `recordTurn` checks against `expectedRevision`. */
  revision: number;
  createdAt: number;
  updatedAt: number;
  /** sha256 (hex) of the conversation's access token, when it has one. */
  tokenHash: string | null;
}

/** A transcript line as stored: `seq` counts from 0 within its conversation. */
export interface StoredConversationMessage extends TranscriptLine {
  id: number;
  seq: number;
  /** A customer message no turn has handled yet (absent once handled). */
  pending?: true;
  /** The key the message was received with, when it had one. */
  idempotencyKey?: string;
}

export interface ReceiveMessageInput {
  conversationId: string;
  text: string;
  at: number;
  idempotencyKey?: string;
  /** Written in the same transaction (the turn job); not written for a duplicate. */
  jobs?: readonly JobRequest[];
}

export interface ReceivedMessage {
  message: StoredConversationMessage;
  /** True when the idempotency key was seen before: nothing was written. */
  duplicate: boolean;
}

export interface ConversationMessageQuery {
  conversationId: string;
  afterSeq?: number;
  seqs?: readonly number[];
}

export interface ConversationWithMessages {
  conversation: StoredConversation;
  messages: StoredConversationMessage[];
}

export interface HandoffInput {
  code: EscalationCode;
  queue: string;
  priority: EscalationPriority;
  /** The handoff packet, stored as opaque JSON. */
  packet: unknown;
}

export interface StoredHandoff extends HandoffInput {
  id: number;
  conversationId: string;
  createdAt: number;
}

export interface RecordTurnInput {
  conversationId: string;
  /** The revision the turn was computed from. */
  expectedRevision: number;
  /** Appended in order with the next seq numbers. */
  messages: readonly TranscriptLine[];
  /** The new workflow state; null clears it, absent keeps it. */
  state?: unknown;
  workflowId?: string | null;
  workflowVersion?: number | null;
  status?: ConversationStatus;
  owner?: ConversationOwner;
  handoff?: HandoffInput;
  /** The pending customer messages this turn handled, with what the NLU made of each. */
  handled?: readonly { seq: number; analysis?: TurnAnalysis }[];
  /** Jobs the turn asks for (connector calls, deliveries), written in the same transaction. */
  jobs?: readonly JobRequest[];
  /**
   * The job this turn finishes: marked complete in the same transaction, so a turn and its job's end commit
   * together (the runner's own `complete` afterwards changes nothing).
   */
  completes?: ClaimedJob;
  /** Further events of this turn (workflow steps, guardrails), linked to the conversation. No customer text. */
  events?: readonly { type: string; payload: Record<string, unknown> }[];
  /** Who changed the status or owner, recorded on those events (`by`); absent for the bot. */
  by?: string;
  /** Epoch ms: the conversation's updatedAt and every event's time. */
  at: number;
}

export interface SetConversationOwnerInput {
  conversationId: string;
  owner: ConversationOwner;
  /** Who made the change (an agent id, `bot`, `system`). */
  by: string;
  at: number;
}

export interface CloseConversationInput {
  conversationId: string;
  by: string;
  at: number;
}

export interface ChangeConversationInput {
  conversationId: string;
  /**
   * Only when the conversation is still at this revision (else an OperationalError `conversation.conflict`, nothing
   * written): a change decided from what was read, such as an agent taking an unassigned conversation.
   */
  expectedRevision?: number;
  owner?: ConversationOwner;
  status?: ConversationStatus;
  /** Appended with the next seq numbers (agent or system lines; never pending customer messages). */
  messages?: readonly TranscriptLine[];
  /** No customer text in their payloads. */
  events?: readonly { type: string; payload: Record<string, unknown> }[];
  jobs?: readonly JobRequest[];
  /** The job this change finishes, completed in the same transaction. */
  completes?: ClaimedJob;
  /** Who made the change: `agent:<channel>:<id>`, `channel:<name>`, `system`. */
  by: string;
  at: number;
}

export interface ConversationQuery {
  status?: ConversationStatus;
  owner?: ConversationOwner;
  /** The previous page's `nextCursor`. */
  cursor?: string | null;
  limit: number;
}

export interface ConversationPage {
  conversations: StoredConversation[];
  /** Pass back as `cursor` for the next page; null when this page is the last. */
  nextCursor: string | null;
}

export interface FeedbackInput {
  conversationId: string;
  /** "Did this resolve your issue?": yes, no, or not answered. */
  resolved?: boolean;
  /** 1 to 5, when asked. */
  rating?: number;
  comment?: string;
  /** Where it came from: `widget`, `api`, a channel. */
  source: string;
  at: number;
  jobs?: readonly JobRequest[];
}

export interface StoredFeedback {
  id: number;
  conversationId: string;
  resolved: boolean | null;
  rating: number | null;
  comment: string | null;
  source: string;
  at: number;
}

export type ArtifactKind = 'nlu-model' | 'kb-index' | 'gate-report';

export interface SaveArtifactInput {
  kind: ArtifactKind;
  /** The model or index as JSON text. */
  content: string;
  /** Who stored it (`cli`, `start`, a user). */
  by: string;
  /** One line: where it came from. */
  note?: string;
  activate: boolean;
  at: number;
}

export interface ArtifactInfo {
  kind: ArtifactKind;
  version: number;
  sha256: string;
  bytes: number;
  note: string | null;
  createdBy: string;
  createdAt: number;
  active: boolean;
}

export interface StoredArtifact extends ArtifactInfo {
  content: string;
}

export interface CreateApiKeyInput {
  /** Public part of the key, in the key itself: `sb_sk_<id>_<secret>`. */
  id: string;
  name: string;
  scopes: readonly string[];
  /** sha256 (hex) of the whole key. */
  secretHash: string;
  /** A publishable key (the widget's) is meant to appear in web pages. */
  publishable: boolean;
  /** Origins a browser may use the key from (empty: any allowed by the server). */
  origins: readonly string[];
  /** The secret a site signs its customers' identity with (HMAC), for publishable keys that verify identity. */
  identitySecret?: string;
  /** A publishable key's whole text (public by design: it sits in web pages). Never a secret key's. */
  publishableKey?: string;
  at: number;
  by: string;
}

export interface StoredApiKey {
  id: string;
  name: string;
  scopes: string[];
  secretHash: string;
  publishable: boolean;
  origins: string[];
  identitySecret: string | null;
  /** A publishable key's whole text; null for secret keys. */
  publishableKey: string | null;
  createdAt: number;
  revokedAt: number | null;
}

export type UserRole = 'agent' | 'lead' | 'admin';

export interface CreateUserInput {
  /** Chosen by the caller (`u_` + random). */
  id: string;
  email: string;
  name?: string;
  role: UserRole;
  /** Null for an invited user who has not chosen a password yet. */
  passwordHash: string | null;
  by: string;
  at: number;
}

export interface StoredUser {
  id: string;
  email: string;
  name: string | null;
  role: UserRole;
  passwordHash: string | null;
  createdAt: number;
  createdBy: string;
  disabledAt: number | null;
}

export interface StoredSession {
  idHash: string;
  userId: string;
  createdAt: number;
  lastSeenAt: number;
  expiresAt: number;
}

export interface HandoffQuery {
  conversationId?: string;
  afterId?: number;
  /** All of them when absent. */
  limit?: number;
}

export interface Percentiles {
  median: number | null;
  p90: number | null;
}

/** The `stats --json` contract: keep these names stable. */
export interface StoreStats {
  tickets: number;
  messages: number;
  customers: number;
  events: number;
  bySource: Record<string, number>;
  byStatus: Partial<Record<TicketStatus, number>>;
  /**
   * Tickets an agent started (a logged call, an outbound email): their first response, when there is one, is timed
   * from the customer's first message; those the customer never answered have none and are left out of
   * firstResponseSeconds, as is every ticket without a first response.
   */
  agentStarted: number;
  firstResponseSeconds: Percentiles;
  resolutionSeconds: Percentiles;
  /** Conversations handled by automation or agents (issue 5); counted apart from imported tickets. */
  conversations: number;
}

/**
 * A ticket turned into the column values the store writes, before it knows the ticket's or customer's id. Both
 * stores write these; the import prepares them as it reads (`readBatches`), so the write only binds values.
 * Plain arrays of strings, numbers and nulls.
 */
export interface PreparedTicket {
  source: string;
  externalId: string;
  /** `ticketContentHash` of the record: an unchanged re-import is recognised by it. */
  hash: string;
  /** The record's updatedAt: a version older than the one stored is skipped. */
  updatedAt: number | null;
  /** Values in CUSTOMER_COLUMNS order (prepared.ts), or null when the ticket has no identifiable customer. */
  customer: unknown[] | null;
  /** Values in TICKET_COLUMNS order; the `customer_id` slot (CUSTOMER_ID_SLOT) is null until the store fills it. */
  ticket: unknown[];
  /** Values in MESSAGE_COLUMNS order, one message after another; `ticket_id` is added by the store. */
  messages: unknown[];
}

/**
 * Tells every process that something it may be waiting for has changed: a conversation was written (a stream
 * sends the new events), jobs were enqueued (an idle worker wakes up), the active model or knowledge base
 * changed (every process reloads). A change is a hint to read the store again, and may arrive twice; the one
 * exception is `written` (below). SQLite: within the process, plus a poll of the file's data version for writes
 * from other processes. PostgreSQL: LISTEN / NOTIFY, sent in the writing transaction, so a change is heard only
 * once it is committed.
 *
 * @example
 * const stop = store.changes.subscribe((change) => {
 *   if (change.topic === 'conversation' && change.id === 'c1') void sendNewEvents();
 * });
 * stop();
 */
export interface ChangeFeed {
  subscribe(listener: (change: Change) => void): () => void;
  /** Tells this process's listeners, and (PostgreSQL) every other process's, outside any write. */
  publish(change: Change): Promise<void>;
  /**
   * Writes by other processes seen so far, as a counter (SQLite: changes of the file's data version, looked at
   * after each of this process's commits and by the poll). Absent where changes carry nothing `written`.
   */
  epoch?(): number;
}

/**
 * What one of this process's commits wrote to a conversation (SQLite): its events, in id order, and the messages
 * they name. A listener that read the conversation's events while `epoch()` was `epoch` may take these as the
 * events that follow, without reading: no other process wrote to the file in between, and this process's own
 * commits are all announced, in commit order. With any other epoch it must read.
 */
export interface WrittenToConversation {
  events: StoredEvent[];
  messages: StoredConversationMessage[];
  epoch: number;
}

export type ChangeTopic = 'conversation' | 'jobs' | 'artifacts' | 'settings' | 'any';

export interface Change {
  topic: ChangeTopic;
  /** The conversation id, the artifact kind; null when not known (`any`: something changed, read again). */
  id: string | null;
  /** A conversation change from this process's own commit: what it wrote (SQLite). */
  written?: WrittenToConversation;
}
