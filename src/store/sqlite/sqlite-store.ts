import Database from 'better-sqlite3';
import { Kysely, Migrator, SqliteDialect } from 'kysely';
import type { TicketRecord } from '../../domain/index.ts';
import { type Clock, OperationalError, systemClock } from '../../shared/index.ts';
import { migrationProvider } from '../migrations.ts';
import * as queries from '../queries.ts';
import { customerKey, customerRow, messageRows, ticketHash, ticketRow } from '../rows.ts';
import type { Database as Schema } from '../schema.ts';
import type { Store, UpsertContext, UpsertResult } from '../store.ts';

export interface SqliteStoreOptions {
  /** A file path, or `:memory:` for tests. */
  path: string;
  clock?: Clock;
}

/**
 * The embedded store: one SQLite file in WAL mode. Reads go through the shared Kysely queries; the import hot
 * path uses prepared statements directly, since one statement per row is what SQLite is fast at.
 */
export async function openSqliteStore({ path, clock = systemClock }: SqliteStoreOptions): Promise<Store> {
  let raw: Database.Database;
  try {
    raw = new Database(path);
  } catch (cause) {
    throw new OperationalError(
      'store.open_failed',
      `cannot open the SQLite database ${path}`,
      { file: path },
      { cause },
    );
  }
  raw.pragma('journal_mode = WAL');
  raw.pragma('synchronous = NORMAL');
  raw.pragma('foreign_keys = ON');
  raw.pragma('busy_timeout = 5000');
  const db = new Kysely<Schema>({ dialect: new SqliteDialect({ database: raw }) });
  const { error } = await new Migrator({ db, provider: migrationProvider('sqlite') }).migrateToLatest();
  if (error) {
    await db.destroy();
    throw new OperationalError(
      'store.migration_failed',
      `migrating ${path} failed`,
      { file: path },
      { cause: error },
    );
  }

  const findTicket = raw.prepare<[string, string], { id: number; content_hash: string }>(
    'select id, content_hash from tickets where source = ? and external_id = ?',
  );
  const upsertCustomer = raw.prepare<Record<string, unknown>, { id: number }>(
    `insert into customers (source, customer_key, external_id, email, name, segment, attributes)
     values (@source, @customer_key, @external_id, @email, @name, @segment, @attributes)
     on conflict (source, customer_key) do update set
       external_id = coalesce(excluded.external_id, external_id),
       email = coalesce(excluded.email, email),
       name = coalesce(excluded.name, name),
       segment = coalesce(excluded.segment, segment),
       attributes = excluded.attributes
     returning id`,
  );
  const ticketColumns = [
    'source',
    'external_id',
    'customer_id',
    'subject',
    'channel',
    'status',
    'status_raw',
    'priority',
    'tags',
    'category',
    'assignee',
    'group_name',
    'created_at',
    'updated_at',
    'first_response_at',
    'resolved_at',
    'closed_at',
    'csat_score',
    'csat_raw',
    'handle_time_seconds',
    'reopens',
    'custom_fields',
    'first_response_seconds',
    'resolution_seconds',
    'customer_message_count',
    'agent_message_count',
    'content_hash',
  ];
  const insertTicket = raw.prepare(
    `insert into tickets (${ticketColumns.join(', ')}) values (${ticketColumns.map((c) => `@${c}`).join(', ')})`,
  );
  const updateTicket = raw.prepare(
    `update tickets set ${ticketColumns.map((c) => `${c} = @${c}`).join(', ')} where id = @id`,
  );
  const deleteMessages = raw.prepare('delete from messages where ticket_id = ?');
  const insertMessage = raw.prepare(
    `insert into messages (ticket_id, seq, external_id, author_role, author_id, body, created_at, public)
     values (@ticket_id, @seq, @external_id, @author_role, @author_id, @body, @created_at, @public)`,
  );
  const insertEvent = raw.prepare('insert into events (at, type, ticket_id, payload) values (?, ?, ?, ?)');

  const upsertOne = (ticket: TicketRecord, origin: string, at: number, result: UpsertResult) => {
    const hash = ticketHash(ticket);
    const existing = findTicket.get(ticket.source, ticket.externalId);
    if (existing && existing.content_hash === hash) {
      result.unchanged++;
      return;
    }
    const key = customerKey(ticket.customer);
    const customerId =
      ticket.customer && key !== null
        ? upsertCustomer.get(customerRow(ticket.source, ticket.customer, key))!.id
        : null;
    const row = ticketRow(ticket, customerId, hash);
    let ticketId: number;
    if (existing) {
      ticketId = existing.id;
      updateTicket.run({ ...row, id: ticketId });
      deleteMessages.run(ticketId);
      result.updated++;
    } else {
      ticketId = Number(insertTicket.run(row).lastInsertRowid);
      result.inserted++;
    }
    for (const m of messageRows(ticket, ticketId)) insertMessage.run(m);
    const payload = JSON.stringify({ origin, source: ticket.source, externalId: ticket.externalId });
    insertEvent.run(at, existing ? 'ticket.updated' : 'ticket.imported', ticketId, payload);
  };

  const upsertBatch = raw.transaction((tickets: readonly TicketRecord[], context: UpsertContext) => {
    const result: UpsertResult = { inserted: 0, updated: 0, unchanged: 0 };
    const at = clock.now();
    for (const ticket of tickets) upsertOne(ticket, context.origin, at, result);
    return result;
  });

  return {
    capabilities: { dialect: 'sqlite', concurrentWriters: false, location: path },
    upsertTickets: async (tickets, context) => upsertBatch(tickets, context),
    getTicket: (source, externalId) => queries.getTicket(db, source, externalId),
    listTickets: (query) => queries.listTickets(db, query),
    listEvents: (query) => queries.listEvents(db, query),
    stats: () => queries.stats(db),
    close: () => db.destroy(),
  };
}
