import { OperationalError, UserError } from '../shared/index.ts';
import type { ConversationMessageRow, ConversationRow, EventRow, HandoffRow } from './rows.ts';
import type {
  CloseConversationInput,
  CreateConversationInput,
  RecordTurnInput,
  SetConversationOwnerInput,
} from './store.ts';

/**
 * What a conversation write stores, decided once for both implementations; they only differ in how they lock
 * the row and run the statements. Order of the writes: messages, handoff, events, conversation row.
 */
export interface TurnPlan {
  messages: ConversationMessageRow[];
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
    },
    event: event(input.at, 'conversation.started', input.id, { channel: input.channel }),
  };
}

export function conversationExists(id: string): UserError {
  return new UserError('conversation.exists', `conversation ${JSON.stringify(id)} already exists`, {
    field: 'id',
  });
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
    }),
  );
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
  return { messages, handoff, events, update };
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

function event(at: number, type: string, conversationId: string, payload: Record<string, unknown>): EventRow {
  return { at, type, ticket_id: null, conversation_id: conversationId, payload: JSON.stringify(payload) };
}
