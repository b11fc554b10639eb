import { type Kysely, sql } from 'kysely';
import { blankTicket, deriveTicketFigures, type Message } from '../domain/index.ts';
import type { Database } from './schema.ts';

/**
 * Brings the figures of tickets stored before migration 0004 to the rules of deriveTicketFigures, from what the
 * store holds (an unchanged re-import is skipped by its content hash, so it would never correct them):
 * - a ticket that is not resolved or closed loses its resolution time (its time stamps are kept as given);
 * - a ticket whose earliest message is an agent's or a bot's is marked agent-started, and its first response is
 *   derived again when the stored one is what the earlier rule derived (the earliest public agent or bot message
 *   at or after the ticket's creation). A stored value that differs from it was stated by the export, and is kept.
 *
 * Whether the export said who started a ticket (`startedBy`) was not stored before: a ticket whose earliest stored
 * message is the customer's stays customer-started until it is imported again.
 */
export async function refigureTickets(db: Kysely<Database>, pageSize = 1000): Promise<void> {
  await db
    .updateTable('tickets')
    .set({ resolution_seconds: null })
    .where('status', 'not in', ['resolved', 'closed'])
    .where('resolution_seconds', 'is not', null)
    .execute();

  const earliestRole = sql<string>`(select m.author_role from messages m where m.ticket_id = tickets.id
    order by m.created_at, m.seq limit 1)`;
  for (let afterId = 0; ; ) {
    const page = await db
      .selectFrom('tickets')
      .select(['id', 'source', 'external_id', 'created_at', 'first_response_at'])
      .where('id', '>', afterId)
      .where(earliestRole, 'in', ['agent', 'bot'])
      .orderBy('id')
      .limit(pageSize)
      .execute();
    if (page.length === 0) return;
    const ids = page.map((t) => Number(t.id));
    const messages = new Map<number, Message[]>(ids.map((id) => [id, []]));
    const rows = await db
      .selectFrom('messages')
      .select(['ticket_id', 'author_role', 'created_at', 'public'])
      .where('ticket_id', 'in', ids)
      .orderBy('ticket_id')
      .orderBy('seq')
      .execute();
    for (const m of rows) {
      messages.get(Number(m.ticket_id))?.push({
        externalId: null,
        authorRole: m.author_role as Message['authorRole'],
        authorId: null,
        body: '',
        createdAt: Number(m.created_at),
        public: Boolean(m.public),
      });
    }
    for (const t of page) {
      const createdAt = Number(t.created_at);
      const thread = messages.get(Number(t.id)) ?? [];
      const stored = t.first_response_at === null ? null : Number(t.first_response_at);
      const derived = stored === earlierRule(createdAt, thread);
      const figures = deriveTicketFigures({
        ...blankTicket(t.source, t.external_id, createdAt),
        messages: thread,
      });
      await db
        .updateTable('tickets')
        .set({
          agent_started: figures.agentStarted ? 1 : 0,
          ...(derived
            ? {
                first_response_at: figures.firstResponseAt,
                first_response_seconds: figures.firstResponseSeconds,
              }
            : {}),
        })
        .where('id', '=', t.id)
        .execute();
    }
    afterId = Number(page[page.length - 1]!.id);
  }
}

/** The first-response rule before migration 0004, frozen here to recognise the values it derived. */
function earlierRule(createdAt: number, messages: readonly Message[]): number | null {
  let at: number | null = null;
  for (const m of messages) {
    const responder = m.authorRole === 'agent' || m.authorRole === 'bot';
    if (responder && m.public && m.createdAt >= createdAt && (at === null || m.createdAt < at))
      at = m.createdAt;
  }
  return at;
}
