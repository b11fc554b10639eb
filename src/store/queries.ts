import type { Kysely } from 'kysely';
import { quantile } from '../shared/index.ts';
import { storedEvent, storedMessage, storedTicket, type TicketSelectRow } from './rows.ts';
import type { Database } from './schema.ts';
import type { Percentiles, StoredEvent, StoredTicket, StoreStats, TicketQuery } from './store.ts';

/**
 * Read queries written once in Kysely and shared by both implementations. Writes are per implementation,
 * because the fast path differs (prepared statements on SQLite, multi-row statements on PostgreSQL).
 */
function ticketSelect(db: Kysely<Database>) {
  return db
    .selectFrom('tickets as t')
    .leftJoin('customers as c', 'c.id', 't.customer_id')
    .selectAll('t')
    .select([
      'c.id as c_id',
      'c.source as c_source',
      'c.external_id as c_external_id',
      'c.email as c_email',
      'c.name as c_name',
      'c.segment as c_segment',
      'c.attributes as c_attributes',
    ]);
}

async function attachMessages(db: Kysely<Database>, tickets: StoredTicket[]): Promise<void> {
  if (tickets.length === 0) return;
  const byId = new Map(tickets.map((t) => [t.id, t]));
  for (const t of tickets) t.messages = [];
  const rows = await db
    .selectFrom('messages')
    .selectAll()
    .where(
      'ticket_id',
      'in',
      tickets.map((t) => t.id),
    )
    .orderBy('ticket_id')
    .orderBy('seq')
    .execute();
  for (const row of rows) byId.get(Number(row.ticket_id))?.messages?.push(storedMessage(row));
}

export async function getTicket(
  db: Kysely<Database>,
  source: string,
  externalId: string,
): Promise<StoredTicket | undefined> {
  const row = await ticketSelect(db)
    .where('t.source', '=', source)
    .where('t.external_id', '=', externalId)
    .executeTakeFirst();
  if (!row) return undefined;
  const ticket = storedTicket(row as TicketSelectRow);
  await attachMessages(db, [ticket]);
  return ticket;
}

export async function listTickets(db: Kysely<Database>, query: TicketQuery): Promise<StoredTicket[]> {
  let q = ticketSelect(db)
    .where('t.id', '>', query.afterId ?? 0)
    .orderBy('t.id')
    .limit(query.limit);
  if (query.source !== undefined) q = q.where('t.source', '=', query.source);
  if (query.createdFrom !== undefined) q = q.where('t.created_at', '>=', query.createdFrom);
  if (query.createdTo !== undefined) q = q.where('t.created_at', '<', query.createdTo);
  const tickets = (await q.execute()).map((row) => storedTicket(row as TicketSelectRow));
  if (query.withMessages) await attachMessages(db, tickets);
  return tickets;
}

export async function listEvents(
  db: Kysely<Database>,
  query: { afterId?: number; limit: number; type?: string },
): Promise<StoredEvent[]> {
  let q = db
    .selectFrom('events')
    .selectAll()
    .where('id', '>', query.afterId ?? 0)
    .orderBy('id')
    .limit(query.limit);
  if (query.type !== undefined) q = q.where('type', '=', query.type);
  return (await q.execute()).map(storedEvent);
}

async function percentiles(
  db: Kysely<Database>,
  column: 'first_response_seconds' | 'resolution_seconds',
): Promise<Percentiles> {
  const rows = await db
    .selectFrom('tickets')
    .select(column)
    .where(column, 'is not', null)
    .orderBy(column)
    .execute();
  const values = Float64Array.from(rows, (r) => Number(r[column]));
  return { median: quantile(values, 0.5), p90: quantile(values, 0.9) };
}

async function countRows(db: Kysely<Database>, table: 'tickets' | 'messages' | 'customers' | 'events') {
  const row = await db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function stats(db: Kysely<Database>): Promise<StoreStats> {
  const grouped = async (column: 'source' | 'status') => {
    const rows = await db
      .selectFrom('tickets')
      .select([column, (eb) => eb.fn.countAll().as('n')])
      .groupBy(column)
      .orderBy(column)
      .execute();
    return Object.fromEntries(rows.map((r) => [r[column], Number(r.n)]));
  };
  return {
    tickets: await countRows(db, 'tickets'),
    messages: await countRows(db, 'messages'),
    customers: await countRows(db, 'customers'),
    events: await countRows(db, 'events'),
    bySource: await grouped('source'),
    byStatus: await grouped('status'),
    firstResponseSeconds: await percentiles(db, 'first_response_seconds'),
    resolutionSeconds: await percentiles(db, 'resolution_seconds'),
  };
}
