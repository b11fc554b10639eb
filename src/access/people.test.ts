import { describe, expect, it } from 'vitest';
import { openStore } from '../app/open-store.ts';
import { fakeClock } from '../shared/index.ts';
import { createPeople, hasRole, LOGIN_LIMITS } from './people.ts';

const PASSWORD = 'correct horse battery staple';

async function setup() {
  const store = await openStore({ db: ':memory:' });
  const clock = fakeClock(Date.parse('2026-12-07T10:00:00Z'));
  return { store, clock, people: createPeople({ store, clock }) };
}

describe('people', () => {
  it('stores an Argon2id hash with OWASP parameters, never the password', async () => {
    const { store, people } = await setup();
    const user = await people.addUser({
      email: 'Ana@Shop.Example',
      role: 'agent',
      password: PASSWORD,
      by: 'cli',
    });
    expect(user.email).toBe('ana@shop.example');
    expect(user.passwordHash).toMatch(/^\$argon2id\$v=19\$m=19456,p=1,t=2\$/);
    expect(JSON.stringify(await store.listUsers())).not.toContain(PASSWORD);
    await expect(
      people.addUser({ email: 'bo@shop.example', role: 'agent', password: 'short', by: 'cli' }),
    ).rejects.toMatchObject({
      code: 'user.weak_password',
    });
    await expect(people.addUser({ email: 'not an address', role: 'agent', by: 'cli' })).rejects.toMatchObject(
      {
        code: 'user.bad_email',
      },
    );
    await store.close();
  });

  it('signs in with the right password only, and a session token finds its user until sign-out', async () => {
    const { store, people } = await setup();
    await people.addUser({ email: 'ana@shop.example', role: 'lead', password: PASSWORD, by: 'cli' });
    expect(
      await people.signIn({ email: 'ana@shop.example', password: 'wrong password!!', address: 'a' }),
    ).toEqual({
      ok: false,
      reason: 'invalid',
    });
    expect(await people.signIn({ email: 'nobody@shop.example', password: PASSWORD, address: 'a' })).toEqual({
      ok: false,
      reason: 'invalid',
    });
    const signedIn = await people.signIn({ email: 'ANA@shop.example', password: PASSWORD, address: 'a' });
    if (!signedIn.ok) throw new Error('not signed in');
    expect((await people.session(signedIn.sessionToken))?.role).toBe('lead');
    expect(await store.findSession({ idHash: signedIn.sessionToken, at: Date.now() })).toBeUndefined();
    const second = await people.signIn({ email: 'ana@shop.example', password: PASSWORD, address: 'b' });
    await people.signOut(signedIn.sessionToken);
    expect(await people.session(signedIn.sessionToken)).toBeUndefined();
    if (!second.ok) throw new Error('not signed in');
    expect(await people.session(second.sessionToken)).toBeDefined();
    expect(await people.signOutEverywhere(second.user.id)).toBe(1);
    expect(await people.session(second.sessionToken)).toBeUndefined();
    expect(await people.session('not-a-token')).toBeUndefined();
    await store.close();
  });

  it('locks an account after 5 failures in 15 minutes, says until when, and lets it in after', async () => {
    const { store, clock, people } = await setup();
    await people.addUser({ email: 'ana@shop.example', role: 'agent', password: PASSWORD, by: 'cli' });
    const start = clock.now();
    for (let i = 0; i < LOGIN_LIMITS.perEmail.limit - 1; i++) {
      expect(
        (
          await people.signIn({
            email: 'ana@shop.example',
            password: `wrong ${i} password`,
            address: `x${i}`,
          })
        ).ok,
      ).toBe(false);
    }
    const locked = await people.signIn({
      email: 'ana@shop.example',
      password: 'wrong again password',
      address: 'y',
    });
    expect(locked).toEqual({
      ok: false,
      reason: 'locked',
      lockedUntil: start + LOGIN_LIMITS.perEmail.lockMs,
    });
    // Even the right password waits for the lock to end.
    expect(
      await people.signIn({ email: 'ana@shop.example', password: PASSWORD, address: 'z' }),
    ).toMatchObject({ reason: 'locked' });
    clock.advance(LOGIN_LIMITS.perEmail.lockMs + 1);
    expect((await people.signIn({ email: 'ana@shop.example', password: PASSWORD, address: 'z' })).ok).toBe(
      true,
    );
    await store.close();
  });

  it('refuses a disabled account; an invitation sets the password once', async () => {
    const { store, clock, people } = await setup();
    const invited = await people.addUser({ email: 'cy@shop.example', role: 'agent', by: 'cli' });
    expect(invited.passwordHash).toBeNull();
    expect((await people.signIn({ email: 'cy@shop.example', password: PASSWORD, address: 'a' })).ok).toBe(
      false,
    );
    const { token } = await people.invite({ userId: invited.id });
    expect((await people.acceptInvitation({ token, password: PASSWORD }))?.id).toBe(invited.id);
    expect(await people.acceptInvitation({ token, password: 'another long password' })).toBeUndefined();
    expect((await people.signIn({ email: 'cy@shop.example', password: PASSWORD, address: 'a' })).ok).toBe(
      true,
    );
    await store.setUserDisabled({ userId: invited.id, disabled: true, at: clock.now() });
    expect((await people.signIn({ email: 'cy@shop.example', password: PASSWORD, address: 'a' })).ok).toBe(
      false,
    );
    await store.close();
  });

  it("checks a session's CSRF token and ranks the roles", async () => {
    const { store, people } = await setup();
    const token = 'A'.repeat(43);
    const csrf = people.csrfToken(token);
    expect(people.checkCsrf(token, csrf)).toBe(true);
    expect(people.checkCsrf('B'.repeat(43), csrf)).toBe(false);
    expect(people.checkCsrf(token, undefined)).toBe(false);
    expect(people.checkCsrf(token, `${csrf}x`)).toBe(false);
    expect(hasRole({ role: 'admin' }, 'lead')).toBe(true);
    expect(hasRole({ role: 'agent' }, 'lead')).toBe(false);
    await store.close();
  });
});
