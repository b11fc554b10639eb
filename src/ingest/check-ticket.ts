import type { TicketRecord } from '../domain/index.ts';

/**
 * What the runner does to every imported ticket, whatever its format, before it is stored: messages in time
 * order, and a warning for each contradiction that is kept rather than rejected. The ticket is returned as it
 * came when there is nothing to say; otherwise a copy.
 * - Messages dated before the ticket was created: kept, sorted by time (ties keep the export's order).
 * - A resolution or close time on a ticket that is not resolved or closed: kept as the export gave it, but it
 *   gives no resolution time (deriveTicketFigures), and the contradiction is a warning.
 *
 * @example
 * checkTicket(openTicketWithResolvedAt).warnings;
 * // ['status is open but the export gives a resolution time (resolved at 2024-01-01T15:00:00.000Z): no resolution time counted']
 */
export function checkTicket(ticket: TicketRecord): { ticket: TicketRecord; warnings: string[] } {
  const warnings: string[] = [];
  let messages = ticket.messages;
  const early = messages.filter((m) => m.createdAt < ticket.createdAt).length;
  if (early > 0) {
    warnings.push(
      `${early === 1 ? '1 message is' : `${early} messages are`} dated before the ticket was created (${iso(ticket.createdAt)}): kept, in time order`,
    );
  }
  if (messages.some((m, i) => i > 0 && m.createdAt < messages[i - 1]!.createdAt)) {
    messages = [...messages].sort((a, b) => a.createdAt - b.createdAt);
  }
  const done = ticket.status === 'resolved' || ticket.status === 'closed';
  const stamp = ticket.resolvedAt !== null ? 'resolved' : ticket.closedAt !== null ? 'closed' : null;
  if (!done && stamp) {
    const at = (stamp === 'resolved' ? ticket.resolvedAt : ticket.closedAt) as number;
    const status =
      ticket.statusRaw && ticket.statusRaw !== ticket.status
        ? `${ticket.status} ("${ticket.statusRaw}")`
        : ticket.status;
    warnings.push(
      `status is ${status} but the export gives a resolution time (${stamp} at ${iso(at)}): no resolution time counted`,
    );
  }
  return { ticket: messages === ticket.messages ? ticket : { ...ticket, messages }, warnings };
}

const iso = (ms: number) => new Date(ms).toISOString();
