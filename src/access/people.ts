import { createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import argon2 from 'argon2';
import { type Clock, UserError } from '../shared/index.ts';
import type { Store, StoredUser, UserRole } from '../store/index.ts';
import { hashCredential } from './credentials.ts';

export const ROLES: readonly UserRole[] = ['agent', 'lead', 'admin'];

/** What each role reaches: a lead does what an agent does and more, an admin what a lead does and more. */
const RANK: Record<UserRole, number> = { agent: 1, lead: 2, admin: 3 };
export function hasRole(user: { role: UserRole }, needed: UserRole): boolean {
  return RANK[user.role] >= RANK[needed];
}

/**
 * Argon2id with OWASP's first recommended setting (19 MiB, 2 passes, 1 lane: the Password Storage Cheat Sheet):
 * about 30 ms a hash here, slow enough for a guesser, quick enough for a sign-in.
 */
export const ARGON2_OPTIONS = {
  type: argon2.argon2id,
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
} as const;
export const MIN_PASSWORD_LENGTH = 12;
export const MAX_PASSWORD_LENGTH = 256;

export async function hashPassword(password: string): Promise<string> {
  checkPassword(password);
  return argon2.hash(password, ARGON2_OPTIONS);
}

/** A password a person may choose: long enough, not absurdly long (hashing cost), not only spaces. */
export function checkPassword(password: string): void {
  if (password.length < MIN_PASSWORD_LENGTH || password.trim().length === 0) {
    throw new UserError('user.weak_password', `a password has at least ${MIN_PASSWORD_LENGTH} characters`, {
      field: 'password',
    });
  }
  if (password.length > MAX_PASSWORD_LENGTH) {
    throw new UserError('user.long_password', `a password has at most ${MAX_PASSWORD_LENGTH} characters`, {
      field: 'password',
    });
  }
}

// Verifying against this when the account does not exist keeps the answer's time the same for both.
let decoy: Promise<string> | null = null;

/** How long a session lasts without a new sign-in; an invitation link. */
export const SESSION_TTL_MS = 12 * 3600_000;
export const INVITATION_TTL_MS = 7 * 24 * 3600_000;
/** Sign-in throttling: per account and per address, failures in a window, then a lock. */
export const LOGIN_LIMITS = {
  perEmail: { limit: 5, windowMs: 15 * 60_000, lockMs: 15 * 60_000 },
  perAddress: { limit: 30, windowMs: 15 * 60_000, lockMs: 15 * 60_000 },
} as const;

export type SignInResult =
  | { ok: true; user: StoredUser; sessionToken: string; expiresAt: number }
  | { ok: false; reason: 'invalid' }
  | { ok: false; reason: 'locked'; lockedUntil: number };

/**
 * People and their sessions: accounts with Argon2id passwords, invitations, sign-in with throttling (per account
 * and per address, a lock that says when it ends), sessions as random tokens the store keeps only hashed, and the
 * CSRF token of a session (an HMAC of its token: nothing more to store, and useless without the cookie).
 *
 * @example
 * const people = createPeople({ store, clock });
 * const user = await people.addUser({ email: 'ana@shop.example', role: 'agent', password: 'a long passphrase', by: 'cli' });
 * const signedIn = await people.signIn({ email: 'ana@shop.example', password: 'a long passphrase', address: '127.0.0.1' });
 */
export interface People {
  addUser(props: {
    email: string;
    name?: string;
    role: UserRole;
    password?: string;
    by: string;
  }): Promise<StoredUser>;
  /** A one-time link's token for `user` (shown once), valid INVITATION_TTL_MS. */
  invite(props: { userId: string }): Promise<{ token: string; expiresAt: number }>;
  acceptInvitation(props: { token: string; password: string }): Promise<StoredUser | undefined>;
  signIn(props: { email: string; password: string; address: string }): Promise<SignInResult>;
  /** The signed-in user of a session token, or undefined. */
  session(token: string): Promise<StoredUser | undefined>;
  signOut(token: string): Promise<void>;
  /** Every session of the user ends (a lost laptop, a password change). */
  signOutEverywhere(userId: string): Promise<number>;
  setPassword(props: { userId: string; password: string }): Promise<void>;
  /** The CSRF token of a session: forms and fetches send it back; a request without it changes nothing. */
  csrfToken(sessionToken: string): string;
  checkCsrf(sessionToken: string, given: string | undefined): boolean;
}

export function createPeople(props: { store: Store; clock: Clock }): People {
  const { store, clock } = props;
  const normalised = (email: string) => email.trim().toLowerCase();

  async function verify(hash: string | null, password: string): Promise<boolean> {
    if (password.length > MAX_PASSWORD_LENGTH) return false;
    if (!hash) {
      decoy ??= argon2.hash('not a password of anyone', ARGON2_OPTIONS);
      await argon2.verify(await decoy, password).catch(() => false);
      return false;
    }
    return argon2.verify(hash, password).catch(() => false);
  }

  const csrfToken = (sessionToken: string) =>
    createHmac('sha256', sessionToken).update('switchboard csrf').digest('base64url');

  return {
    async addUser({ email, name, role, password, by }) {
      const address = normalised(email);
      if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(address) || address.length > 254) {
        throw new UserError('user.bad_email', 'not an email address', { field: 'email' });
      }
      if (!ROLES.includes(role)) {
        throw new UserError('user.bad_role', `a role is one of ${ROLES.join(', ')}`, { field: 'role' });
      }
      return store.createUser({
        id: `u_${randomUUID().replaceAll('-', '').slice(0, 16)}`,
        email: address,
        ...(name?.trim() ? { name: name.trim() } : {}),
        role,
        passwordHash: password === undefined ? null : await hashPassword(password),
        by,
        at: clock.now(),
      });
    },
    async invite({ userId }) {
      const token = randomBytes(32).toString('base64url');
      const at = clock.now();
      const expiresAt = at + INVITATION_TTL_MS;
      await store.createInvitation({ tokenHash: hashCredential(token), userId, at, expiresAt });
      return { token, expiresAt };
    },
    async acceptInvitation({ token, password }) {
      const passwordHash = await hashPassword(password);
      return store.acceptInvitation({ tokenHash: hashCredential(token), passwordHash, at: clock.now() });
    },
    async signIn({ email, password, address }) {
      const at = clock.now();
      const keys = { email: `email:${normalised(email)}`, address: `address:${address}` };
      const locks = await Promise.all([
        store.loginLockedUntil({ key: keys.email, at }),
        store.loginLockedUntil({ key: keys.address, at }),
      ]);
      const locked = Math.max(...locks.map((l) => l ?? 0));
      if (locked > at) return { ok: false, reason: 'locked', lockedUntil: locked };
      const user = await store.findUser({ email });
      const right = await verify(user?.disabledAt === null ? user.passwordHash : null, password);
      if (!right || !user) {
        const [byEmail, byAddress] = await Promise.all([
          store.recordLoginFailure({ key: keys.email, at, ...LOGIN_LIMITS.perEmail }),
          store.recordLoginFailure({ key: keys.address, at, ...LOGIN_LIMITS.perAddress }),
        ]);
        const lockedUntil = Math.max(byEmail.lockedUntil ?? 0, byAddress.lockedUntil ?? 0);
        return lockedUntil > at
          ? { ok: false, reason: 'locked', lockedUntil }
          : { ok: false, reason: 'invalid' };
      }
      await store.clearLoginFailures(keys.email);
      const sessionToken = randomBytes(32).toString('base64url');
      const expiresAt = at + SESSION_TTL_MS;
      await store.createSession({ idHash: hashCredential(sessionToken), userId: user.id, at, expiresAt });
      return { ok: true, user, sessionToken, expiresAt };
    },
    async session(token) {
      if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return undefined;
      return (await store.findSession({ idHash: hashCredential(token), at: clock.now() }))?.user;
    },
    async signOut(token) {
      await store.deleteSessions({ idHash: hashCredential(token) });
    },
    signOutEverywhere: (userId) => store.deleteSessions({ userId }),
    async setPassword({ userId, password }) {
      await store.setUserPassword({ userId, passwordHash: await hashPassword(password) });
      await store.deleteSessions({ userId });
    },
    csrfToken,
    checkCsrf(sessionToken, given) {
      if (!given) return false;
      const expected = Buffer.from(csrfToken(sessionToken));
      const got = Buffer.from(given);
      return expected.length === got.length && timingSafeEqual(expected, got);
    },
  };
}
