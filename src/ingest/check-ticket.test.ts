import { describe, expect, it } from 'vitest';
import { blankTicket, type Message, type TicketRecord } from '../domain/index.ts';
import { checkTicket } from './check-ticket.ts';

const T0 = Date.UTC(2024, 0, 1, 10, 0, 0);
const MIN = 60_000;

const message = (body: string, atMinutes: number): Message => ({
  externalId: body,
  authorRole: 'customer',
  authorId: null,
  body,
  createdAt: T0 + atMinutes * MIN,
  public: true,
});

const ticket = (overrides: Partial<TicketRecord>): TicketRecord => ({
  ...blankTicket('test', '1', T0),
  ...overrides,
});

describe('checkTicket', () => {
  it('returns the same ticket and no warning when nothing is wrong', () => {
    const t = ticket({
      status: 'resolved',
      resolvedAt: T0 + 60 * MIN,
      messages: [message('a', 0), message('b', 5)],
    });
    const checked = checkTicket(t);
    expect(checked.ticket).toBe(t);
    expect(checked.warnings).toEqual([]);
  });

  it('warns about messages dated before the ticket and keeps every message, in time order', () => {
    const t = ticket({
      messages: [
        message('opening', 0),
        message('later', 30),
        message('earlier', -90),
        message('first', -120),
      ],
    });
    const checked = checkTicket(t);
    expect(checked.ticket.messages.map((m) => m.body)).toEqual(['first', 'earlier', 'opening', 'later']);
    expect(checked.warnings).toEqual([
      '2 messages are dated before the ticket was created (2024-01-01T10:00:00.000Z): kept, in time order',
    ]);
    // The record it was given is left as it was.
    expect(t.messages.map((m) => m.body)).toEqual(['opening', 'later', 'earlier', 'first']);
  });

  it('sorts messages that are out of order without a warning when none predates the ticket', () => {
    const checked = checkTicket(ticket({ messages: [message('b', 10), message('a', 5), message('a2', 5)] }));
    expect(checked.ticket.messages.map((m) => m.body)).toEqual(['a', 'a2', 'b']);
    expect(checked.warnings).toEqual([]);
  });

  it('warns when a ticket that is not resolved or closed has a resolution or close time', () => {
    const open = checkTicket(ticket({ status: 'open', statusRaw: 'Open', resolvedAt: T0 + 300 * MIN }));
    expect(open.warnings).toEqual([
      'status is open ("Open") but the export gives a resolution time (resolved at 2024-01-01T15:00:00.000Z): no resolution time counted',
    ]);
    expect(open.ticket.resolvedAt).toBe(T0 + 300 * MIN);
    const pending = checkTicket(ticket({ status: 'pending', closedAt: T0 + 60 * MIN }));
    expect(pending.warnings).toEqual([
      'status is pending but the export gives a resolution time (closed at 2024-01-01T11:00:00.000Z): no resolution time counted',
    ]);
    expect(checkTicket(ticket({ status: 'closed', closedAt: T0 + 60 * MIN })).warnings).toEqual([]);
  });
});
