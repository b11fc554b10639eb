import type { Kysely } from 'kysely';
import { quantile, UserError } from '../shared/index.ts';
import {
  artifactInfo,
  storedApiKey,
  storedConversation,
  storedConversationMessage,
  storedEvent,
  storedFeedback,
  storedHandoff,
  storedMessage,
  storedTicket,
  type TicketSelectRow,
} from './rows.ts';
import type { Database } from './schema.ts';
import type {
  ArtifactInfo,
  ArtifactKind,
  ConversationMessageQuery,
  ConversationPage,
  ConversationQuery,
  ConversationWithMessages,
  EventQuery,
  HandoffQuery,
  Percentiles,
  StoredApiKey,
  StoredArtifact,
  StoredConversation,
  StoredConversationMessage,
  StoredEvent,
  StoredFeedback,
  StoredHandoff,
  StoredTicket,
  StoreStats,
  TicketQuery,
} from './store.ts';

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

export async function listEvents(db: Kysely<Database>, query: EventQuery): Promise<StoredEvent[]> {
  let q = db
    .selectFrom('events')
    .selectAll()
    .where('id', '>', query.afterId ?? 0)
    .orderBy('id')
    .limit(query.limit);
  if (query.type !== undefined) q = q.where('type', '=', query.type);
  if (query.conversationId !== undefined) q = q.where('conversation_id', '=', query.conversationId);
  return (await q.execute()).map(storedEvent);
}

export async function getConversation(
  db: Kysely<Database>,
  id: string,
): Promise<ConversationWithMessages | undefined> {
  const row = await db.selectFrom('conversations').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) return undefined;
  const messages = await db
    .selectFrom('conversation_messages')
    .selectAll()
    .where('conversation_id', '=', id)
    .orderBy('seq')
    .execute();
  return { conversation: storedConversation(row), messages: messages.map(storedConversationMessage) };
}

export async function findConversation(
  db: Kysely<Database>,
  id: string,
): Promise<StoredConversation | undefined> {
  const row = await db.selectFrom('conversations').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? storedConversation(row) : undefined;
}

/** Keyset pagination on (updated_at, id), newest first; the cursor is the last row's pair, opaque to callers. */
export async function listConversations(
  db: Kysely<Database>,
  query: ConversationQuery,
): Promise<ConversationPage> {
  let q = db
    .selectFrom('conversations')
    .selectAll()
    .orderBy('updated_at', 'desc')
    .orderBy('id', 'desc')
    .limit(query.limit + 1);
  if (query.status !== undefined) q = q.where('status', '=', query.status);
  if (query.owner !== undefined) q = q.where('owner', '=', query.owner);
  if (query.cursor) {
    const [updatedAt, id] = decodeCursor(query.cursor);
    q = q.where((eb) =>
      eb.or([
        eb('updated_at', '<', updatedAt),
        eb.and([eb('updated_at', '=', updatedAt), eb('id', '<', id)]),
      ]),
    );
  }
  const rows = await q.execute();
  const conversations = rows.slice(0, query.limit).map(storedConversation);
  const last = conversations[conversations.length - 1];
  return {
    conversations,
    nextCursor: rows.length > query.limit && last ? encodeCursor(last.updatedAt, last.id) : null,
  };
}

function encodeCursor(updatedAt: number, id: string): string {
  return Buffer.from(JSON.stringify([updatedAt, id])).toString('base64url');
}

function decodeCursor(cursor: string): [number, string] {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      Array.isArray(value) &&
      value.length === 2 &&
      Number.isSafeInteger(value[0]) &&
      typeof value[1] === 'string'
    ) {
      return [value[0], value[1]];
    }
  } catch {
    // Not JSON: reported below like any other foreign cursor.
  }
  throw new UserError('conversation.bad_cursor', 'the cursor is not one returned by listConversations', {
    field: 'cursor',
  });
}

export async function listHandoffs(db: Kysely<Database>, query: HandoffQuery): Promise<StoredHandoff[]> {
  let q = db
    .selectFrom('handoffs')
    .selectAll()
    .where('id', '>', query.afterId ?? 0)
    .orderBy('id');
  if (query.conversationId !== undefined) q = q.where('conversation_id', '=', query.conversationId);
  if (query.limit !== undefined) q = q.limit(query.limit);
  return (await q.execute()).map(storedHandoff);
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

async function countRows(
  db: Kysely<Database>,
  table: 'tickets' | 'messages' | 'customers' | 'events' | 'conversations',
) {
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
    agentStarted: Number(
      (
        await db
          .selectFrom('tickets')
          .select((eb) => eb.fn.countAll().as('n'))
          .where('agent_started', '=', 1)
          .executeTakeFirstOrThrow()
      ).n,
    ),
    firstResponseSeconds: await percentiles(db, 'first_response_seconds'),
    resolutionSeconds: await percentiles(db, 'resolution_seconds'),
    conversations: await countRows(db, 'conversations'),
  };
}

export async function listConversationMessages(
  db: Kysely<Database>,
  query: ConversationMessageQuery,
): Promise<StoredConversationMessage[]> {
  if (query.seqs !== undefined && query.seqs.length === 0) return [];
  let q = db
    .selectFrom('conversation_messages')
    .selectAll()
    .where('conversation_id', '=', query.conversationId)
    .orderBy('seq');
  if (query.afterSeq !== undefined) q = q.where('seq', '>', query.afterSeq);
  if (query.seqs !== undefined) q = q.where('seq', 'in', [...query.seqs]);
  return (await q.execute()).map(storedConversationMessage);
}

export async function conversationsWithPendingMessages(
  db: Kysely<Database>,
  query: { receivedBefore: number; limit: number },
): Promise<string[]> {
  const rows = await db
    .selectFrom('conversation_messages')
    .select('conversation_id')
    .distinct()
    .where('pending', '=', 1)
    .where('created_at', '<', query.receivedBefore)
    .orderBy('conversation_id')
    .limit(query.limit)
    .execute();
  return rows.map((r) => r.conversation_id);
}

export async function listFeedback(
  db: Kysely<Database>,
  query: { conversationId: string },
): Promise<StoredFeedback[]> {
  const rows = await db
    .selectFrom('feedback')
    .selectAll()
    .where('conversation_id', '=', query.conversationId)
    .orderBy('id')
    .execute();
  return rows.map(storedFeedback);
}

async function activeVersion(db: Kysely<Database>, kind: ArtifactKind): Promise<number | null> {
  const row = await db
    .selectFrom('active_artifacts')
    .select('version')
    .where('kind', '=', kind)
    .executeTakeFirst();
  return row ? Number(row.version) : null;
}

export async function getArtifact(
  db: Kysely<Database>,
  kind: ArtifactKind,
  version: number | 'active',
): Promise<StoredArtifact | undefined> {
  const active = await activeVersion(db, kind);
  const wanted = version === 'active' ? active : version;
  if (wanted === null) return undefined;
  const row = await db
    .selectFrom('artifacts')
    .selectAll()
    .where('kind', '=', kind)
    .where('version', '=', wanted)
    .executeTakeFirst();
  return row ? { ...artifactInfo(row, active), content: row.content } : undefined;
}

export async function listArtifacts(db: Kysely<Database>, kind: ArtifactKind): Promise<ArtifactInfo[]> {
  const active = await activeVersion(db, kind);
  const rows = await db
    .selectFrom('artifacts')
    .select(['kind', 'version', 'sha256', 'bytes', 'note', 'created_by', 'created_at'])
    .where('kind', '=', kind)
    .orderBy('version', 'desc')
    .execute();
  return rows.map((row) => artifactInfo(row, active));
}

export async function listApiKeys(db: Kysely<Database>): Promise<StoredApiKey[]> {
  const rows = await db
    .selectFrom('api_keys')
    .selectAll()
    .orderBy('created_at', 'desc')
    .orderBy('id')
    .execute();
  return rows.map(storedApiKey);
}
