import { resolve } from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { type Clock, OperationalError, systemClock, UserError } from '../../shared/index.ts';
import { migrator } from '../migrations.ts';
import { peopleRecords } from '../people.ts';
import { pilotRecords } from '../pilot-records.ts';
import {
  apiKeyEvent,
  apiKeyRow,
  artifactActivatedEvent,
  artifactRow,
  artifactSavedEvent,
  feedbackEvent,
  feedbackRow,
  sha256Hex,
  unknownArtifactVersion,
} from '../plan-records.ts';
import {
  changeTurn,
  closeTurn,
  conversationExists,
  conversationNotFound,
  newConversation,
  ownerTurn,
  planReceive,
  planTurn,
  sameStart,
} from '../plan-turn.ts';
import {
  CUSTOMER_COLUMNS,
  CUSTOMER_ID_SLOT,
  isOlder,
  MESSAGE_COLUMNS,
  newestVersions,
  prepareTicket,
  TICKET_COLUMNS,
} from '../prepared.ts';
import * as queries from '../queries.ts';
import {
  artifactInfo,
  type ConversationMessageRow,
  type ConversationRow,
  type EventRow,
  storedApiKey,
  storedConversation,
  storedConversationMessage,
  storedEvent,
  storedFeedback,
} from '../rows.ts';
import type { ApiKeysTable, ArtifactsTable, Database as Schema } from '../schema.ts';
import type {
  ArtifactInfo,
  ArtifactKind,
  Change,
  ConversationMessageQuery,
  CreateApiKeyInput,
  CreateConversationInput,
  FeedbackInput,
  PreparedTicket,
  ReceivedMessage,
  ReceiveMessageInput,
  RecordTurnInput,
  SaveArtifactInput,
  Store,
  StoredConversation,
  StoredConversationMessage,
  StoredEvent,
  StoredFeedback,
  UpsertContext,
  UpsertResult,
  WrittenToConversation,
} from '../store.ts';
import { createSqliteChanges } from './sqlite-changes.ts';
import { BACKSTOP_CHECKPOINT_PAGES, startBackgroundCheckpointer } from './sqlite-checkpointer.ts';
import { createSqliteJobQueue, type SqliteJobQueue } from './sqlite-jobs.ts';

export interface SqliteStoreOptions {
  /** A file path, or `:memory:` for tests. */
  path: string;
  clock?: Clock;
  /**
   * `background`: WAL checkpoints run on a thread of their own, not inside the commits (the serving process;
   * see sqlite-checkpointer.ts). `inline` (default): SQLite's automatic checkpoint, for one-shot commands.
   */
  checkpoints?: 'inline' | 'background';
  /** How long a write waits for another process's write lock; default BUSY_TIMEOUT_MS. */
  busyTimeoutMs?: number;
}

/**
 * How long a write waits for another process's write lock on the same file (a second import, a service) before
 * giving up with `store.busy`. An import holds the lock one batch at a time, well under a second.
 */
const BUSY_TIMEOUT_MS = 30_000;

const isBusy = (error: unknown) =>
  error instanceof Error && /^SQLITE_(BUSY|LOCKED)/.test((error as { code?: string }).code ?? '');

/** SQLITE_BUSY after the busy timeout as a one-line user error (exit 2); any other error as it came. */
function busyOr(error: unknown, path: string, waitedMs: number): unknown {
  if (!isBusy(error)) return error;
  return new UserError(
    'store.busy',
    `the database is busy: another process kept its write lock for over ${waitedMs / 1000} s; try again when it has finished`,
    { file: path },
    { cause: error },
  );
}

const onDiskPath = (path: string) => path !== ':memory:' && path !== '';

/**
 * Migrates, trying again when another process opening the same new file migrated it at the same time: the
 * migrator's SQLite transaction does not take the write lock first, so the second one failed ("table ...
 * already exists", or busy) after the first had committed; the next try sees the migrations applied. A real
 * failure fails every try and is returned.
 */
async function migrateWithRetries(db: Kysely<Schema>, onDisk: boolean): Promise<unknown> {
  const tries = onDisk ? 5 : 1;
  let error: unknown;
  for (let attempt = 1; attempt <= tries; attempt++) {
    ({ error } = await migrator(db, 'sqlite').migrateToLatest());
    if (!error) return undefined;
    if (attempt < tries) await new Promise((done) => setTimeout(done, 50 * attempt));
  }
  return error;
}

/**
 * The embedded store: one SQLite file in WAL mode. Reads go through the shared Kysely queries; the import hot
 * path uses prepared statements directly, since one statement per row is what SQLite is fast at.
 */
export async function openSqliteStore({
  path,
  clock = systemClock,
  checkpoints = 'inline',
  busyTimeoutMs = BUSY_TIMEOUT_MS,
}: SqliteStoreOptions): Promise<Store> {
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
  // First, so that every later statement (switching to WAL, migrating) waits for another process's write lock.
  raw.pragma(`busy_timeout = ${busyTimeoutMs}`);
  try {
    raw.pragma('journal_mode = WAL');
  } catch (cause) {
    raw.close();
    throw busyOr(cause, path, busyTimeoutMs);
  }
  raw.pragma('synchronous = NORMAL');
  raw.pragma('foreign_keys = ON');
  // 8 MB of page cache (the default is 2 MB): the indexes' hot pages (imports append at their right edge) stay in
  // memory; 16 MB was no faster on a million-ticket import and cost 8 MB of its 300 MB budget.
  raw.pragma('cache_size = -8192');
  raw.pragma('temp_store = memory');
  // Checkpoint every 4,000 WAL pages (16 MB) instead of 1,000: a checkpoint syncs the files, and conversation
  // turns rewrite the same hot pages, which a longer interval writes back once (bench:engine: p99 4.6 -> 1.4 ms).
  raw.pragma('wal_autocheckpoint = 4000');
  const db = new Kysely<Schema>({ dialect: new SqliteDialect({ database: raw }) });
  const error = await migrateWithRetries(db, onDiskPath(path));
  if (error) {
    await db.destroy();
    if (isBusy(error)) throw busyOr(error, path, busyTimeoutMs);
    throw new OperationalError(
      'store.migration_failed',
      `migrating ${path} failed`,
      { file: path },
      { cause: error },
    );
  }
  const onDisk = onDiskPath(path);
  const checkpointer = checkpoints === 'background' && onDisk ? startBackgroundCheckpointer({ path }) : null;
  if (checkpointer) raw.pragma(`wal_autocheckpoint = ${BACKSTOP_CHECKPOINT_PAGES}`);

  // The batch's existing tickets in one query per source, instead of one lookup per ticket.
  const findTickets = raw.prepare<
    [string, string],
    { id: number; external_id: string; content_hash: string; updated_at: number | null }
  >(
    `select id, external_id, content_hash, updated_at from tickets
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

  const upsertBatch = raw.transaction((batch: readonly PreparedTicket[], context: UpsertContext) => {
    const { tickets, older, repeated } = newestVersions(batch);
    const result: UpsertResult = { inserted: 0, updated: 0, unchanged: repeated, older };
    const at = clock.now();
    const existing = new Map<string, { id: number; hash: string; updatedAt: number | null }>();
    const bySource = new Map<string, string[]>();
    for (const t of tickets) {
      const ids = bySource.get(t.source);
      if (ids) ids.push(t.externalId);
      else bySource.set(t.source, [t.externalId]);
    }
    for (const [source, ids] of bySource) {
      for (const row of findTickets.all(source, JSON.stringify(ids))) {
        existing.set(`${source}\u0000${row.external_id}`, {
          id: row.id,
          hash: row.content_hash,
          updatedAt: row.updated_at,
        });
      }
    }
    const skipped = (ticket: PreparedTicket, found: { hash: string; updatedAt: number | null } | undefined) =>
      found !== undefined && (found.hash === ticket.hash || isOlder(ticket.updatedAt, found.updatedAt));
    // The customers of the tickets to write, each distinct version once (per batch, so memory stays flat).
    const customerValues: unknown[] = [];
    const seenVersions = new Set<string>();
    for (const ticket of tickets) {
      if (!ticket.customer || skipped(ticket, existing.get(`${ticket.source}\u0000${ticket.externalId}`)))
        continue;
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
      const found = existing.get(`${ticket.source}\u0000${ticket.externalId}`);
      if (skipped(ticket, found)) {
        if (found?.hash === ticket.hash) result.unchanged++;
        else result.older++;
        continue;
      }
      const values = ticket.ticket;
      const customer = ticket.customer;
      if (customer) values[CUSTOMER_ID_SLOT] = customerIds.get(`${customer[0]}\u0000${customer[1]}`) ?? null;
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

  const changes = createSqliteChanges(raw);
  const hot = hotReads(raw);
  const jobs = createSqliteJobQueue({
    raw,
    clock,
    onEnqueued: () => changes.emit({ topic: 'jobs', id: null }),
  });
  const conversations = conversationWrites(raw, jobs, changes);
  const records = recordWrites(raw, jobs, (change) => changes.emit(change));

  // BEGIN IMMEDIATE: the write lock is taken (waiting up to busyTimeoutMs) before the batch reads what is stored,
  // so a second import into the same file waits its turn instead of failing on a stale snapshot.
  const writeBatch = (batch: readonly PreparedTicket[], context: UpsertContext) => {
    try {
      return upsertBatch.immediate(batch, context);
    } catch (cause) {
      throw busyOr(cause, path, busyTimeoutMs);
    }
  };

  return {
    capabilities: {
      dialect: 'sqlite',
      concurrentWriters: false,
      location: path,
      file: onDisk ? resolve(path) : null,
    },
    jobs,
    changes,
    upsertTickets: async (tickets, context) => writeBatch(tickets.map(prepareTicket), context),
    upsertPreparedTickets: async (tickets, context) => writeBatch(tickets, context),
    getTicket: (source, externalId) => queries.getTicket(db, source, externalId),
    listTickets: (query) => queries.listTickets(db, query),
    listEvents: async (query) =>
      query.conversationId !== undefined && query.type === undefined
        ? hot.conversationEvents(query.conversationId, query.afterId ?? 0, query.limit)
        : queries.listEvents(db, query),
    createConversation: async (input) => conversations.create(input),
    getConversation: (id) => queries.getConversation(db, id),
    // On the hot path of every turn: a prepared statement, not a query built each time.
    findConversation: async (id) => conversations.find(id),
    receiveMessage: async (input) => conversations.receive(input),
    pendingMessages: async (conversationId) => conversations.pending(conversationId),
    listConversationMessages: async (query) => hot.conversationMessages(query),
    conversationsWithPendingMessages: (query) => queries.conversationsWithPendingMessages(db, query),
    recordTurn: async (input) => conversations.turn(input.conversationId, () => input),
    setConversationOwner: async (input) =>
      conversations.turn(input.conversationId, (current) => ownerTurn(current, input)),
    closeConversation: async (input) =>
      conversations.turn(input.conversationId, (current) => closeTurn(current, input)),
    changeConversation: async (input) =>
      conversations.turn(input.conversationId, (current) => changeTurn(current, input)),
    listConversations: (query) => queries.listConversations(db, query),
    listHandoffs: (query) => queries.listHandoffs(db, query),
    setConversationTokenHash: async ({ conversationId, tokenHash }) => {
      const { numUpdatedRows } = await db
        .updateTable('conversations')
        .set({ token_hash: tokenHash })
        .where('id', '=', conversationId)
        .executeTakeFirst();
      if (Number(numUpdatedRows) === 0) throw conversationNotFound(conversationId);
    },
    recordFeedback: async (input) => records.feedback(input),
    listFeedback: (query) => queries.listFeedback(db, query),
    saveArtifact: async (input) => records.saveArtifact(input),
    getArtifact: (kind, version) => queries.getArtifact(db, kind, version),
    listArtifacts: (kind) => queries.listArtifacts(db, kind),
    activateArtifact: async (input) => records.activate(input),
    activeArtifacts: async () => records.activeArtifacts(),
    createApiKey: async (input) => records.createApiKey(input),
    findApiKey: async (id) => records.findApiKey(id),
    listApiKeys: () => queries.listApiKeys(db),
    revokeApiKey: async (input) => records.revokeApiKey(input),
    stats: () => queries.stats(db),
    ...peopleRecords(db, (error) =>
      /^SQLITE_CONSTRAINT_(UNIQUE|PRIMARYKEY)$/.test(String((error as { code?: unknown }).code)),
    ),
    ...pilotRecords(db, (change) => changes.publish(change)),
    close: async () => {
      changes.close();
      await jobs.close();
      await checkpointer?.close();
      await db.destroy();
    },
  };
}

/**
 * Conversation writes. `BEGIN IMMEDIATE` takes the write lock before the revision is read, so a second process
 * on the same file waits for the first to commit and then sees the new revision (a clean conflict) instead of
 * failing on a stale snapshot.
 */
function conversationWrites(
  raw: Database.Database,
  jobs: SqliteJobQueue,
  changes: { emit: (change: Change) => void; afterOwnCommit: () => number },
) {
  const conversationColumns = Object.keys(
    newConversation({ id: '', customer: { attributes: {} }, channel: '', at: 0 }).row,
  ) as (keyof ConversationRow)[];
  const messageColumns = [
    'conversation_id',
    'seq',
    'role',
    'text',
    'analysis',
    'step_id',
    'created_at',
    'kind',
    'choices',
    'idempotency_key',
    'pending',
  ] as const satisfies readonly (keyof ConversationMessageRow)[];
  const messageValues = (m: ConversationMessageRow) => messageColumns.map((c) => m[c]);
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
  const insertMessages = multiRowInsert(raw, 'conversation_messages', [...messageColumns], 16);
  const byKey = raw.prepare<[string, string], ConversationMessageRow & { id: number }>(
    'select * from conversation_messages where conversation_id = ? and idempotency_key = ?',
  );
  const selectPending = raw.prepare<[string], ConversationMessageRow & { id: number }>(
    'select * from conversation_messages where conversation_id = ? and pending = 1 order by seq',
  );
  const markHandled = raw.prepare(
    `update conversation_messages set pending = 0, analysis = coalesce(?, analysis)
     where conversation_id = ? and seq = ? and pending = 1`,
  );
  const lastRowId = raw.prepare('select last_insert_rowid()').pluck();
  // What the transaction that just ran wrote, announced with its change (see WrittenToConversation): the event
  // stream of a conversation then sends it without reading it back.
  let written: Omit<WrittenToConversation, 'epoch'> | null = null;
  /**
   * Events just inserted (call straight after the insert), with their ids: one writer at a time, so they took the
   * ids up to the last one.
   */
  const withIds = (rows: readonly EventRow[]): StoredEvent[] => {
    const last = Number(lastRowId.get());
    return rows.map((row, i) => storedEvent({ ...row, id: last - rows.length + 1 + i }));
  };
  const conversationIdExists = raw.prepare<[string], { id: string }>(
    'select id from conversations where id = ?',
  );
  const selectByStartKey = raw.prepare<[string], ConversationRow>(
    'select * from conversations where idempotency_key = ?',
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
  // Status is indexed, and SQLite rewrites an index entry whenever its column is assigned, changed or not: a turn
  // that keeps the status leaves it out (one WAL page less a turn, measured with the WAL's page numbers).
  const updateConversation = raw.prepare(
    `update conversations set owner = ?, status = ?, workflow_id = ?, workflow_version = ?, state = ?,
     revision = ?, updated_at = ? where id = ?`,
  );
  const updateConversationKeepingStatus = raw.prepare(
    `update conversations set owner = ?, workflow_id = ?, workflow_version = ?, state = ?,
     revision = ?, updated_at = ? where id = ?`,
  );

  const create = raw.transaction((input: CreateConversationInput): StoredConversation => {
    if (input.idempotencyKey !== undefined) {
      const earlier = selectByStartKey.get(input.idempotencyKey);
      if (earlier && sameStart(earlier, input)) return storedConversation(earlier);
    }
    const { row, event } = newConversation(input);
    if (insertConversation.run(conversationColumns.map((c) => row[c])).changes === 0) {
      throw conversationExists(input.id);
    }
    insertEvents([eventValues(event)]);
    return storedConversation(row);
  });

  const receive = raw.transaction((input: ReceiveMessageInput): ReceivedMessage => {
    written = null;
    if (!conversationIdExists.get(input.conversationId)) throw conversationNotFound(input.conversationId);
    const earlier =
      input.idempotencyKey === undefined ? undefined : byKey.get(input.conversationId, input.idempotencyKey);
    const plan = planReceive(
      input.conversationId,
      input,
      nextSeq.get(input.conversationId)!.next,
      earlier ? storedConversationMessage(earlier) : undefined,
    );
    if ('duplicate' in plan) {
      return { message: plan.duplicate, duplicate: true };
    }
    insertMessages([messageValues(plan.row)]);
    const id = Number(lastRowId.get());
    insertEvents([eventValues(plan.event)]);
    const message = storedConversationMessage({ ...plan.row, id });
    // Before the jobs: their insert moves last_insert_rowid on.
    written = { events: withIds([plan.event]), messages: [message] };
    if (input.jobs) jobs.enqueueSync(input.jobs);
    return { message, duplicate: false };
  });

  const turn = raw.transaction(
    (conversationId: string, decide: (current: ConversationRow) => RecordTurnInput | null) => {
      written = null;
      const current = selectConversation.get(conversationId);
      if (!current) throw conversationNotFound(conversationId);
      const input = decide(current);
      if (!input) return storedConversation(current);
      const plan = planTurn(current, input, nextSeq.get(conversationId)!.next);
      for (const h of plan.handled) markHandled.run(h.analysis, conversationId, h.seq);
      insertMessages(plan.messages.map(messageValues));
      const lastMessageId = plan.messages.length > 0 ? Number(lastRowId.get()) : 0;
      const messages = plan.messages.map((m, i) =>
        storedConversationMessage({ ...m, id: lastMessageId - plan.messages.length + 1 + i }),
      );
      if (plan.jobs.length > 0) jobs.enqueueSync(plan.jobs);
      if (plan.completes) jobs.completeSync(plan.completes);
      let handoffId: number | null = null;
      if (plan.handoff) {
        const h = plan.handoff;
        handoffId = Number(
          insertHandoff.run(h.conversation_id, h.created_at, h.code, h.queue, h.priority, h.packet)
            .lastInsertRowid,
        );
      }
      const events = plan.events(handoffId);
      insertEvents(events.map(eventValues));
      written = { events: withIds(events), messages };
      const u = plan.update;
      const rest = [u.workflow_id, u.workflow_version, u.state, u.revision, u.updated_at, conversationId];
      if (u.status === current.status) updateConversationKeepingStatus.run(u.owner, ...rest);
      else updateConversation.run(u.owner, u.status, ...rest);
      // The state just written is the caller's own object: no need to parse it back.
      if (input.state === undefined) return storedConversation({ ...current, ...u });
      return { ...storedConversation({ ...current, ...u, state: null }), state: input.state };
    },
  );

  const announce = <T>(conversationId: string, result: T, jobsAdded: boolean): T => {
    const wrote = written;
    written = null;
    const epoch = changes.afterOwnCommit();
    changes.emit({
      topic: 'conversation',
      id: conversationId,
      ...(wrote ? { written: { ...wrote, epoch } } : {}),
    });
    if (jobsAdded) jobs.announce();
    return result;
  };

  return {
    find: (id: string) => {
      const row = selectConversation.get(id);
      return row ? storedConversation(row) : undefined;
    },
    create: (input: CreateConversationInput) => announce(input.id, create.immediate(input), false),
    receive: (input: ReceiveMessageInput) => {
      const received = receive.immediate(input);
      return received.duplicate
        ? received
        : announce(input.conversationId, received, (input.jobs?.length ?? 0) > 0);
    },
    pending: (conversationId: string) => selectPending.all(conversationId).map(storedConversationMessage),
    turn: (conversationId: string, decide: (current: ConversationRow) => RecordTurnInput | null) => {
      let jobsAdded = false;
      const result = turn.immediate(conversationId, (current: ConversationRow) => {
        const input = decide(current);
        jobsAdded = (input?.jobs?.length ?? 0) > 0;
        return input;
      });
      return announce(conversationId, result, jobsAdded);
    },
  };
}

/** Feedback, artifacts and API keys: small writes, each one transaction with its event. */
function recordWrites(
  raw: Database.Database,
  jobs: SqliteJobQueue,
  emit: (change: { topic: 'conversation' | 'artifacts'; id: string }) => void,
) {
  const insertEvent = raw.prepare(
    'insert into events (at, type, ticket_id, conversation_id, payload) values (?, ?, ?, ?, ?)',
  );
  const writeEvent = (e: EventRow) =>
    insertEvent.run(e.at, e.type, e.ticket_id, e.conversation_id, e.payload);
  const conversationExistsStatement = raw.prepare<[string], { id: string }>(
    'select id from conversations where id = ?',
  );
  const insertFeedback = raw.prepare(
    `insert into feedback (conversation_id, at, resolved, rating, comment, source) values (?, ?, ?, ?, ?, ?)`,
  );
  const newest = raw.prepare<[string], Pick<ArtifactsTable, 'version' | 'sha256'>>(
    'select version, sha256 from artifacts where kind = ? order by version desc limit 1',
  );
  const insertArtifact = raw.prepare(
    `insert into artifacts (kind, version, sha256, bytes, content, note, created_by, created_at)
     values (?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const artifactByVersion = raw.prepare<[string, number], Omit<ArtifactsTable, 'id' | 'content'>>(
    `select kind, version, sha256, bytes, note, created_by, created_at from artifacts
     where kind = ? and version = ?`,
  );
  const activeOf = raw.prepare<[string], { version: number }>(
    'select version from active_artifacts where kind = ?',
  );
  const setActive = raw.prepare(
    `insert into active_artifacts (kind, version, activated_at, activated_by) values (?, ?, ?, ?)
     on conflict (kind) do update set version = excluded.version, activated_at = excluded.activated_at,
       activated_by = excluded.activated_by`,
  );
  const allActive = raw.prepare<[], { kind: string; version: number }>(
    'select kind, version from active_artifacts',
  );
  const insertKey = raw.prepare(
    `insert into api_keys (id, name, scopes, secret_hash, publishable, origins, identity_secret, publishable_key,
       created_at, created_by, revoked_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const keyById = raw.prepare<[string], ApiKeysTable>('select * from api_keys where id = ?');
  const revoke = raw.prepare('update api_keys set revoked_at = ? where id = ? and revoked_at is null');

  const activateIn = (kind: ArtifactKind, version: number, by: string, at: number) => {
    const previous = activeOf.get(kind)?.version ?? null;
    if (previous === version) return;
    setActive.run(kind, version, at, by);
    writeEvent(artifactActivatedEvent(kind, version, previous, by, at));
  };
  const info = (kind: ArtifactKind, version: number): ArtifactInfo => {
    const row = artifactByVersion.get(kind, version);
    if (!row) throw unknownArtifactVersion(kind, version);
    return artifactInfo(row, activeOf.get(kind)?.version);
  };

  const feedback = raw.transaction((input: FeedbackInput): StoredFeedback => {
    if (!conversationExistsStatement.get(input.conversationId)) {
      throw conversationNotFound(input.conversationId);
    }
    const row = feedbackRow(input);
    const id = Number(
      insertFeedback.run(row.conversation_id, row.at, row.resolved, row.rating, row.comment, row.source)
        .lastInsertRowid,
    );
    writeEvent(feedbackEvent(input, id));
    if (input.jobs) jobs.enqueueSync(input.jobs);
    return storedFeedback({ ...row, id });
  });
  const saveArtifact = raw.transaction((input: SaveArtifactInput): ArtifactInfo => {
    const sha256 = sha256Hex(input.content);
    const last = newest.get(input.kind);
    let version: number;
    if (last && last.sha256 === sha256) {
      version = Number(last.version);
    } else {
      version = (last ? Number(last.version) : 0) + 1;
      const row = artifactRow(input, version, sha256);
      insertArtifact.run(
        row.kind,
        row.version,
        row.sha256,
        row.bytes,
        row.content,
        row.note,
        row.created_by,
        row.created_at,
      );
      writeEvent(artifactSavedEvent(input, version, sha256));
    }
    if (input.activate) activateIn(input.kind, version, input.by, input.at);
    return info(input.kind, version);
  });
  const activate = raw.transaction(
    (input: { kind: ArtifactKind; version: number; by: string; at: number }): ArtifactInfo => {
      info(input.kind, input.version);
      activateIn(input.kind, input.version, input.by, input.at);
      return info(input.kind, input.version);
    },
  );
  const createApiKey = raw.transaction((input: CreateApiKeyInput) => {
    const row = apiKeyRow(input);
    insertKey.run(
      row.id,
      row.name,
      row.scopes,
      row.secret_hash,
      row.publishable,
      row.origins,
      row.identity_secret,
      row.publishable_key,
      row.created_at,
      row.created_by,
      row.revoked_at,
    );
    writeEvent(apiKeyEvent('api_key.created', input, input.by, input.at));
    return storedApiKey(row);
  });
  const revokeApiKey = raw.transaction((input: { id: string; by: string; at: number }) => {
    const row = keyById.get(input.id);
    if (!row) return undefined;
    if (revoke.run(input.at, input.id).changes > 0) {
      const key = storedApiKey(row);
      writeEvent(apiKeyEvent('api_key.revoked', key, input.by, input.at));
    }
    return storedApiKey(keyById.get(input.id)!);
  });

  return {
    feedback: (input: FeedbackInput) => {
      const stored = feedback.immediate(input);
      emit({ topic: 'conversation', id: input.conversationId });
      if ((input.jobs?.length ?? 0) > 0) jobs.announce();
      return stored;
    },
    saveArtifact: (input: SaveArtifactInput) => {
      const saved = saveArtifact.immediate(input);
      emit({ topic: 'artifacts', id: input.kind });
      return saved;
    },
    activate: (input: { kind: ArtifactKind; version: number; by: string; at: number }) => {
      const activated = activate.immediate(input);
      emit({ topic: 'artifacts', id: input.kind });
      return activated;
    },
    activeArtifacts: () =>
      Object.fromEntries(allActive.all().map((r) => [r.kind, Number(r.version)])) as Partial<
        Record<ArtifactKind, number>
      >,
    createApiKey: (input: CreateApiKeyInput) => createApiKey.immediate(input),
    findApiKey: (id: string) => {
      const row = keyById.get(id);
      return row ? storedApiKey(row) : undefined;
    },
    revokeApiKey: (input: { id: string; by: string; at: number }) => revokeApiKey.immediate(input),
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

/**
 * The reads a live conversation makes on every event (its stream, a waiting request) as prepared statements:
 * through Kysely, better-sqlite3 prepares each query again on every call, which was a tenth of the service's time.
 */
function hotReads(raw: Database.Database) {
  const events = raw.prepare<[string, number, number], EventRow & { id: number }>(
    'select * from events where conversation_id = ? and id > ? order by id limit ?',
  );
  type MessageRow = ConversationMessageRow & { id: number };
  const all = raw.prepare<[string], MessageRow>(
    'select * from conversation_messages where conversation_id = ? order by seq',
  );
  const after = raw.prepare<[string, number], MessageRow>(
    'select * from conversation_messages where conversation_id = ? and seq > ? order by seq',
  );
  const some = raw.prepare<[string, string], MessageRow>(
    `select * from conversation_messages where conversation_id = ? and seq in (select value from json_each(?))
     order by seq`,
  );
  return {
    conversationEvents: (conversationId: string, afterId: number, limit: number): StoredEvent[] =>
      events.all(conversationId, afterId, limit).map(storedEvent),
    conversationMessages(query: ConversationMessageQuery): StoredConversationMessage[] {
      let rows: MessageRow[];
      if (query.seqs !== undefined) {
        if (query.seqs.length === 0) return [];
        rows = some.all(query.conversationId, JSON.stringify(query.seqs));
        if (query.afterSeq !== undefined) rows = rows.filter((r) => r.seq > (query.afterSeq as number));
      } else if (query.afterSeq !== undefined) {
        rows = after.all(query.conversationId, query.afterSeq);
      } else {
        rows = all.all(query.conversationId);
      }
      return rows.map(storedConversationMessage);
    },
  };
}
