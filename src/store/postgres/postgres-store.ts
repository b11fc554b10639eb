import { Kysely, PostgresDialect, sql, type Transaction } from 'kysely';
import pg from 'pg';
import { type Clock, OperationalError, systemClock } from '../../shared/index.ts';
import { migrator } from '../migrations.ts';
import {
  closeTurn,
  conversationExists,
  conversationNotFound,
  newConversation,
  ownerTurn,
  planTurn,
} from '../plan-turn.ts';
import { preparedCustomerRow, preparedMessageRows, preparedTicketRow, prepareTicket } from '../prepared.ts';
import * as queries from '../queries.ts';
import { type ConversationRow, type CustomerRow, storedConversation, type TicketRow } from '../rows.ts';
import type { Database as Schema } from '../schema.ts';
import type {
  CreateConversationInput,
  PreparedTicket,
  RecordTurnInput,
  Store,
  StoredConversation,
  UpsertContext,
  UpsertResult,
} from '../store.ts';

export interface PostgresStoreOptions {
  /** `postgres://user@host:port/db`. */
  url: string;
  /** Put every table in this schema (created if missing); tests use one schema per run. */
  schema?: string;
  poolSize?: number;
  clock?: Clock;
}

// 64-bit integers (ids, epoch milliseconds) come back as JS numbers: every value we store fits in 2^53.
const INT8 = 20;
const typeParsers = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8
      ? (v: string) => Number(v)
      : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
};

/** Several statements per batch instead of one per row: the network round trip is what costs here. */
const CHUNK_ROWS = 1000;

/**
 * The server store: PostgreSQL through `pg`, for several processes sharing one database. Imports take a
 * transaction-scoped advisory lock, so two importers never race on the same external id.
 */
export async function openPostgresStore({
  url,
  schema,
  poolSize = 10,
  clock = systemClock,
}: PostgresStoreOptions): Promise<Store> {
  const pool = new pg.Pool({
    connectionString: url,
    max: poolSize,
    types: typeParsers,
    ...(schema ? { options: `-c search_path=${quoteIdent(schema)}` } : {}),
  });
  const db = new Kysely<Schema>({ dialect: new PostgresDialect({ pool }) });
  const location = redactUrl(url) + (schema ? ` (schema ${schema})` : '');
  try {
    if (schema) await sql`create schema if not exists ${sql.id(schema)}`.execute(db);
    const { error } = await migrator(db, 'postgres', schema).migrateToLatest();
    if (error) throw error;
  } catch (cause) {
    await db.destroy();
    throw new OperationalError('store.open_failed', `cannot open PostgreSQL at ${location}`, undefined, {
      cause,
    });
  }

  const upsertPrepared = (tickets: readonly PreparedTicket[], context: UpsertContext) =>
    db.transaction().execute(async (trx) => {
      await sql`select pg_advisory_xact_lock(hashtext('switchboard.tickets.upsert'))`.execute(trx);
      return upsertBatch(trx, tickets, context, clock.now());
    });

  return {
    capabilities: { dialect: 'postgres', concurrentWriters: true, location },
    upsertTickets: async (tickets, context) =>
      tickets.length === 0
        ? { inserted: 0, updated: 0, unchanged: 0 }
        : upsertPrepared(tickets.map(prepareTicket), context),
    upsertPreparedTickets: async (tickets, context) =>
      tickets.length === 0 ? { inserted: 0, updated: 0, unchanged: 0 } : upsertPrepared(tickets, context),
    getTicket: (source, externalId) => queries.getTicket(db, source, externalId),
    listTickets: (query) => queries.listTickets(db, query),
    listEvents: (query) => queries.listEvents(db, query),
    createConversation: (input) => createConversation(db, input),
    getConversation: (id) => queries.getConversation(db, id),
    findConversation: (id) => queries.findConversation(db, id),
    recordTurn: (input) => conversationTurn(db, input.conversationId, () => input),
    setConversationOwner: (input) =>
      conversationTurn(db, input.conversationId, (current) => ownerTurn(current, input)),
    closeConversation: (input) =>
      conversationTurn(db, input.conversationId, (current) => closeTurn(current, input)),
    listConversations: (query) => queries.listConversations(db, query),
    listHandoffs: (query) => queries.listHandoffs(db, query),
    stats: () => queries.stats(db),
    close: () => db.destroy(),
  };
}

function createConversation(db: Kysely<Schema>, input: CreateConversationInput): Promise<StoredConversation> {
  return db.transaction().execute(async (trx) => {
    const { row, event } = newConversation(input);
    const inserted = await trx
      .insertInto('conversations')
      .values(row)
      .onConflict((oc) => oc.column('id').doNothing())
      .returning('id')
      .executeTakeFirst();
    if (!inserted) throw conversationExists(input.id);
    await trx.insertInto('events').values(event).execute();
    return storedConversation(row);
  });
}

/**
 * One conversation write. `select ... for update` holds the row until commit, so of two processes handling the
 * same conversation the second reads the first one's revision and gets a conflict.
 */
function conversationTurn(
  db: Kysely<Schema>,
  conversationId: string,
  decide: (current: ConversationRow) => RecordTurnInput | null,
): Promise<StoredConversation> {
  return db.transaction().execute(async (trx) => {
    const current = await trx
      .selectFrom('conversations')
      .selectAll()
      .where('id', '=', conversationId)
      .forUpdate()
      .executeTakeFirst();
    if (!current) throw conversationNotFound(conversationId);
    const input = decide(current);
    if (!input) return storedConversation(current);
    const { next } = await trx
      .selectFrom('conversation_messages')
      .select((eb) => eb.fn.coalesce(eb(eb.fn.max('seq'), '+', 1), eb.lit(0)).as('next'))
      .where('conversation_id', '=', conversationId)
      .executeTakeFirstOrThrow();
    const plan = planTurn(current, input, Number(next));
    for (const part of chunks(plan.messages, CHUNK_ROWS)) {
      await trx.insertInto('conversation_messages').values(part).execute();
    }
    let handoffId: number | null = null;
    if (plan.handoff) {
      const { id } = await trx
        .insertInto('handoffs')
        .values(plan.handoff)
        .returning('id')
        .executeTakeFirstOrThrow();
      handoffId = id;
    }
    const events = plan.events(handoffId);
    for (const part of chunks(events, CHUNK_ROWS)) await trx.insertInto('events').values(part).execute();
    await trx.updateTable('conversations').set(plan.update).where('id', '=', conversationId).execute();
    return storedConversation({ ...current, ...plan.update });
  });
}

async function upsertBatch(
  trx: Transaction<Schema>,
  input: readonly PreparedTicket[],
  context: UpsertContext,
  at: number,
): Promise<UpsertResult> {
  const { origin } = context;
  const result: UpsertResult = { inserted: 0, updated: 0, unchanged: 0 };
  // A batch may name the same ticket twice; the last version wins, as it would row by row.
  const latest = new Map<string, PreparedTicket>();
  for (const ticket of input) latest.set(`${ticket.source}\u0000${ticket.externalId}`, ticket);
  result.unchanged += input.length - latest.size;
  const tickets = [...latest.values()];

  const existing = new Map<string, { id: number; hash: string }>();
  for (const [source, group] of groupBy(tickets, (t) => t.source)) {
    for (const ids of chunks(
      group.map((t) => t.externalId),
      CHUNK_ROWS,
    )) {
      const rows = await trx
        .selectFrom('tickets')
        .select(['id', 'external_id', 'content_hash'])
        .where('source', '=', source)
        .where('external_id', 'in', ids)
        .execute();
      for (const r of rows)
        existing.set(`${source}\u0000${r.external_id}`, { id: r.id, hash: r.content_hash });
    }
  }

  const changed: { ticket: PreparedTicket; existingId: number | null }[] = [];
  for (const ticket of tickets) {
    const found = existing.get(`${ticket.source}\u0000${ticket.externalId}`);
    if (found && found.hash === ticket.hash) result.unchanged++;
    else changed.push({ ticket, existingId: found?.id ?? null });
  }
  if (changed.length === 0) return result;

  const customerIds = new Map<string, number>();
  const customers = new Map<string, CustomerRow>();
  // Two versions of one customer in a batch merge as they would one after the other (a later null keeps the
  // known value): PostgreSQL cannot update one row twice in a statement.
  for (const { ticket } of changed) {
    const row = preparedCustomerRow(ticket);
    if (!row) continue;
    const key = `${row.source}\u0000${row.customer_key}`;
    const earlier = customers.get(key);
    customers.set(
      key,
      earlier
        ? {
            ...row,
            external_id: row.external_id ?? earlier.external_id,
            email: row.email ?? earlier.email,
            name: row.name ?? earlier.name,
            segment: row.segment ?? earlier.segment,
          }
        : row,
    );
  }
  for (const rows of chunks([...customers.values()], CHUNK_ROWS)) {
    const returned = await trx
      .insertInto('customers')
      .values(rows)
      .onConflict((oc) =>
        oc.columns(['source', 'customer_key']).doUpdateSet((eb) => ({
          external_id: sql`coalesce(${eb.ref('excluded.external_id')}, customers.external_id)`,
          email: sql`coalesce(${eb.ref('excluded.email')}, customers.email)`,
          name: sql`coalesce(${eb.ref('excluded.name')}, customers.name)`,
          segment: sql`coalesce(${eb.ref('excluded.segment')}, customers.segment)`,
          attributes: eb.ref('excluded.attributes'),
        })),
      )
      .returning(['id', 'source', 'customer_key'])
      .execute();
    for (const r of returned) customerIds.set(`${r.source}\u0000${r.customer_key}`, r.id);
  }

  const rowOf = (ticket: PreparedTicket): TicketRow => {
    const c = preparedCustomerRow(ticket);
    const customerId = c === null ? null : (customerIds.get(`${c.source}\u0000${c.customer_key}`) ?? null);
    return preparedTicketRow(ticket, customerId);
  };

  const withIds: { ticket: PreparedTicket; id: number; updated: boolean }[] = [];
  const fresh = changed.filter((c) => c.existingId === null);
  for (const part of chunks(fresh, CHUNK_ROWS)) {
    const returned = await trx
      .insertInto('tickets')
      .values(part.map((c) => rowOf(c.ticket)))
      .returning(['id', 'external_id', 'source'])
      .execute();
    const byKey = new Map(part.map((c) => [`${c.ticket.source}\u0000${c.ticket.externalId}`, c.ticket]));
    for (const r of returned) {
      withIds.push({ ticket: byKey.get(`${r.source}\u0000${r.external_id}`)!, id: r.id, updated: false });
    }
    result.inserted += returned.length;
  }
  const stale = changed.filter((c) => c.existingId !== null);
  for (const c of stale) {
    await trx.updateTable('tickets').set(rowOf(c.ticket)).where('id', '=', c.existingId!).execute();
    withIds.push({ ticket: c.ticket, id: c.existingId!, updated: true });
    result.updated++;
  }
  for (const ids of chunks(
    stale.map((c) => c.existingId!),
    CHUNK_ROWS,
  )) {
    await trx.deleteFrom('messages').where('ticket_id', 'in', ids).execute();
  }

  const messages = withIds.flatMap(({ ticket, id }) => preparedMessageRows(ticket, id));
  for (const part of chunks(messages, CHUNK_ROWS * 3))
    await trx.insertInto('messages').values(part).execute();
  const events = withIds.map(({ ticket, id, updated }) => ({
    at,
    type: updated ? 'ticket.updated' : 'ticket.imported',
    ticket_id: id,
    payload: JSON.stringify({ origin, source: ticket.source, externalId: ticket.externalId }),
  }));
  for (const part of chunks(events, CHUNK_ROWS * 3)) await trx.insertInto('events').values(part).execute();
  return result;
}

function* chunks<T>(items: readonly T[], size: number): Generator<T[]> {
  for (let i = 0; i < items.length; i += size) yield items.slice(i, i + size);
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = groups.get(k);
    if (list) list.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}

function quoteIdent(name: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(name)) {
    throw new OperationalError(
      'store.bad_schema',
      `schema name ${JSON.stringify(name)} is not a plain identifier`,
    );
  }
  return name;
}

/** The URL without its password, for logs. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'postgres://(unparseable url)';
  }
}
