import { blankTicket, type Message, type TicketRecord } from '../domain/index.ts';

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
