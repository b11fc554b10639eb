import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '../../app/index.ts';
import { runCommand } from '../testing.ts';
import { registerUsers } from './users.ts';

const dir = mkdtempSync(join(tmpdir(), 'sb-users-'));
const db = join(dir, 'people.db');
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const users = (args: string[], stdin = '') =>
  runCommand(registerUsers, ['users', ...args, '--db', db], dir, stdin);

describe('switchboard users', () => {
  it('adds a person with a password typed twice, and lists them; never prints the password', async () => {
    const added = await users(
      ['add', '--email', 'Ana@Shop.Example', '--role', 'agent', '--name', 'Ana'],
      'a long passphrase\na long passphrase\n',
    );
    expect(added).toMatchObject({ code: 0, stdout: 'added ana@shop.example (agent)\n' });
    const listed = await users(['list']);
    expect(listed.stdout).toMatch(/^ana@shop\.example\s+agent\s+active {2}Ana\n$/);
    const store = await openStore({ db });
    expect((await store.findUser({ email: 'ana@shop.example' }))?.passwordHash).toMatch(/^\$argon2id\$/);
    await store.close();
    expect(added.stdout + added.stderr + listed.stdout).not.toContain('passphrase');
  });

  it('refuses different passwords, a short one, a bad role and a second account, with exit code 2', async () => {
    expect(
      await users(
        ['add', '--email', 'bo@shop.example', '--role', 'agent'],
        'a long passphrase\nanother passphrase\n',
      ),
    ).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('the two passwords differ'),
    });
    expect(
      await users(['add', '--email', 'bo@shop.example', '--role', 'agent'], 'short\nshort\n'),
    ).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('at least 12 characters'),
    });
    expect(await users(['add', '--email', 'bo@shop.example', '--role', 'boss', '--invite'])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('--role is one of agent, lead, admin'),
    });
    expect(await users(['add', '--email', 'ANA@shop.example', '--role', 'lead', '--invite'])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('an account for ana@shop.example exists already'),
    });
  });

  it('prints a one-time invitation link, and disables, enables and signs out an account', async () => {
    const invited = await users([
      'add',
      '--email',
      'cy@shop.example',
      '--role',
      'lead',
      '--invite',
      '--base-url',
      'https://support.shop.example/',
    ]);
    expect(invited.code).toBe(0);
    expect(invited.stdout).toMatch(/https:\/\/support\.shop\.example\/inbox\/invite\/[A-Za-z0-9_-]{43}\n$/);
    expect((await users(['list'])).stdout).toMatch(/cy@shop\.example\s+lead\s+invited/);
    expect((await users(['disable', 'cy@shop.example'])).stdout).toBe('cy@shop.example: disabled\n');
    expect((await users(['list'])).stdout).toMatch(/cy@shop\.example\s+lead\s+disabled/);
    expect((await users(['enable', 'cy@shop.example'])).stdout).toBe('cy@shop.example: enabled\n');
    expect((await users(['sign-out', 'ana@shop.example'])).stdout).toBe(
      'ana@shop.example: 0 session(s) ended\n',
    );
    expect(await users(['disable', 'nobody@shop.example'])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('no account for nobody@shop.example'),
    });
  });
});
