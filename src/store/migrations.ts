import { type Kysely, type Migration, type MigrationProvider, Migrator, sql } from 'kysely';
import { refigureTickets } from './refigure-tickets.ts';
import type { StoreCapabilities } from './store.ts';

/**
 * The migrator of a store. With a PostgreSQL schema, Kysely's bookkeeping tables are looked up in that schema:
 * otherwise it finds them in any schema of the database and skips creating its own.
 */
// biome-ignore lint/suspicious/noExplicitAny: the migrator works on any schema
export function migrator(db: Kysely<any>, dialect: StoreCapabilities['dialect'], schema?: string): Migrator {
  return new Migrator({
    db,
    provider: migrationProvider(dialect),
    ...(schema ? { migrationTableSchema: schema } : {}),
  });
}

/**
 * Numbered migrations, applied in order when a store opens. The DDL differs only where the dialect is declared
 * to differ (the id column and 64-bit integers); never edit a migration that has shipped, add the next number.
 */
export function migrationProvider(dialect: StoreCapabilities['dialect']): MigrationProvider {
  return { getMigrations: async () => migrations(dialect) };
}

function migrations(dialect: StoreCapabilities['dialect']): Record<string, Migration> {
  // biome-ignore lint/suspicious/noExplicitAny: migrations run against a schema that is being built
  type Db = Kysely<any>;
  const id = dialect === 'postgres' ? 'bigserial' : 'integer';
  const big = dialect === 'postgres' ? 'bigint' : 'integer';
  const real = dialect === 'postgres' ? 'double precision' : 'real';
  // The allowed values are checked by the database too, so a bad value fails the whole transaction.
  const oneOf = (column: string, values: readonly string[]) =>
    sql`${sql.ref(column)} in (${sql.join(values.map((v) => sql.lit(v)))})`;
  return {
    '0001_tickets': {
      async up(db: Db) {
        await db.schema
          .createTable('customers')
          .addColumn('id', id, (c) =>
            dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement(),
          )
          .addColumn('source', 'text', (c) => c.notNull())
          .addColumn('customer_key', 'text', (c) => c.notNull())
          .addColumn('external_id', 'text')
          .addColumn('email', 'text')
          .addColumn('name', 'text')
          .addColumn('segment', 'text')
          .addColumn('attributes', 'text', (c) => c.notNull().defaultTo('{}'))
          .addUniqueConstraint('customers_source_key', ['source', 'customer_key'])
          .execute();

        await db.schema
          .createTable('tickets')
          .addColumn('id', id, (c) =>
            dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement(),
          )
          .addColumn('source', 'text', (c) => c.notNull())
          .addColumn('external_id', 'text', (c) => c.notNull())
          .addColumn('customer_id', big, (c) => c.references('customers.id'))
          .addColumn('subject', 'text')
          .addColumn('channel', 'text')
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('status_raw', 'text')
          .addColumn('priority', 'text')
          .addColumn('tags', 'text', (c) => c.notNull().defaultTo('[]'))
          .addColumn('category', 'text')
          .addColumn('assignee', 'text')
          .addColumn('group_name', 'text')
          .addColumn('created_at', big, (c) => c.notNull())
          .addColumn('updated_at', big)
          .addColumn('first_response_at', big)
          .addColumn('resolved_at', big)
          .addColumn('closed_at', big)
          .addColumn('csat_score', real)
          .addColumn('csat_raw', 'text')
          .addColumn('handle_time_seconds', real)
          .addColumn('reopens', 'integer')
          .addColumn('custom_fields', 'text', (c) => c.notNull().defaultTo('{}'))
          .addColumn('first_response_seconds', real)
          .addColumn('resolution_seconds', real)
          .addColumn('customer_message_count', 'integer', (c) => c.notNull())
          .addColumn('agent_message_count', 'integer', (c) => c.notNull())
          .addColumn('content_hash', 'text', (c) => c.notNull())
          .addUniqueConstraint('tickets_source_external_id', ['source', 'external_id'])
          .execute();
        await db.schema.createIndex('tickets_created_at').on('tickets').column('created_at').execute();
        await db.schema.createIndex('tickets_category').on('tickets').column('category').execute();

        await db.schema
          .createTable('messages')
          .addColumn('id', id, (c) =>
            dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement(),
          )
          .addColumn('ticket_id', big, (c) => c.notNull().references('tickets.id').onDelete('cascade'))
          .addColumn('seq', 'integer', (c) => c.notNull())
          .addColumn('external_id', 'text')
          .addColumn('author_role', 'text', (c) => c.notNull())
          .addColumn('author_id', 'text')
          .addColumn('body', 'text', (c) => c.notNull())
          .addColumn('created_at', big, (c) => c.notNull())
          .addColumn('public', 'integer', (c) => c.notNull())
          .addUniqueConstraint('messages_ticket_seq', ['ticket_id', 'seq'])
          .execute();

        await db.schema
          .createTable('events')
          .addColumn('id', id, (c) =>
            dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement(),
          )
          .addColumn('at', big, (c) => c.notNull())
          .addColumn('type', 'text', (c) => c.notNull())
          .addColumn('ticket_id', big)
          .addColumn('payload', 'text', (c) => c.notNull().defaultTo('{}'))
          .execute();
        await db.schema.createIndex('events_ticket').on('events').column('ticket_id').execute();
        // The event log is append-only: the database itself refuses updates and deletes.
        if (dialect === 'postgres') {
          await sql`create function events_append_only() returns trigger language plpgsql as $$
            begin raise exception 'events are append-only'; end $$`.execute(db);
          await sql`create trigger events_append_only before update or delete on events
            for each row execute function events_append_only()`.execute(db);
        } else {
          await sql`create trigger events_no_update before update on events
            begin select raise(abort, 'events are append-only'); end`.execute(db);
          await sql`create trigger events_no_delete before delete on events
            begin select raise(abort, 'events are append-only'); end`.execute(db);
        }
      },
    },
    '0002_conversations': {
      async up(db: Db) {
        await db.schema
          .createTable('conversations')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('customer', 'text', (c) => c.notNull())
          .addColumn('channel', 'text', (c) => c.notNull())
          .addColumn('owner', 'text', (c) => c.notNull().check(oneOf('owner', ['bot', 'human'])))
          .addColumn('status', 'text', (c) =>
            c.notNull().check(oneOf('status', ['open', 'resolved', 'escalated', 'closed'])),
          )
          .addColumn('workflow_id', 'text')
          .addColumn('workflow_version', 'integer')
          .addColumn('state', 'text')
          .addColumn('revision', 'integer', (c) => c.notNull())
          .addColumn('created_at', big, (c) => c.notNull())
          .addColumn('updated_at', big, (c) => c.notNull())
          .execute();
        // Listing is by status (the escalated queue), newest first. The index holds the status alone: every
        // turn moves updated_at, and an index containing it is rewritten on every turn (measured: ~20 us a turn
        // each on SQLite), while a status changes a few times per conversation. The rows of one status are
        // sorted by updated_at when listed; listing by owner alone, or unfiltered, scans (rare admin views).
        await db.schema.createIndex('conversations_status').on('conversations').column('status').execute();

        await db.schema
          .createTable('conversation_messages')
          .addColumn('id', id, (c) =>
            dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement(),
          )
          .addColumn('conversation_id', 'text', (c) => c.notNull().references('conversations.id'))
          .addColumn('seq', 'integer', (c) => c.notNull())
          .addColumn('role', 'text', (c) =>
            c.notNull().check(oneOf('role', ['customer', 'bot', 'agent', 'system'])),
          )
          .addColumn('text', 'text', (c) => c.notNull())
          .addColumn('analysis', 'text')
          .addColumn('step_id', 'text')
          .addColumn('created_at', big, (c) => c.notNull())
          .addUniqueConstraint('conversation_messages_conversation_seq', ['conversation_id', 'seq'])
          .execute();

        await db.schema
          .createTable('handoffs')
          .addColumn('id', id, (c) =>
            dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement(),
          )
          .addColumn('conversation_id', 'text', (c) => c.notNull().references('conversations.id'))
          .addColumn('created_at', big, (c) => c.notNull())
          .addColumn('code', 'text', (c) => c.notNull())
          .addColumn('queue', 'text', (c) => c.notNull())
          .addColumn('priority', 'text', (c) => c.notNull())
          .addColumn('packet', 'text', (c) => c.notNull())
          .execute();
        await db.schema
          .createIndex('handoffs_conversation')
          .on('handoffs')
          .column('conversation_id')
          .execute();

        // A nullable column without a default: no existing row is rewritten, so the append-only triggers
        // never fire.
        await db.schema.alterTable('events').addColumn('conversation_id', 'text').execute();
        // Partial indexes: a conversation event has no ticket and a ticket event no conversation, so neither
        // pays for an index entry it will never be found by.
        await db.schema
          .createIndex('events_conversation')
          .on('events')
          .column('conversation_id')
          .where(sql.ref('conversation_id'), 'is not', null)
          .execute();
        await db.schema.dropIndex('events_ticket').execute();
        await db.schema
          .createIndex('events_ticket')
          .on('events')
          .column('ticket_id')
          .where(sql.ref('ticket_id'), 'is not', null)
          .execute();
      },
    },
    '0003_live': {
      async up(db: Db) {
        // Nullable columns, or NOT NULL with a default: existing rows read as "handled" and "no token".
        await db.schema.alterTable('conversations').addColumn('token_hash', 'text').execute();
        await db.schema.alterTable('conversations').addColumn('idempotency_key', 'text').execute();
        await db.schema
          .createIndex('conversations_idempotency_key')
          .on('conversations')
          .column('idempotency_key')
          .unique()
          .where(sql.ref('idempotency_key'), 'is not', null)
          .execute();
        for (const column of ['kind', 'choices', 'idempotency_key']) {
          await db.schema.alterTable('conversation_messages').addColumn(column, 'text').execute();
        }
        await db.schema
          .alterTable('conversation_messages')
          .addColumn('pending', 'integer', (c) => c.notNull().defaultTo(0))
          .execute();
        await db.schema
          .createIndex('conversation_messages_idempotency_key')
          .on('conversation_messages')
          .columns(['conversation_id', 'idempotency_key'])
          .unique()
          .where(sql.ref('idempotency_key'), 'is not', null)
          .execute();
        // Only pending rows are indexed: a handled message leaves the index, so it stays a few rows small.
        await db.schema
          .createIndex('conversation_messages_pending')
          .on('conversation_messages')
          .columns(['conversation_id', 'seq'])
          .where(sql.ref('pending'), '=', 1)
          .execute();

        await db.schema
          .createTable('feedback')
          .addColumn('id', id, (c) =>
            dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement(),
          )
          .addColumn('conversation_id', 'text', (c) => c.notNull().references('conversations.id'))
          .addColumn('at', big, (c) => c.notNull())
          .addColumn('resolved', 'integer')
          .addColumn('rating', 'integer')
          .addColumn('comment', 'text')
          .addColumn('source', 'text', (c) => c.notNull())
          .execute();
        await db.schema
          .createIndex('feedback_conversation')
          .on('feedback')
          .column('conversation_id')
          .execute();

        await db.schema
          .createTable('artifacts')
          .addColumn('id', id, (c) =>
            dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement(),
          )
          .addColumn('kind', 'text', (c) => c.notNull())
          .addColumn('version', 'integer', (c) => c.notNull())
          .addColumn('sha256', 'text', (c) => c.notNull())
          .addColumn('bytes', big, (c) => c.notNull())
          .addColumn('content', 'text', (c) => c.notNull())
          .addColumn('note', 'text')
          .addColumn('created_by', 'text', (c) => c.notNull())
          .addColumn('created_at', big, (c) => c.notNull())
          .addUniqueConstraint('artifacts_kind_version', ['kind', 'version'])
          .execute();
        await db.schema
          .createTable('active_artifacts')
          .addColumn('kind', 'text', (c) => c.primaryKey())
          .addColumn('version', 'integer', (c) => c.notNull())
          .addColumn('activated_at', big, (c) => c.notNull())
          .addColumn('activated_by', 'text', (c) => c.notNull())
          .execute();

        await db.schema
          .createTable('api_keys')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('scopes', 'text', (c) => c.notNull())
          .addColumn('secret_hash', 'text', (c) => c.notNull())
          .addColumn('publishable', 'integer', (c) => c.notNull())
          .addColumn('origins', 'text', (c) => c.notNull())
          .addColumn('identity_secret', 'text')
          // Publishable keys sit in web pages anyway: kept whole, so a page can be rendered with one again.
          .addColumn('publishable_key', 'text')
          .addColumn('created_at', big, (c) => c.notNull())
          .addColumn('created_by', 'text', (c) => c.notNull())
          .addColumn('revoked_at', big)
          .execute();

        if (dialect === 'sqlite') {
          // The SQLite job queue (PostgreSQL uses pg-boss, in its own schema).
          await db.schema
            .createTable('jobs')
            .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
            .addColumn('queue', 'text', (c) => c.notNull())
            .addColumn('payload', 'text', (c) => c.notNull())
            .addColumn('key', 'text')
            .addColumn('exclusive_key', 'text')
            .addColumn('state', 'text', (c) =>
              c.notNull().check(oneOf('state', ['queued', 'active', 'done', 'dead'])),
            )
            .addColumn('attempts', 'integer', (c) => c.notNull())
            .addColumn('max_attempts', 'integer', (c) => c.notNull())
            .addColumn('timeout_ms', 'integer', (c) => c.notNull())
            .addColumn('run_at', big, (c) => c.notNull())
            .addColumn('locked_by', 'text')
            .addColumn('locked_until', big)
            .addColumn('last_code', 'text')
            .addColumn('last_error', 'text')
            .addColumn('created_at', big, (c) => c.notNull())
            .addColumn('finished_at', big)
            .execute();
          // Keys deduplicate; most jobs (a message's turn) have none and stay out of the index: a NULL is indexed by a
          // plain unique column, and every insert and delete of a keyless job rewrote a page of it.
          await db.schema
            .createIndex('jobs_key')
            .on('jobs')
            .column('key')
            .unique()
            .where(sql.ref('key'), 'is not', null)
            .execute();
          // What a claim reads: waiting jobs by time, and running ones (their exclusive keys, their deadlines).
          await db.schema
            .createIndex('jobs_waiting')
            .on('jobs')
            .columns(['run_at', 'id'])
            .where(sql.ref('state'), '=', 'queued')
            .execute();
          await db.schema
            .createIndex('jobs_active')
            .on('jobs')
            .columns(['exclusive_key', 'locked_until'])
            .where(sql.ref('state'), '=', 'active')
            .execute();
        }
      },
    },
    '0004_ticket_figures': {
      async up(db: Db) {
        // One transaction (SQLite's migrations run outside one): the column and the corrected figures together.
        const run = async (trx: Db) => {
          await trx.schema
            .alterTable('tickets')
            .addColumn('agent_started', 'integer', (c) => c.notNull().defaultTo(0))
            .execute();
          await refigureTickets(trx);
        };
        await (db.isTransaction ? run(db) : db.transaction().execute(run));
      },
    },
    '0005_people': {
      async up(db: Db) {
        await db.schema
          .createTable('users')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('email', 'text', (c) => c.notNull().unique())
          .addColumn('name', 'text')
          .addColumn('role', 'text', (c) => c.notNull().check(oneOf('role', ['agent', 'lead', 'admin'])))
          .addColumn('password_hash', 'text')
          .addColumn('created_at', big, (c) => c.notNull())
          .addColumn('created_by', 'text', (c) => c.notNull())
          .addColumn('disabled_at', big)
          .execute();
        await db.schema
          .createTable('sessions')
          .addColumn('id_hash', 'text', (c) => c.primaryKey())
          .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
          .addColumn('created_at', big, (c) => c.notNull())
          .addColumn('last_seen_at', big, (c) => c.notNull())
          .addColumn('expires_at', big, (c) => c.notNull())
          .execute();
        await db.schema.createIndex('sessions_user').on('sessions').column('user_id').execute();
        await db.schema
          .createTable('invitations')
          .addColumn('token_hash', 'text', (c) => c.primaryKey())
          .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
          .addColumn('created_at', big, (c) => c.notNull())
          .addColumn('expires_at', big, (c) => c.notNull())
          .addColumn('used_at', big)
          .execute();
        await db.schema
          .createTable('login_failures')
          .addColumn('key', 'text', (c) => c.primaryKey())
          .addColumn('failures', 'integer', (c) => c.notNull())
          .addColumn('window_started_at', big, (c) => c.notNull())
          .addColumn('locked_until', big)
          .execute();
      },
    },
    '0006_pilots': {
      async up(db: Db) {
        // Pilot settings and the kill switch live in the event log (src/store/pilot-records.ts); every process reads
        // the newest of them every 2 s, so they get an index of their own, partial: no other event writes to it.
        await db.schema
          .createIndex('events_pilots')
          .on('events')
          .column('id')
          // The same condition as PILOT_EVENTS_CONDITION (pilot-records.ts), written out: a migration never changes.
          .where(sql<boolean>`${oneOf('type', ['pilot.changed', 'automation.killed', 'automation.resumed'])}`)
          .execute();
      },
    },
  };
}
