import { CompiledQuery, Kysely, PostgresDialect, sql, type Transaction } from 'kysely';
import pg from 'pg';
import { type Clock, type Logger, OperationalError, silentLogger, systemClock } from '../../shared/index.ts';
import type { Change } from '../change-feed.ts';
import type { JobRequest } from '../job-queue.ts';
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
  isOlder,
  newestVersions,
  preparedCustomerRow,
  preparedMessageRows,
  preparedTicketRow,
  prepareTicket,
} from '../prepared.ts';
import * as queries from '../queries.ts';
import {
  artifactInfo,
  type ConversationRow,
  type CustomerRow,
  type EventRow,
  storedApiKey,
  storedConversation,
  storedConversationMessage,
  storedFeedback,
  type TicketRow,
} from '../rows.ts';
import type { Database as Schema } from '../schema.ts';
import type {
  ArtifactInfo,
  ArtifactKind,
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
  StoredFeedback,
  UpsertContext,
  UpsertResult,
} from '../store.ts';
import { changeChannel, openPgChanges } from './pg-changes.ts';
import { openPgJobQueue, type PgJobQueue, type SqlExecutor } from './pg-jobs.ts';

export interface PostgresStoreOptions {
  /** `postgres://user@host:port/db`. */
  url: string;
  /** Put every table in this schema (created if missing); tests use one schema per run. */
  schema?: string;
  poolSize?: number;
  clock?: Clock;
  logger?: Logger;
  /** How often pg-boss looks for jobs whose process died (default 5 s). */
  jobRecoveryIntervalSeconds?: number;
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
  logger = silentLogger,
  jobRecoveryIntervalSeconds,
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

  const channel = changeChannel(schema);
  const changes = openPgChanges({
    url,
    channel,
    logger,
    notify: (to, payload) => pool.query('select pg_notify($1, $2)', [to, payload]),
  });
  const jobs: PgJobQueue = openPgJobQueue({
    url,
    pool,
    schema: jobSchemaOf(schema),
    logger,
    onEnqueued: () => changes.emit({ topic: 'jobs', id: null }),
    ...(jobRecoveryIntervalSeconds ? { maintenanceIntervalSeconds: jobRecoveryIntervalSeconds } : {}),
  });
  const writes: Writes = { db, jobs, channel, announce: (c) => changes.emit(c) };

  const upsertPrepared = (tickets: readonly PreparedTicket[], context: UpsertContext) =>
    db.transaction().execute(async (trx) => {
      await sql`select pg_advisory_xact_lock(hashtext('switchboard.tickets.upsert'))`.execute(trx);
      return upsertBatch(trx, tickets, context, clock.now());
    });

  return {
    capabilities: { dialect: 'postgres', concurrentWriters: true, location, file: null },
    jobs,
    changes,
    upsertTickets: async (tickets, context) =>
      tickets.length === 0
        ? { inserted: 0, updated: 0, unchanged: 0, older: 0 }
        : upsertPrepared(tickets.map(prepareTicket), context),
    upsertPreparedTickets: async (tickets, context) =>
      tickets.length === 0
        ? { inserted: 0, updated: 0, unchanged: 0, older: 0 }
        : upsertPrepared(tickets, context),
    getTicket: (source, externalId) => queries.getTicket(db, source, externalId),
    listTickets: (query) => queries.listTickets(db, query),
    listEvents: (query) => queries.listEvents(db, query),
    createConversation: (input) => createConversation(writes, input),
    getConversation: (id) => queries.getConversation(db, id),
    findConversation: (id) => queries.findConversation(db, id),
    receiveMessage: async (input) => {
      if (input.jobs && input.jobs.length > 0) await jobs.prepare(input.jobs.map((j) => j.queue));
      return receiveMessage(writes, input);
    },
    pendingMessages: async (conversationId) =>
      (
        await db
          .selectFrom('conversation_messages')
          .selectAll()
          .where('conversation_id', '=', conversationId)
          .where('pending', '=', 1)
          .orderBy('seq')
          .execute()
      ).map(storedConversationMessage),
    listConversationMessages: (query) => queries.listConversationMessages(db, query),
    conversationsWithPendingMessages: (query) => queries.conversationsWithPendingMessages(db, query),
    recordTurn: async (input) => {
      // pg-boss creates a queue's table on first use: never inside the turn's transaction.
      if (input.jobs && input.jobs.length > 0) await jobs.prepare(input.jobs.map((j) => j.queue));
      return conversationTurn(writes, input.conversationId, () => input);
    },
    setConversationOwner: (input) =>
      conversationTurn(writes, input.conversationId, (current) => ownerTurn(current, input)),
    closeConversation: (input) =>
      conversationTurn(writes, input.conversationId, (current) => closeTurn(current, input)),
    changeConversation: async (input) => {
      if (input.jobs && input.jobs.length > 0) await jobs.prepare(input.jobs.map((j) => j.queue));
      return conversationTurn(writes, input.conversationId, (current) => changeTurn(current, input));
    },
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
    recordFeedback: (input) => recordFeedback(writes, input),
    listFeedback: (query) => queries.listFeedback(db, query),
    saveArtifact: (input) => saveArtifact(writes, input),
    getArtifact: (kind, version) => queries.getArtifact(db, kind, version),
    listArtifacts: (kind) => queries.listArtifacts(db, kind),
    activateArtifact: (input) => activateArtifact(writes, input),
    activeArtifacts: async () => {
      const rows = await db.selectFrom('active_artifacts').select(['kind', 'version']).execute();
      return Object.fromEntries(rows.map((r) => [r.kind, Number(r.version)])) as Partial<
        Record<ArtifactKind, number>
      >;
    },
    createApiKey: (input) => createApiKey(writes, input),
    findApiKey: async (id) => {
      const row = await db.selectFrom('api_keys').selectAll().where('id', '=', id).executeTakeFirst();
      return row ? storedApiKey(row) : undefined;
    },
    listApiKeys: () => queries.listApiKeys(db),
    revokeApiKey: (input) => revokeApiKey(writes, input),
    stats: () => queries.stats(db),
    ...peopleRecords(db, (error) => (error as { code?: unknown }).code === '23505'),
    ...pilotRecords(db, (change) => changes.publish(change)),
    close: async () => {
      await jobs.close();
      await changes.close();
      await db.destroy();
    },
  };
}

/** pg-boss's schema beside the store's: `<schema>_jobs`. */
export function jobSchemaOf(schema: string | undefined): string {
  return schema ? `${schema}_jobs` : 'switchboard_jobs';
}

/** What the write functions share: the database, the job queue and the change channel. */
interface Writes {
  db: Kysely<Schema>;
  jobs: PgJobQueue;
  channel: string;
  /** Tells this process's listeners once a write has committed (other processes hear the NOTIFY). */
  announce: (change: Change) => void;
}

/**
 * A write transaction that also sends its changes (NOTIFY, delivered on commit) and its jobs; the changes are
 * announced in this process after the commit.
 */
async function write<T>(
  w: Writes,
  changes: readonly Change[],
  jobs: readonly JobRequest[],
  body: (trx: Transaction<Schema>) => Promise<T>,
): Promise<T> {
  if (jobs.length > 0) await w.jobs.prepare(jobs.map((j) => j.queue));
  const all = jobs.length > 0 ? [...changes, { topic: 'jobs' as const, id: null }] : changes;
  const result = await w.db.transaction().execute(async (trx) => {
    const value = await body(trx);
    if (jobs.length > 0) await w.jobs.enqueueIn(executorOf(trx), jobs);
    for (const change of all) {
      await sql`select pg_notify(${w.channel}, ${`${change.topic}:${change.id ?? ''}`})`.execute(trx);
    }
    return value;
  });
  for (const change of all) w.announce(change);
  return result;
}

function executorOf(trx: Transaction<Schema>): SqlExecutor {
  return async (text, values) => {
    const result = await trx.executeQuery(CompiledQuery.raw(text, values ?? []));
    return { rows: result.rows as unknown[] };
  };
}

async function receiveMessage(w: Writes, input: ReceiveMessageInput): Promise<ReceivedMessage> {
  let duplicate: ReceivedMessage | null = null;
  const received = await write(
    w,
    [{ topic: 'conversation', id: input.conversationId }],
    [],
    async (trx): Promise<ReceivedMessage> => {
      // The row lock orders this message's seq and event after the conversation's earlier writes.
      const current = await trx
        .selectFrom('conversations')
        .select('id')
        .where('id', '=', input.conversationId)
        .forUpdate()
        .executeTakeFirst();
      if (!current) throw conversationNotFound(input.conversationId);
      const earlier =
        input.idempotencyKey === undefined
          ? undefined
          : await trx
              .selectFrom('conversation_messages')
              .selectAll()
              .where('conversation_id', '=', input.conversationId)
              .where('idempotency_key', '=', input.idempotencyKey)
              .executeTakeFirst();
      const plan = planReceive(
        input.conversationId,
        input,
        await nextSeq(trx, input.conversationId),
        earlier ? storedConversationMessage(earlier) : undefined,
      );
      if ('duplicate' in plan) {
        duplicate = { message: plan.duplicate, duplicate: true };
        return duplicate;
      }
      const { id } = await trx
        .insertInto('conversation_messages')
        .values(plan.row)
        .returning('id')
        .executeTakeFirstOrThrow();
      await trx.insertInto('events').values(plan.event).execute();
      if (input.jobs && input.jobs.length > 0) {
        await w.jobs.prepare(input.jobs.map((j) => j.queue));
        await w.jobs.enqueueIn(executorOf(trx), input.jobs);
        await sql`select pg_notify(${w.channel}, ${'jobs:'})`.execute(trx);
      }
      return {
        message: storedConversationMessage({ ...plan.row, id }),
        duplicate: false,
      };
    },
  );
  if (!duplicate && input.jobs && input.jobs.length > 0) w.announce({ topic: 'jobs', id: null });
  return received;
}

async function nextSeq(trx: Transaction<Schema>, conversationId: string): Promise<number> {
  const { next } = await trx
    .selectFrom('conversation_messages')
    .select((eb) => eb.fn.coalesce(eb(eb.fn.max('seq'), '+', 1), eb.lit(0)).as('next'))
    .where('conversation_id', '=', conversationId)
    .executeTakeFirstOrThrow();
  return Number(next);
}

async function recordFeedback(w: Writes, input: FeedbackInput): Promise<StoredFeedback> {
  return write(w, [{ topic: 'conversation', id: input.conversationId }], input.jobs ?? [], async (trx) => {
    // The row lock orders this event after the conversation's earlier writes (streams read events by id).
    const exists = await trx
      .selectFrom('conversations')
      .select('id')
      .where('id', '=', input.conversationId)
      .forUpdate()
      .executeTakeFirst();
    if (!exists) throw conversationNotFound(input.conversationId);
    const row = feedbackRow(input);
    const { id } = await trx.insertInto('feedback').values(row).returning('id').executeTakeFirstOrThrow();
    await trx
      .insertInto('events')
      .values(feedbackEvent(input, Number(id)))
      .execute();
    return storedFeedback({ ...row, id });
  });
}

async function activateIn(
  trx: Transaction<Schema>,
  kind: ArtifactKind,
  version: number,
  by: string,
  at: number,
): Promise<void> {
  const current = await trx
    .selectFrom('active_artifacts')
    .select('version')
    .where('kind', '=', kind)
    .forUpdate()
    .executeTakeFirst();
  const previous = current ? Number(current.version) : null;
  if (previous === version) return;
  await trx
    .insertInto('active_artifacts')
    .values({ kind, version, activated_at: at, activated_by: by })
    .onConflict((oc) => oc.column('kind').doUpdateSet({ version, activated_at: at, activated_by: by }))
    .execute();
  await trx
    .insertInto('events')
    .values(artifactActivatedEvent(kind, version, previous, by, at))
    .execute();
}

async function artifactInfoIn(
  trx: Transaction<Schema>,
  kind: ArtifactKind,
  version: number,
): Promise<ArtifactInfo> {
  const row = await trx
    .selectFrom('artifacts')
    .select(['kind', 'version', 'sha256', 'bytes', 'note', 'created_by', 'created_at'])
    .where('kind', '=', kind)
    .where('version', '=', version)
    .executeTakeFirst();
  if (!row) throw unknownArtifactVersion(kind, version);
  const active = await trx
    .selectFrom('active_artifacts')
    .select('version')
    .where('kind', '=', kind)
    .executeTakeFirst();
  return artifactInfo(row, active ? Number(active.version) : null);
}

async function saveArtifact(w: Writes, input: SaveArtifactInput): Promise<ArtifactInfo> {
  return write(w, [{ topic: 'artifacts', id: input.kind }], [], async (trx) => {
    // One writer of a kind at a time, so two processes never take the same version number.
    await sql`select pg_advisory_xact_lock(hashtext(${`switchboard.artifacts.${input.kind}`}))`.execute(trx);
    const sha256 = sha256Hex(input.content);
    const last = await trx
      .selectFrom('artifacts')
      .select(['version', 'sha256'])
      .where('kind', '=', input.kind)
      .orderBy('version', 'desc')
      .limit(1)
      .executeTakeFirst();
    let version: number;
    if (last && last.sha256 === sha256) {
      version = Number(last.version);
    } else {
      version = (last ? Number(last.version) : 0) + 1;
      await trx
        .insertInto('artifacts')
        .values(artifactRow(input, version, sha256))
        .execute();
      await trx
        .insertInto('events')
        .values(artifactSavedEvent(input, version, sha256))
        .execute();
    }
    if (input.activate) await activateIn(trx, input.kind, version, input.by, input.at);
    return artifactInfoIn(trx, input.kind, version);
  });
}

async function activateArtifact(
  w: Writes,
  input: { kind: ArtifactKind; version: number; by: string; at: number },
): Promise<ArtifactInfo> {
  return write(w, [{ topic: 'artifacts', id: input.kind }], [], async (trx) => {
    await artifactInfoIn(trx, input.kind, input.version);
    await activateIn(trx, input.kind, input.version, input.by, input.at);
    return artifactInfoIn(trx, input.kind, input.version);
  });
}

async function createApiKey(w: Writes, input: CreateApiKeyInput) {
  return write(w, [], [], async (trx) => {
    const row = apiKeyRow(input);
    await trx.insertInto('api_keys').values(row).execute();
    await trx
      .insertInto('events')
      .values(apiKeyEvent('api_key.created', input, input.by, input.at))
      .execute();
    return storedApiKey(row);
  });
}

async function revokeApiKey(w: Writes, input: { id: string; by: string; at: number }) {
  return write(w, [], [], async (trx) => {
    const row = await trx
      .selectFrom('api_keys')
      .selectAll()
      .where('id', '=', input.id)
      .forUpdate()
      .executeTakeFirst();
    if (!row) return undefined;
    if (row.revoked_at === null) {
      await trx.updateTable('api_keys').set({ revoked_at: input.at }).where('id', '=', input.id).execute();
      const event: EventRow = apiKeyEvent('api_key.revoked', storedApiKey(row), input.by, input.at);
      await trx.insertInto('events').values(event).execute();
      return storedApiKey({ ...row, revoked_at: input.at });
    }
    return storedApiKey(row);
  });
}

function createConversation(w: Writes, input: CreateConversationInput): Promise<StoredConversation> {
  return write(w, [{ topic: 'conversation', id: input.id }], [], async (trx) => {
    if (input.idempotencyKey !== undefined) {
      const earlier = await trx
        .selectFrom('conversations')
        .selectAll()
        .where('idempotency_key', '=', input.idempotencyKey)
        .executeTakeFirst();
      if (earlier && sameStart(earlier, input)) return storedConversation(earlier);
    }
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
async function conversationTurn(
  w: Writes,
  conversationId: string,
  decide: (current: ConversationRow) => RecordTurnInput | null,
): Promise<StoredConversation> {
  let jobs: readonly JobRequest[] = [];
  const result = await w.db.transaction().execute(async (trx) => {
    const current = await trx
      .selectFrom('conversations')
      .selectAll()
      .where('id', '=', conversationId)
      .forUpdate()
      .executeTakeFirst();
    if (!current) throw conversationNotFound(conversationId);
    const input = decide(current);
    if (!input) return storedConversation(current);
    const plan = planTurn(current, input, await nextSeq(trx, conversationId));
    for (const h of plan.handled) {
      await trx
        .updateTable('conversation_messages')
        .set((eb) => ({ pending: 0, analysis: eb.fn.coalesce(eb.val(h.analysis), eb.ref('analysis')) }))
        .where('conversation_id', '=', conversationId)
        .where('seq', '=', h.seq)
        .where('pending', '=', 1)
        .execute();
    }
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
    if (plan.completes) await w.jobs.completeIn(executorOf(trx), plan.completes);
    if (plan.jobs.length > 0) {
      jobs = plan.jobs;
      await w.jobs.prepare(plan.jobs.map((j) => j.queue));
      await w.jobs.enqueueIn(executorOf(trx), plan.jobs);
      await sql`select pg_notify(${w.channel}, ${'jobs:'})`.execute(trx);
    }
    await sql`select pg_notify(${w.channel}, ${`conversation:${conversationId}`})`.execute(trx);
    return storedConversation({ ...current, ...plan.update });
  });
  w.announce({ topic: 'conversation', id: conversationId });
  if (jobs.length > 0) w.announce({ topic: 'jobs', id: null });
  return result;
}

async function upsertBatch(
  trx: Transaction<Schema>,
  input: readonly PreparedTicket[],
  context: UpsertContext,
  at: number,
): Promise<UpsertResult> {
  const { origin } = context;
  // A batch may name the same ticket twice: the newest version wins.
  const { tickets, older, repeated } = newestVersions(input);
  const result: UpsertResult = { inserted: 0, updated: 0, unchanged: repeated, older };

  const existing = new Map<string, { id: number; hash: string; updatedAt: number | null }>();
  for (const [source, group] of groupBy(tickets, (t) => t.source)) {
    for (const ids of chunks(
      group.map((t) => t.externalId),
      CHUNK_ROWS,
    )) {
      const rows = await trx
        .selectFrom('tickets')
        .select(['id', 'external_id', 'content_hash', 'updated_at'])
        .where('source', '=', source)
        .where('external_id', 'in', ids)
        .execute();
      for (const r of rows) {
        existing.set(`${source}\u0000${r.external_id}`, {
          id: r.id,
          hash: r.content_hash,
          updatedAt: r.updated_at === null ? null : Number(r.updated_at),
        });
      }
    }
  }

  const changed: { ticket: PreparedTicket; existingId: number | null }[] = [];
  for (const ticket of tickets) {
    const found = existing.get(`${ticket.source}\u0000${ticket.externalId}`);
    if (found && found.hash === ticket.hash) result.unchanged++;
    else if (found && isOlder(ticket.updatedAt, found.updatedAt)) result.older++;
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
