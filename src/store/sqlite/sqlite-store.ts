import Database from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { blankTicket, type TicketRecord, ticketContentHash } from '../../domain/index.ts';
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
import * as queries from '../queries.ts';
import {
  type ConversationRow,
  customerKey,
  customerRow,
  type EventRow,
  messageRows,
  storedConversation,
  type TicketRow,
  ticketRow,
} from '../rows.ts';
import type { Database as Schema } from '../schema.ts';
import type {
  CreateConversationInput,
  RecordTurnInput,
  Store,
  StoredConversation,
  UpsertContext,
  UpsertResult,
} from '../store.ts';

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
  // 16 MB of page cache (the default is 2 MB): the unique indexes' hot pages stay in memory during imports.
  raw.pragma('cache_size = -16384');
  raw.pragma('temp_store = memory');
  // Checkpoint every 4,000 WAL pages (16 MB) instead of 1,000: a checkpoint syncs the files, and conversation
  // turns rewrite the same hot pages, which a longer interval writes back once (bench:engine: p99 4.6 -> 1.4 ms).
  raw.pragma('wal_autocheckpoint = 4000');
  const db = new Kysely<Schema>({ dialect: new SqliteDialect({ database: raw }) });
  const { error } = await migrator(db, 'sqlite').migrateToLatest();
  if (error) {
    await db.destroy();
    throw new OperationalError(
      'store.migration_failed',
      `migrating ${path} failed`,
      { file: path },
      { cause: error },
    );
  }

  // The batch's existing tickets in one query per source, instead of one lookup per ticket.
  const findTickets = raw.prepare<
    [string, string],
    { id: number; external_id: string; content_hash: string }
  >(
    `select id, external_id, content_hash from tickets
     where source = ? and external_id in (select value from json_each(?))`,
  );
  // Positional parameters throughout: better-sqlite3 binds named ones several times slower on wide rows.
  const upsertCustomer = raw.prepare<unknown[], { id: number }>(
    `insert into customers (source, customer_key, external_id, email, name, segment, attributes)
     values (?, ?, ?, ?, ?, ?, ?)
     on conflict (source, customer_key) do update set
       external_id = coalesce(excluded.external_id, external_id),
       email = coalesce(excluded.email, email),
       name = coalesce(excluded.name, name),
       segment = coalesce(excluded.segment, segment),
       attributes = excluded.attributes
     returning id`,
  );
  const ticketColumns = Object.keys(ticketRow(blankTicket('x', 'x', 0), null, '')) as (keyof TicketRow)[];
  const insertTicket = raw.prepare(
    `insert into tickets (${ticketColumns.join(', ')}) values (${ticketColumns.map(() => '?').join(', ')})`,
  );
  const updateTicket = raw.prepare(
    `update tickets set ${ticketColumns.map((c) => `${c} = ?`).join(', ')} where id = ?`,
  );
  const deleteMessages = raw.prepare('delete from messages where ticket_id = ?');
  // Multi-row inserts: one statement per ticket's messages and per hundred events, since each statement
  // call has a fixed cost that dominates at import rates.
  const insertMessages = multiRowInsert(
    raw,
    'messages',
    ['ticket_id', 'seq', 'external_id', 'author_role', 'author_id', 'body', 'created_at', 'public'],
    16,
  );
  const insertEvents = multiRowInsert(raw, 'events', ['at', 'type', 'ticket_id', 'payload'], 100);

  const upsertBatch = raw.transaction((tickets: readonly TicketRecord[], context: UpsertContext) => {
    const result: UpsertResult = { inserted: 0, updated: 0, unchanged: 0 };
    const at = clock.now();
    const existing = new Map<string, { id: number; hash: string }>();
    const bySource = new Map<string, string[]>();
    for (const t of tickets) {
      const ids = bySource.get(t.source);
      if (ids) ids.push(t.externalId);
      else bySource.set(t.source, [t.externalId]);
    }
    for (const [source, ids] of bySource) {
      for (const row of findTickets.all(source, JSON.stringify(ids))) {
        existing.set(`${source}\u0000${row.external_id}`, { id: row.id, hash: row.content_hash });
      }
    }
    // Customers recur within a batch: each distinct version is upserted once. (Per batch, so memory stays flat.)
    const customers = new Map<string, number>();
    const events: unknown[][] = [];
    for (const ticket of tickets) {
      const key = `${ticket.source}\u0000${ticket.externalId}`;
      const hash = ticketContentHash(ticket);
      const found = existing.get(key);
      if (found && found.hash === hash) {
        result.unchanged++;
        continue;
      }
      let customerId: number | null = null;
      const customerKeyValue = customerKey(ticket.customer);
      if (ticket.customer && customerKeyValue !== null) {
        const c = customerRow(ticket.source, ticket.customer, customerKeyValue);
        const values = [c.source, c.customer_key, c.external_id, c.email, c.name, c.segment, c.attributes];
        const rowKey = JSON.stringify(values);
        customerId = customers.get(rowKey) ?? upsertCustomer.get(values)!.id;
        customers.set(rowKey, customerId);
      }
      const row = ticketRow(ticket, customerId, hash);
      const values = ticketColumns.map((c) => row[c]);
      let ticketId: number;
      if (found) {
        ticketId = found.id;
        updateTicket.run([...values, ticketId]);
        deleteMessages.run(ticketId);
        result.updated++;
      } else {
        ticketId = Number(insertTicket.run(values).lastInsertRowid);
        result.inserted++;
      }
      existing.set(key, { id: ticketId, hash });
      insertMessages(
        messageRows(ticket, ticketId).map((m) => [
          m.ticket_id,
          m.seq,
          m.external_id,
          m.author_role,
          m.author_id,
          m.body,
          m.created_at,
          m.public,
        ]),
      );
      const payload = JSON.stringify({
        origin: context.origin,
        source: ticket.source,
        externalId: ticket.externalId,
      });
      events.push([at, found ? 'ticket.updated' : 'ticket.imported', ticketId, payload]);
    }
    insertEvents(events);
    return result;
  });

  const conversations = conversationWrites(raw);

  return {
    capabilities: { dialect: 'sqlite', concurrentWriters: false, location: path },
    upsertTickets: async (tickets, context) => upsertBatch(tickets, context),
    getTicket: (source, externalId) => queries.getTicket(db, source, externalId),
    listTickets: (query) => queries.listTickets(db, query),
    listEvents: (query) => queries.listEvents(db, query),
    createConversation: async (input) => conversations.create(input),
    getConversation: (id) => queries.getConversation(db, id),
    // On the hot path of every turn: a prepared statement, not a query built each time.
    findConversation: async (id) => conversations.find(id),
    recordTurn: async (input) => conversations.turn(input.conversationId, () => input),
    setConversationOwner: async (input) =>
      conversations.turn(input.conversationId, (current) => ownerTurn(current, input)),
    closeConversation: async (input) =>
      conversations.turn(input.conversationId, (current) => closeTurn(current, input)),
    listConversations: (query) => queries.listConversations(db, query),
    listHandoffs: (query) => queries.listHandoffs(db, query),
    stats: () => queries.stats(db),
    close: () => db.destroy(),
  };
}

/**
 * Conversation writes. `BEGIN IMMEDIATE` takes the write lock before the revision is read, so a second process
 * on the same file waits for the first to commit and then sees the new revision (a clean conflict) instead of
 * failing on a stale snapshot.
 */
function conversationWrites(raw: Database.Database) {
  const conversationColumns = Object.keys(
    newConversation({ id: '', customer: { attributes: {} }, channel: '', at: 0 }).row,
  ) as (keyof ConversationRow)[];
  const insertConversation = raw.prepare(
    `insert into conversations (${conversationColumns.join(', ')})
     values (${conversationColumns.map(() => '?').join(', ')}) on conflict (id) do nothing`,
  );
  const selectConversation = raw.prepare<[string], ConversationRow>(
    'select * from conversations where id = ?',
  );
  const nextSeq = raw.prepare<[string], { next: number }>(
    'select coalesce(max(seq) + 1, 0) as next from conversation_messages where conversation_id = ?',
  );
  const insertMessages = multiRowInsert(
    raw,
    'conversation_messages',
    ['conversation_id', 'seq', 'role', 'text', 'analysis', 'step_id', 'created_at'],
    16,
  );
  const insertHandoff = raw.prepare(
    `insert into handoffs (conversation_id, created_at, code, queue, priority, packet)
     values (?, ?, ?, ?, ?, ?)`,
  );
  const insertEvents = multiRowInsert(
    raw,
    'events',
    ['at', 'type', 'ticket_id', 'conversation_id', 'payload'],
    100,
  );
  const eventValues = (e: EventRow) => [e.at, e.type, e.ticket_id, e.conversation_id, e.payload];
  const updateConversation = raw.prepare(
    `update conversations set owner = ?, status = ?, workflow_id = ?, workflow_version = ?, state = ?,
     revision = ?, updated_at = ? where id = ?`,
  );

  const create = raw.transaction((input: CreateConversationInput): StoredConversation => {
    const { row, event } = newConversation(input);
    if (insertConversation.run(conversationColumns.map((c) => row[c])).changes === 0) {
      throw conversationExists(input.id);
    }
    insertEvents([eventValues(event)]);
    return storedConversation(row);
  });

  const turn = raw.transaction(
    (conversationId: string, decide: (current: ConversationRow) => RecordTurnInput | null) => {
      const current = selectConversation.get(conversationId);
      if (!current) throw conversationNotFound(conversationId);
      const input = decide(current);
      if (!input) return storedConversation(current);
      const plan = planTurn(current, input, nextSeq.get(conversationId)!.next);
      insertMessages(
        plan.messages.map((m) => [
          m.conversation_id,
          m.seq,
          m.role,
          m.text,
          m.analysis,
          m.step_id,
          m.created_at,
        ]),
      );
      let handoffId: number | null = null;
      if (plan.handoff) {
        const h = plan.handoff;
        handoffId = Number(
          insertHandoff.run(h.conversation_id, h.created_at, h.code, h.queue, h.priority, h.packet)
            .lastInsertRowid,
        );
      }
      insertEvents(plan.events(handoffId).map(eventValues));
      const u = plan.update;
      updateConversation.run(
        u.owner,
        u.status,
        u.workflow_id,
        u.workflow_version,
        u.state,
        u.revision,
        u.updated_at,
        conversationId,
      );
      // The state just written is the caller's own object: no need to parse it back.
      if (input.state === undefined) return storedConversation({ ...current, ...u });
      return { ...storedConversation({ ...current, ...u, state: null }), state: input.state };
    },
  );

  return {
    find: (id: string) => {
      const row = selectConversation.get(id);
      return row ? storedConversation(row) : undefined;
    },
    create: (input: CreateConversationInput) => create.immediate(input),
    turn: (conversationId: string, decide: (current: ConversationRow) => RecordTurnInput | null) =>
      turn.immediate(conversationId, decide),
  };
}

/**
 * A function inserting any number of rows through statements of up to `maxRows` rows each, prepared once per
 * row count.
 */
function multiRowInsert(raw: Database.Database, table: string, columns: string[], maxRows: number) {
  const statements = new Map<number, Database.Statement>();
  const statementFor = (rows: number) => {
    let statement = statements.get(rows);
    if (!statement) {
      const tuple = `(${columns.map(() => '?').join(', ')})`;
      statement = raw.prepare(
        `insert into ${table} (${columns.join(', ')}) values ${Array.from({ length: rows }, () => tuple).join(', ')}`,
      );
      statements.set(rows, statement);
    }
    return statement;
  };
  return (rows: unknown[][]) => {
    for (let i = 0; i < rows.length; i += maxRows) {
      const part = rows.slice(i, i + maxRows);
      statementFor(part.length).run(part.flat());
    }
  };
}
