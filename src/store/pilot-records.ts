import { type Kysely, sql } from 'kysely';
import { storedEvent } from './rows.ts';
import type { Database } from './schema.ts';
import type { Change, PilotEventType, Store } from './store.ts';

/** The events that make up the pilots' settings and the kill switch, and their history. */
export const PILOT_EVENT_TYPES = [
  'pilot.changed',
  'automation.killed',
  'automation.resumed',
] as const satisfies readonly PilotEventType[];

/** The condition of the partial index `events_pilots` (migration 0006). */
export const PILOT_EVENTS_CONDITION = sql<boolean>`${sql.ref('type')} in (${sql.join(
  PILOT_EVENT_TYPES.map((t) => sql.lit(t)),
)})`;

type PilotMethods = Pick<Store, 'appendPilotEvent' | 'listPilotEvents' | 'lastPilotEventId'>;

/**
 * Pilot settings and the kill switch, the same Kysely statements on SQLite and PostgreSQL. The event log is the
 * record (append-only, who, when, why): each change is one insert, atomic on its own, and the current settings are
 * the newest event per workflow (src/pilots/ folds them). Every process is told through the `settings` topic (and,
 * from another SQLite process, by the file's data version).
 */
export function pilotRecords(db: Kysely<Database>, publish: (change: Change) => Promise<void>): PilotMethods {
  // Literal values, exactly as in the partial index of migration 0006, so both databases use it.
  const pilotEvents = () => db.selectFrom('events').where(PILOT_EVENTS_CONDITION);
  return {
    async appendPilotEvent({ type, payload, at }) {
      const row = { at, type, ticket_id: null, conversation_id: null, payload: JSON.stringify(payload) };
      const { id } = await db.insertInto('events').values(row).returning('id').executeTakeFirstOrThrow();
      const workflowId = typeof payload.workflowId === 'string' ? payload.workflowId : null;
      await publish({ topic: 'settings', id: workflowId });
      return storedEvent({ ...row, id });
    },
    async listPilotEvents(query = {}) {
      const rows = await pilotEvents()
        .selectAll()
        .where('id', '>', query.afterId ?? 0)
        .orderBy('id')
        .execute();
      return rows.map(storedEvent);
    },
    async lastPilotEventId() {
      const row = await pilotEvents()
        .select(sql<number | string | null>`max(id)`.as('last'))
        .executeTakeFirst();
      return Number(row?.last ?? 0);
    },
  };
}
