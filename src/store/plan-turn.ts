import { OperationalError, UserError } from '../shared/index.ts';
import type { ClaimedJob, JobRequest } from './job-queue.ts';
import type { ConversationMessageRow, ConversationRow, EventRow, HandoffRow } from './rows.ts';
import type {
  ChangeConversationInput,
  CloseConversationInput,
  CreateConversationInput,
  ReceiveMessageInput,
  RecordTurnInput,
  SetConversationOwnerInput,
  StoredConversationMessage,
} from './store.ts';

/**
 * What a conversation write stores, decided once for both implementations; they only differ in how they lock
 * the row and run the statements. Order of the writes: messages, handoff, events, conversation row.
 */
export interface TurnPlan {
  messages: ConversationMessageRow[];
  /** Pending customer messages this turn handled: set handled, with their analysis. */
  handled: { seq: number; analysis: string | null }[];
  jobs: readonly JobRequest[];
  completes: ClaimedJob | null;
  handoff: HandoffRow | null;
  /** The events, given the id the handoff got (null without a handoff). */
  events: (handoffId: number | null) => EventRow[];
  update: Pick<
    ConversationRow,
    'owner' | 'status' | 'workflow_id' | 'workflow_version' | 'state' | 'revision' | 'updated_at'
  >;
}

export function newConversation(input: CreateConversationInput): { row: ConversationRow; event: EventRow } {
  return {
    row: {
      id: input.id,
      customer: JSON.stringify(input.customer),
      channel: input.channel,
      owner: 'bot',
      status: 'open',
      workflow_id: null,
      workflow_version: null,
      state: null,
      revision: 0,
      created_at: input.at,
      updated_at: input.at,
      token_hash: input.tokenHash ?? null,
      idempotency_key: input.idempotencyKey ?? null,
    },
    event: event(input.at, 'conversation.started', input.id, { channel: input.channel }),
  };
}

export function conversationExists(id: string): UserError {
  return new UserError('conversation.exists', `conversation ${JSON.stringify(id)} already exists`, {
    field: 'id',
  });
}

/** A start retried with its idempotency key returns the first conversation; another id with it is a conflict. */
export function sameStart(current: ConversationRow, input: CreateConversationInput): boolean {
  return input.idempotencyKey !== undefined && current.idempotency_key === input.idempotencyKey;
}

export function conversationNotFound(id: string): UserError {
  return new UserError('conversation.not_found', `no conversation ${JSON.stringify(id)}`, {
    field: 'conversationId',
  });
}

/**
 * The plan of a turn against the locked current row. Throws `conversation.conflict` when the row moved on
 * since the caller read it.
 */
export function planTurn(current: ConversationRow, input: RecordTurnInput, nextSeq: number): TurnPlan {
  const revision = Number(current.revision);
  if (revision !== input.expectedRevision) {
    throw new OperationalError(
      'conversation.conflict',
      `conversation ${JSON.stringify(current.id)} is at revision ${revision}, not ${input.expectedRevision}: another process handled it; read it again`,
      { field: 'expectedRevision' },
    );
  }
  const id = current.id;
  const { at } = input;
  const messages = input.messages.map(
    (line, i): ConversationMessageRow => ({
      conversation_id: id,
      seq: nextSeq + i,
      role: line.role,
      text: line.text,
      analysis: line.analysis === undefined ? null : JSON.stringify(line.analysis),
      step_id: line.stepId ?? null,
      created_at: line.at,
      kind: line.kind ?? null,
      choices: line.choices ? JSON.stringify(line.choices) : null,
      idempotency_key: null,
      pending: 0,
    }),
  );
  const handled = (input.handled ?? []).map((h) => ({
    seq: h.seq,
    analysis: h.analysis === undefined ? null : JSON.stringify(h.analysis),
  }));
  const handoff: HandoffRow | null = input.handoff
    ? {
        conversation_id: id,
        created_at: at,
        code: input.handoff.code,
        queue: input.handoff.queue,
        priority: input.handoff.priority,
        // JSON.stringify(undefined) is undefined: a missing packet is stored as JSON null.
        packet: JSON.stringify(input.handoff.packet) ?? 'null',
      }
    : null;
  const status = input.status ?? current.status;
  const owner = input.owner ?? current.owner;
  const by = input.by === undefined ? {} : { by: input.by };
  const update: TurnPlan['update'] = {
    owner,
    status,
    workflow_id: input.workflowId === undefined ? current.workflow_id : input.workflowId,
    workflow_version: input.workflowVersion === undefined ? current.workflow_version : input.workflowVersion,
    state:
      input.state === undefined ? current.state : input.state === null ? null : JSON.stringify(input.state),
    revision: revision + 1,
    updated_at: at,
  };
  const events = (handoffId: number | null): EventRow[] => [
    // One event for the turn's messages, not one per message: every row written costs on the hot path.
    ...(messages.length > 0
      ? [
          event(at, 'conversation.messages', id, {
            seqs: messages.map((m) => m.seq),
            roles: messages.map((m) => m.role),
          }),
        ]
      : []),
    ...(input.events ?? []).map((e) => event(at, e.type, id, e.payload)),
    ...(handoff && handoffId !== null
      ? [event(at, 'handoff.created', id, { handoffId, code: handoff.code, queue: handoff.queue })]
      : []),
    ...(status === current.status
      ? []
      : [event(at, 'conversation.status_changed', id, { from: current.status, to: status, ...by })]),
    ...(owner === current.owner
      ? []
      : [event(at, 'conversation.owner_changed', id, { from: current.owner, to: owner, ...by })]),
  ];
  return {
    messages,
    handled,
    jobs: input.jobs ?? [],
    completes: input.completes ?? null,
    handoff,
    events,
    update,
  };
}

/**
 * The row and event of a received customer message; or, when its idempotency key was used before in this
 * conversation, the earlier message (`duplicate`), or a UserError when that message had another text.
 */
export function planReceive(
  conversationId: string,
  input: ReceiveMessageInput,
  nextSeq: number,
  earlier: StoredConversationMessage | undefined,
): { duplicate: StoredConversationMessage } | { row: ConversationMessageRow; event: EventRow } {
  if (earlier) {
    if (earlier.text !== input.text) {
      throw new UserError(
        'conversation.idempotency_key_reused',
        'this Idempotency-Key was already used for another message in this conversation',
        { field: 'Idempotency-Key' },
      );
    }
    return { duplicate: earlier };
  }
  const row: ConversationMessageRow = {
    conversation_id: conversationId,
    seq: nextSeq,
    role: 'customer',
    text: input.text,
    analysis: null,
    step_id: null,
    created_at: input.at,
    kind: null,
    choices: null,
    idempotency_key: input.idempotencyKey ?? null,
    pending: 1,
  };
  return {
    row,
    event: event(input.at, 'conversation.messages', conversationId, { seqs: [nextSeq], roles: ['customer'] }),
  };
}

/** The turn that sets the owner, or null when it already is the owner. */
export function ownerTurn(
  current: ConversationRow,
  input: SetConversationOwnerInput,
): RecordTurnInput | null {
  if (current.owner === input.owner) return null;
  return {
    conversationId: current.id,
    expectedRevision: Number(current.revision),
    messages: [],
    owner: input.owner,
    by: input.by,
    at: input.at,
  };
}

/** The turn that closes the conversation, or null when it is closed already. */
export function closeTurn(current: ConversationRow, input: CloseConversationInput): RecordTurnInput | null {
  if (current.status === 'closed') return null;
  return {
    conversationId: current.id,
    expectedRevision: Number(current.revision),
    messages: [],
    status: 'closed',
    by: input.by,
    at: input.at,
  };
}

/**
 * A change made outside a turn (a channel's signal, an agent's line seen in the helpdesk, a delivery record), or
 * null when it changes nothing: no line, event or job, and the owner and status are already those asked for.
 */
export function changeTurn(current: ConversationRow, input: ChangeConversationInput): RecordTurnInput | null {
  const owner = input.owner !== undefined && input.owner !== current.owner ? input.owner : undefined;
  const status = input.status !== undefined && input.status !== current.status ? input.status : undefined;
  const messages = input.messages ?? [];
  const events = input.events ?? [];
  const jobs = input.jobs ?? [];
  if (!owner && !status && messages.length === 0 && events.length === 0 && jobs.length === 0) return null;
  return {
    conversationId: current.id,
    expectedRevision: input.expectedRevision ?? Number(current.revision),
    messages,
    ...(owner ? { owner } : {}),
    ...(status ? { status } : {}),
    ...(events.length > 0 ? { events } : {}),
    ...(jobs.length > 0 ? { jobs } : {}),
    ...(input.completes ? { completes: input.completes } : {}),
    by: input.by,
    at: input.at,
  };
}

export function event(
  at: number,
  type: string,
  conversationId: string | null,
  payload: Record<string, unknown>,
): EventRow {
  return { at, type, ticket_id: null, conversation_id: conversationId, payload: JSON.stringify(payload) };
}
