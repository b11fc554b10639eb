import {
  blankTicket,
  type CustomerProfile,
  type Message,
  type TicketRecord,
  type TurnAnalysis,
} from '../domain/index.ts';

/** Test data builders: a ticket with sensible defaults, overridden field by field. */
export const T0 = Date.UTC(2026, 2, 2, 9, 0, 0);

export function aMessage(overrides: Partial<Message> = {}): Message {
  return {
    externalId: null,
    authorRole: 'customer',
    authorId: 'c1',
    body: 'I cannot log in to my account',
    createdAt: T0,
    public: true,
    ...overrides,
  };
}

export function aTicket(overrides: Partial<TicketRecord> = {}): TicketRecord {
  const base = blankTicket('test', '1', T0);
  return {
    ...base,
    subject: 'Login problem',
    channel: 'email',
    status: 'resolved',
    statusRaw: 'solved',
    priority: 'normal',
    tags: ['login'],
    category: 'password_reset',
    assignee: 'Ana',
    resolvedAt: T0 + 3_600_000,
    csatScore: 1,
    csatRaw: '5',
    customer: { externalId: 'c1', email: 'c1@example.com', name: 'Cai One', segment: 'pro', attributes: {} },
    messages: [
      aMessage(),
      aMessage({
        authorRole: 'agent',
        authorId: 'ana',
        body: 'Here is a reset link.',
        createdAt: T0 + 600_000,
      }),
    ],
    ...overrides,
  };
}

export function aCustomerProfile(overrides: Partial<CustomerProfile> = {}): CustomerProfile {
  return {
    id: 'cust-1',
    name: 'Zoë Ångström',
    email: 'zoe@example.com',
    segment: 'pro',
    plan: 'annual',
    attributes: { orders: 3, vip: false },
    ...overrides,
  };
}

export function anAnalysis(text: string, overrides: Partial<TurnAnalysis> = {}): TurnAnalysis {
  return {
    text,
    intent: 'order_status',
    confidence: 0.91,
    outOfScope: false,
    reason: 'accepted',
    entities: [{ type: 'order_number', value: 'A-1001', start: 10, end: 16 }],
    sentiment: { score: -0.2, label: 'neutral', frustration: 0.1, cues: [] },
    humanRequested: false,
    exclusions: [],
    ...overrides,
  };
}

/**
 * A workflow state as the engine writes it (the shape of workflows/state.ts, kept as plain JSON here because the
 * store treats state as opaque): nested objects, nulls, unicode.
 */
export function aWorkflowState(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    version: 1,
    workflowId: 'order-status',
    workflowVersion: 2,
    conversationId: 'conv-1',
    status: 'awaiting_input',
    stepId: 'ask_order',
    slots: { order_number: 'A-1001', note: 'déjà vu \u4e2d\u{1F600} "quoted"' },
    vars: { orders: [{ id: 'A-1001', total: 12.5 }] },
    customer: { name: 'Zoë', attributes: {} },
    channel: 'chat',
    intent: 'order_status',
    entities: [],
    lastMessage: 'where is my order?',
    attempts: { ask_order: 1 },
    pendingCallId: null,
    callCount: 0,
    answer: null,
    trail: [{ stepId: 'ask_order', type: 'ask', outcome: 'asked', at: T0 }],
    calls: [],
    turns: 1,
    lastProgressTurn: 1,
    outcome: null,
    startedAt: T0,
    updatedAt: T0,
    ...overrides,
  };
}
