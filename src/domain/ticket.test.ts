import { describe, expect, it } from 'vitest';
import {
  blankTicket,
  deriveTicketFigures,
  isAgentStarted,
  type Message,
  type TicketRecord,
} from './ticket.ts';

const T0 = Date.UTC(2024, 0, 1, 10, 0, 0);
const MIN = 60_000;

const says = (
  authorRole: Message['authorRole'],
  atMinutes: number,
  extra: Partial<Message> = {},
): Message => ({
  externalId: null,
  authorRole,
  authorId: authorRole === 'customer' ? '100' : '200',
  body: `${authorRole} at +${atMinutes} min`,
  createdAt: T0 + atMinutes * MIN,
  public: true,
  ...extra,
});

const ticket = (overrides: Partial<TicketRecord>): TicketRecord => ({
  ...blankTicket('test', '1', T0),
  ...overrides,
});

describe('deriveTicketFigures: first response', () => {
  it('times a customer-started ticket from its opening to the first public agent or bot message', () => {
    const t = ticket({
      messages: [
        says('customer', 0),
        says('agent', 5, { public: false }),
        says('bot', 12),
        says('agent', 20),
      ],
    });
    expect(deriveTicketFigures(t)).toMatchObject({
      agentStarted: false,
      firstResponseAt: T0 + 12 * MIN,
      firstResponseSeconds: 12 * 60,
    });
  });

  it('gives a phone call logged by an agent no first response (Zendesk: submitter is not the requester)', () => {
    // The example: the description is the only comment, written by the agent who took the call.
    const call = ticket({ subject: 'Phone call', messages: [says('agent', 0, { body: 'Customer called' })] });
    expect(deriveTicketFigures(call)).toMatchObject({
      agentStarted: true,
      firstResponseAt: null,
      firstResponseSeconds: null,
    });
    // The same when the importer says who started it and the description was filed under the requester.
    const stated = ticket({
      startedBy: 'agent',
      messages: [says('customer', 0, { body: 'Customer called' })],
    });
    expect(deriveTicketFigures(stated).firstResponseSeconds).toBeNull();
  });

  it('gives an outbound email no first response until the customer writes', () => {
    const outbound = ticket({
      startedBy: 'agent',
      messages: [says('agent', 0, { body: 'Your subscription renews next week' }), says('agent', 60)],
    });
    expect(deriveTicketFigures(outbound)).toMatchObject({ agentStarted: true, firstResponseSeconds: null });
  });

  it("times an agent-started ticket the customer answered from the customer's first message", () => {
    const t = ticket({
      messages: [says('agent', 0), says('customer', 120), says('agent', 150), says('customer', 200)],
    });
    expect(deriveTicketFigures(t)).toMatchObject({
      agentStarted: true,
      firstResponseAt: T0 + 150 * MIN,
      firstResponseSeconds: 30 * 60,
    });
  });

  it('keeps what the export states: a time, or "none" (deriveFirstResponse false)', () => {
    const statedTime = ticket({
      startedBy: 'agent',
      firstResponseAt: T0 + 45 * MIN,
      messages: [says('agent', 0), says('customer', 10), says('agent', 12)],
    });
    expect(deriveTicketFigures(statedTime)).toMatchObject({
      firstResponseAt: T0 + 45 * MIN,
      firstResponseSeconds: 45 * 60,
    });
    const statedNull = ticket({
      deriveFirstResponse: false,
      messages: [says('customer', 0), says('agent', 5)],
    });
    expect(deriveTicketFigures(statedNull)).toMatchObject({
      firstResponseAt: null,
      firstResponseSeconds: null,
    });
  });
});

describe('isAgentStarted', () => {
  it("takes the export's word first, else the author of the earliest message whatever the array order", () => {
    expect(isAgentStarted(ticket({ startedBy: 'customer', messages: [says('agent', 0)] }))).toBe(false);
    expect(isAgentStarted(ticket({ startedBy: 'agent', messages: [says('customer', 0)] }))).toBe(true);
    expect(isAgentStarted(ticket({ messages: [says('customer', 5), says('bot', 0)] }))).toBe(true);
    expect(isAgentStarted(ticket({ messages: [says('agent', 5), says('customer', 0)] }))).toBe(false);
    expect(isAgentStarted(ticket({ messages: [] }))).toBe(false);
  });
});

describe('deriveTicketFigures: resolution', () => {
  it('gives a ticket that is not resolved or closed no resolution time, whatever its time stamps say', () => {
    const resolvedAt = T0 + 300 * MIN;
    for (const status of ['new', 'open', 'pending', 'other'] as const) {
      expect(deriveTicketFigures(ticket({ status, resolvedAt })).resolutionSeconds).toBeNull();
    }
    expect(deriveTicketFigures(ticket({ status: 'resolved', resolvedAt })).resolutionSeconds).toBe(18_000);
    expect(deriveTicketFigures(ticket({ status: 'closed', closedAt: resolvedAt })).resolutionSeconds).toBe(
      18_000,
    );
  });
});
