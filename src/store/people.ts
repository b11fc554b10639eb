import type { Kysely, Selectable } from 'kysely';
import { UserError } from '../shared/index.ts';
import type { Database, UsersTable } from './schema.ts';
import type { Store, StoredSession, StoredUser, UserRole } from './store.ts';

type PeopleMethods = Pick<
  Store,
  | 'createUser'
  | 'findUser'
  | 'listUsers'
  | 'setUserPassword'
  | 'setUserDisabled'
  | 'createSession'
  | 'findSession'
  | 'deleteSessions'
  | 'createInvitation'
  | 'acceptInvitation'
  | 'recordLoginFailure'
  | 'loginLockedUntil'
  | 'clearLoginFailures'
>;

/**
 * Accounts, sessions, invitations and sign-in throttling: the same Kysely statements on SQLite and PostgreSQL.
 * Each write is one statement (atomic on its own), so none needs a transaction beside the store's raw ones.
 */
export function peopleRecords(
  db: Kysely<Database>,
  isUniqueViolation: (error: unknown) => boolean,
): PeopleMethods {
  const findUser = async (query: { id: string } | { email: string }) => {
    const row = await ('id' in query
      ? db.selectFrom('users').selectAll().where('id', '=', query.id)
      : db.selectFrom('users').selectAll().where('email', '=', query.email.trim().toLowerCase())
    ).executeTakeFirst();
    return row ? storedUser(row) : undefined;
  };

  return {
    async createUser(input) {
      const row = {
        id: input.id,
        email: input.email.trim().toLowerCase(),
        name: input.name ?? null,
        role: input.role,
        password_hash: input.passwordHash,
        created_at: input.at,
        created_by: input.by,
        disabled_at: null,
      };
      try {
        await db.insertInto('users').values(row).execute();
      } catch (error) {
        if (isUniqueViolation(error)) {
          throw new UserError('user.exists', `an account for ${row.email} exists already`, {
            field: 'email',
          });
        }
        throw error;
      }
      return storedUser(row);
    },
    findUser,
    async listUsers() {
      const rows = await db.selectFrom('users').selectAll().orderBy('created_at').orderBy('id').execute();
      return rows.map(storedUser);
    },
    async setUserPassword({ userId, passwordHash }) {
      await db.updateTable('users').set({ password_hash: passwordHash }).where('id', '=', userId).execute();
    },
    async setUserDisabled({ userId, disabled, at }) {
      await db
        .updateTable('users')
        .set({ disabled_at: disabled ? at : null })
        .where('id', '=', userId)
        .execute();
      if (disabled) await db.deleteFrom('sessions').where('user_id', '=', userId).execute();
      return findUser({ id: userId });
    },
    async createSession({ idHash, userId, at, expiresAt }) {
      await db
        .insertInto('sessions')
        .values({ id_hash: idHash, user_id: userId, created_at: at, last_seen_at: at, expires_at: expiresAt })
        .execute();
    },
    async findSession({ idHash, at }) {
      const row = await db
        .selectFrom('sessions')
        .innerJoin('users', 'users.id', 'sessions.user_id')
        .selectAll('users')
        .select([
          'sessions.id_hash',
          'sessions.user_id',
          'sessions.created_at as session_created_at',
          'sessions.last_seen_at',
          'sessions.expires_at',
        ])
        .where('sessions.id_hash', '=', idHash)
        .where('sessions.expires_at', '>', at)
        .where('users.disabled_at', 'is', null)
        .executeTakeFirst();
      if (!row) return undefined;
      // Once a minute is enough to say the session is in use.
      if (at - Number(row.last_seen_at) > 60_000) {
        await db.updateTable('sessions').set({ last_seen_at: at }).where('id_hash', '=', idHash).execute();
      }
      const session: StoredSession = {
        idHash: row.id_hash,
        userId: row.user_id,
        createdAt: Number(row.session_created_at),
        lastSeenAt: Math.max(Number(row.last_seen_at), at),
        expiresAt: Number(row.expires_at),
      };
      return { session, user: storedUser(row) };
    },
    async deleteSessions(query) {
      const result = await ('idHash' in query
        ? db.deleteFrom('sessions').where('id_hash', '=', query.idHash)
        : db.deleteFrom('sessions').where('user_id', '=', query.userId)
      ).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
    async createInvitation({ tokenHash, userId, at, expiresAt }) {
      await db
        .insertInto('invitations')
        .values({
          token_hash: tokenHash,
          user_id: userId,
          created_at: at,
          expires_at: expiresAt,
          used_at: null,
        })
        .execute();
    },
    async acceptInvitation({ tokenHash, passwordHash, at }) {
      const used = await db
        .updateTable('invitations')
        .set({ used_at: at })
        .where('token_hash', '=', tokenHash)
        .where('used_at', 'is', null)
        .where('expires_at', '>', at)
        .returning('user_id')
        .executeTakeFirst();
      if (!used) return undefined;
      await db
        .updateTable('users')
        .set({ password_hash: passwordHash })
        .where('id', '=', used.user_id)
        .execute();
      return findUser({ id: used.user_id });
    },
    async recordLoginFailure({ key, at, limit, windowMs, lockMs }) {
      // One statement: a new window when the last one is over, else one more failure; the lock once past the limit.
      const row = await db
        .insertInto('login_failures')
        .values({ key, failures: 1, window_started_at: at, locked_until: limit <= 1 ? at + lockMs : null })
        .onConflict((oc) =>
          oc.column('key').doUpdateSet((eb) => {
            const fresh = eb(eb.ref('login_failures.window_started_at'), '<=', at - windowMs);
            const failures = eb
              .case()
              .when(fresh)
              .then(1)
              .else(eb(eb.ref('login_failures.failures'), '+', 1))
              .end();
            return {
              failures,
              window_started_at: eb
                .case()
                .when(fresh)
                .then(at)
                .else(eb.ref('login_failures.window_started_at'))
                .end(),
              locked_until: eb
                .case()
                .when(eb(failures, '>=', limit))
                .then(at + lockMs)
                .else(eb.ref('login_failures.locked_until'))
                .end(),
            };
          }),
        )
        .returning(['failures', 'locked_until'])
        .executeTakeFirstOrThrow();
      const lockedUntil = row.locked_until === null ? null : Number(row.locked_until);
      return {
        failures: Number(row.failures),
        lockedUntil: lockedUntil !== null && lockedUntil > at ? lockedUntil : null,
      };
    },
    async loginLockedUntil({ key, at }) {
      const row = await db
        .selectFrom('login_failures')
        .select('locked_until')
        .where('key', '=', key)
        .executeTakeFirst();
      const until = row?.locked_until == null ? null : Number(row.locked_until);
      return until !== null && until > at ? until : null;
    },
    async clearLoginFailures(key) {
      await db.deleteFrom('login_failures').where('key', '=', key).execute();
    },
  };
}

function storedUser(row: Selectable<UsersTable>): StoredUser {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    role: row.role as UserRole,
    passwordHash: row.password_hash,
    createdAt: Number(row.created_at),
    createdBy: row.created_by,
    disabledAt: row.disabled_at === null ? null : Number(row.disabled_at),
  };
}
