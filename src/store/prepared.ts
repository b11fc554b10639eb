import { blankTicket, type TicketRecord, ticketContentHash } from '../domain/index.ts';
import {
  type CustomerRow,
  customerKey,
  customerRow,
  type MessageRow,
  type TicketRow,
  ticketRow,
} from './rows.ts';
import type { PreparedTicket } from './store.ts';

export const TICKET_COLUMNS = Object.keys(
  ticketRow(blankTicket('x', 'x', 0), null, ''),
) as (keyof TicketRow)[];
export const CUSTOMER_ID_SLOT = TICKET_COLUMNS.indexOf('customer_id');
export const CUSTOMER_COLUMNS = [
  'source',
  'customer_key',
  'external_id',
  'email',
  'name',
  'segment',
  'attributes',
] as const satisfies readonly (keyof CustomerRow)[];
export const MESSAGE_COLUMNS = [
  'seq',
  'external_id',
  'author_role',
  'author_id',
  'body',
  'created_at',
  'public',
] as const satisfies readonly Exclude<keyof MessageRow, 'ticket_id'>[];

/** The store's column values of a ticket: see `PreparedTicket` (store.ts). */
export function prepareTicket(ticket: TicketRecord): PreparedTicket {
  const hash = ticketContentHash(ticket);
  const key = customerKey(ticket.customer);
  let customer: unknown[] | null = null;
  if (ticket.customer && key !== null) {
    const c = customerRow(ticket.source, ticket.customer, key);
    customer = [c.source, c.customer_key, c.external_id, c.email, c.name, c.segment, c.attributes];
  }
  const row = ticketRow(ticket, null, hash);
  const values = new Array<unknown>(TICKET_COLUMNS.length);
  for (let i = 0; i < TICKET_COLUMNS.length; i++) values[i] = row[TICKET_COLUMNS[i] as keyof TicketRow];
  const messages = new Array<unknown>(ticket.messages.length * MESSAGE_COLUMNS.length);
  let k = 0;
  ticket.messages.forEach((m, seq) => {
    messages[k++] = seq;
    messages[k++] = m.externalId;
    messages[k++] = m.authorRole;
    messages[k++] = m.authorId;
    messages[k++] = m.body;
    messages[k++] = m.createdAt;
    messages[k++] = m.public ? 1 : 0;
  });
  return {
    source: ticket.source,
    externalId: ticket.externalId,
    hash,
    updatedAt: ticket.updatedAt,
    customer,
    ticket: values,
    messages,
  };
}

/** True when both times are known and the first is earlier: that version is older and loses. */
export const isOlder = (updatedAt: number | null, than: number | null): boolean =>
  updatedAt !== null && than !== null && updatedAt < than;

/**
 * One version per ticket of a batch: the newest by updatedAt, the later one when they tie or either is unknown.
 * The others are counted: `older` when their updatedAt is earlier, `repeated` otherwise.
 */
export function newestVersions(tickets: readonly PreparedTicket[]): {
  tickets: PreparedTicket[];
  older: number;
  repeated: number;
} {
  const newest = new Map<string, PreparedTicket>();
  let older = 0;
  let repeated = 0;
  for (const ticket of tickets) {
    const key = `${ticket.source}\u0000${ticket.externalId}`;
    const kept = newest.get(key);
    if (kept && isOlder(ticket.updatedAt, kept.updatedAt)) {
      older++;
      continue;
    }
    if (kept) {
      if (isOlder(kept.updatedAt, ticket.updatedAt)) older++;
      else repeated++;
    }
    newest.set(key, ticket);
  }
  return { tickets: [...newest.values()], older, repeated };
}

/** The prepared values back as rows, for the store that writes through Kysely objects (PostgreSQL). */
export function preparedTicketRow(prepared: PreparedTicket, customerId: number | null): TicketRow {
  const row: Record<string, unknown> = {};
  TICKET_COLUMNS.forEach((column, i) => {
    row[column] = prepared.ticket[i];
  });
  row.customer_id = customerId;
  return row as unknown as TicketRow;
}

export function preparedCustomerRow(prepared: PreparedTicket): CustomerRow | null {
  const c = prepared.customer;
  if (!c) return null;
  const row: Record<string, unknown> = {};
  CUSTOMER_COLUMNS.forEach((column, i) => {
    row[column] = c[i];
  });
  return row as unknown as CustomerRow;
}

export function preparedMessageRows(prepared: PreparedTicket, ticketId: number): MessageRow[] {
  const rows: MessageRow[] = [];
  const width = MESSAGE_COLUMNS.length;
  for (let i = 0; i < prepared.messages.length; i += width) {
    const row: Record<string, unknown> = { ticket_id: ticketId };
    MESSAGE_COLUMNS.forEach((column, j) => {
      row[column] = prepared.messages[i + j];
    });
    rows.push(row as unknown as MessageRow);
  }
  return rows;
}
