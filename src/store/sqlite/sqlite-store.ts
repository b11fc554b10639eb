import Database from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
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
import {
  CUSTOMER_COLUMNS,
  CUSTOMER_ID_SLOT,
  MESSAGE_COLUMNS,
  prepareTicket,
  TICKET_COLUMNS,
} from '../prepared.ts';
import * as queries from '../queries.ts';
import { type ConversationRow, type EventRow, storedConversation } from '../rows.ts';
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
  // 8 MB of page cache (the default is 2 MB): the indexes' hot pages (imports append at their right edge) stay in
  // memory; 16 MB was no faster on a million-ticket import and cost 8 MB of its 300 MB budget.
  raw.pragma('cache_size = -8192');
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
  // Customers are upserted many rows per statement (a batch's distinct customers at once): one statement per
  // customer was the largest cost of an import. Rows of one statement are applied in order, so two versions of
  // one customer in a batch end as they would one after the other.
  const upsertCustomers = multiRowStatement(
    raw,
    (tuples) => `insert into customers (${CUSTOMER_COLUMNS.join(', ')}) values ${tuples}
     on conflict (source, customer_key) do update set
       external_id = coalesce(excluded.external_id, external_id),
       email = coalesce(excluded.email, email),
       name = coalesce(excluded.name, name),
       segment = coalesce(excluded.segment, segment),
       attributes = excluded.attributes
     returning id, source, customer_key`,
    CUSTOMER_COLUMNS.length,
    64,
  );
  const insertTicket = raw.prepare(
    `insert into tickets (${TICKET_COLUMNS.join(', ')}) values (${TICKET_COLUMNS.map(() => '?').join(', ')})`,
  );
  const updateTicket = raw.prepare(
    `update tickets set ${TICKET_COLUMNS.map((c) => `${c} = ?`).join(', ')} where id = ?`,
  );
  const deleteMessages = raw.prepare('delete from messages where ticket_id = ?');
  // Messages and events of many tickets go in one multi-row statement: each statement call has a fixed cost
  // that dominates at import rates.
  const messageColumns = ['ticket_id', ...MESSAGE_COLUMNS];
  const insertMessages = multiRowStatement(
    raw,
    (tuples) => `insert into messages (${messageColumns.join(', ')}) values ${tuples}`,
    messageColumns.length,
    64,
  );
  const eventColumns = ['at', 'type', 'ticket_id', 'payload'];
  const insertEvents = multiRowStatement(
    raw,
    (tuples) => `insert into events (${eventColumns.join(', ')}) values ${tuples}`,
    eventColumns.length,
    100,
  );
  const messageWidth = MESSAGE_COLUMNS.length;

  const upsertBatch = raw.transaction((tickets: readonly PreparedTicket[], context: UpsertContext) => {
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
    // The customers of the tickets to write, each distinct version once (per batch, so memory stays flat).
    const customerValues: unknown[] = [];
    const seenVersions = new Set<string>();
    for (const ticket of tickets) {
      const found = existing.get(`${ticket.source}\u0000${ticket.externalId}`);
      if (!ticket.customer || (found && found.hash === ticket.hash)) continue;
      const version = JSON.stringify(ticket.customer);
      if (seenVersions.has(version)) continue;
      seenVersions.add(version);
      for (const v of ticket.customer) customerValues.push(v);
    }
    const customerIds = new Map<string, number>();
    for (const row of upsertCustomers.all(customerValues) as {
      id: number;
      source: string;
      customer_key: string;
    }[]) {
      customerIds.set(`${row.source}\u0000${row.customer_key}`, row.id);
    }

    const messages: unknown[] = [];
    const events: unknown[] = [];
    for (const ticket of tickets) {
      const key = `${ticket.source}\u0000${ticket.externalId}`;
      const found = existing.get(key);
      if (found && found.hash === ticket.hash) {
        result.unchanged++;
        continue;
      }
      const values = ticket.ticket;
      const customer = ticket.customer;
      if (customer) values[CUSTOMER_ID_SLOT] = customerIds.get(`${customer[0]}\u0000${customer[1]}`) ?? null;
      let ticketId: number;
      if (found) {
        ticketId = found.id;
        // Messages already gathered may belong to this ticket's earlier version in the same batch.
        insertMessages.run(messages);
        messages.length = 0;
        updateTicket.run([...values, ticketId]);
        deleteMessages.run(ticketId);
        result.updated++;
      } else {
        ticketId = Number(insertTicket.run(values).lastInsertRowid);
        result.inserted++;
      }
      existing.set(key, { id: ticketId, hash: ticket.hash });
      const m = ticket.messages;
      for (let i = 0; i < m.length; i += messageWidth) {
        messages.push(ticketId);
        for (let j = 0; j < messageWidth; j++) messages.push(m[i + j]);
      }
      const payload = JSON.stringify({
        origin: context.origin,
        source: ticket.source,
        externalId: ticket.externalId,
      });
      events.push(at, found ? 'ticket.updated' : 'ticket.imported', ticketId, payload);
    }
    insertMessages.run(messages);
    insertEvents.run(events);
    return result;
  });

  const conversations = conversationWrites(raw);

  return {
    capabilities: { dialect: 'sqlite', concurrentWriters: false, location: path },
    upsertTickets: async (tickets, context) => upsertBatch(tickets.map(prepareTicket), context),
    upsertPreparedTickets: async (tickets, context) => upsertBatch(tickets, context),
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
 * Runs a multi-row statement over a flat list of values (`width` per row), `maxRows` rows per call; each row
 * count's statement is prepared once. `all` collects what a RETURNING clause gives.
 */
function multiRowStatement(
  raw: Database.Database,
  sqlFor: (tuples: string) => string,
  width: number,
  maxRows: number,
) {
  const statements = new Map<number, Database.Statement>();
  const tuple = `(${Array.from({ length: width }, () => '?').join(', ')})`;
  const statementFor = (rows: number) => {
    let statement = statements.get(rows);
    if (!statement) {
      statement = raw.prepare(sqlFor(Array.from({ length: rows }, () => tuple).join(', ')));
      statements.set(rows, statement);
    }
    return statement;
  };
  const chunk = width * maxRows;
  const each = (
    values: readonly unknown[],
    call: (statement: Database.Statement, part: unknown[]) => void,
  ) => {
    for (let i = 0; i < values.length; i += chunk) {
      const part = values.slice(i, i + chunk);
      call(statementFor(part.length / width), part);
    }
  };
  return {
    run(values: readonly unknown[]) {
      each(values, (statement, part) => statement.run(part));
    },
    all(values: readonly unknown[]): unknown[] {
      const rows: unknown[] = [];
      each(values, (statement, part) => {
        for (const row of statement.all(part)) rows.push(row);
      });
      return rows;
    },
  };
}

/** An insert of rows given as arrays, in multi-row statements of up to `maxRows` rows. */
function multiRowInsert(raw: Database.Database, table: string, columns: string[], maxRows: number) {
  const statement = multiRowStatement(
    raw,
    (tuples) => `insert into ${table} (${columns.join(', ')}) values ${tuples}`,
    columns.length,
    maxRows,
  );
  return (rows: unknown[][]) => statement.run(rows.flat());
}
