import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import { createPeople, INVITATION_TTL_MS, ROLES } from '../../access/index.ts';
import { systemClock, UserError } from '../../shared/index.ts';
import type { UserRole } from '../../store/index.ts';
import type { CliIo } from '../io.ts';
import { openDeploymentFromOptions, withStoreOptions } from './options.ts';

interface UsersOpts {
  config?: string;
  db?: string;
}

/**
 * `switchboard users add | list | disable | enable | password | sign-out`: the people who use the web app
 * (`/inbox`). A password is typed twice (hidden in a terminal; two lines on stdin otherwise) or, with `--invite`,
 * the person chooses it through a one-time link printed here. Passwords are kept as Argon2id hashes only.
 *
 * @example
 * switchboard users add --email ana@shop.example --role agent
 * switchboard users add --email lead@shop.example --role lead --invite --base-url https://support.shop.example
 * switchboard users sign-out ana@shop.example     # every session of hers ends
 */
export function registerUsers(program: Command, io: CliIo): void {
  const users = program
    .command('users')
    .description('people of the web app: add, list, disable, enable, password, sign-out');
  const common = withStoreOptions;

  common(
    users
      .command('add')
      .description(
        `add a person: role ${ROLES.join(' | ')}; the password is typed twice, or --invite prints a link`,
      )
      .requiredOption('--email <address>', 'their email: what they sign in with')
      .requiredOption(
        '--role <role>',
        `${ROLES.join(', ')} (a lead also runs pilots and metrics, an admin also people and keys)`,
      )
      .option('--name <name>', 'how the inbox shows them')
      .option('--invite', 'print a one-time link (valid 7 days) where they choose their password')
      .option(
        '--base-url <url>',
        "the service's address, for the link (default: the configuration's host and port)",
      ),
  ).action(
    async (
      opts: UsersOpts & { email: string; role: string; name?: string; invite?: boolean; baseUrl?: string },
    ) => {
      const role = parseRole(opts.role);
      const password = opts.invite ? undefined : await readNewPassword(io);
      await withPeople(opts, io, async ({ people, deployment }) => {
        const user = await people.addUser({
          email: opts.email,
          role,
          ...(opts.name ? { name: opts.name } : {}),
          ...(password !== undefined ? { password } : {}),
          by: 'cli',
        });
        io.stdout.write(`added ${user.email} (${user.role})\n`);
        if (opts.invite) {
          const { token } = await people.invite({ userId: user.id });
          const base = (opts.baseUrl ?? `http://${deployment.server.host}:${deployment.server.port}`).replace(
            /\/$/,
            '',
          );
          io.stdout.write(
            `send them this link (valid ${INVITATION_TTL_MS / 86_400_000} days, once): ${base}/inbox/invite/${token}\n`,
          );
        }
      });
    },
  );

  common(
    users.command('list').description('everyone, with role and state').option('--json', 'JSON lines'),
  ).action(async (opts: UsersOpts & { json?: boolean }) => {
    await withPeople(opts, io, async ({ deployment }) => {
      const all = await deployment.store.listUsers();
      for (const u of all) {
        const state = u.disabledAt !== null ? 'disabled' : u.passwordHash ? 'active' : 'invited';
        io.stdout.write(
          opts.json
            ? `${JSON.stringify({ email: u.email, name: u.name, role: u.role, state, createdAt: u.createdAt })}\n`
            : `${u.email.padEnd(32)} ${u.role.padEnd(6)} ${state}${u.name ? `  ${u.name}` : ''}\n`,
        );
      }
      if (all.length === 0 && !opts.json)
        io.stdout.write('nobody yet: switchboard users add --email E --role agent\n');
    });
  });

  for (const [name, disabled] of [
    ['disable', true],
    ['enable', false],
  ] as const) {
    common(
      users
        .command(`${name} <email>`)
        .description(`${name} an account${disabled ? ' (its sessions end)' : ''}`),
    ).action(async (email: string, opts: UsersOpts) => {
      await withPeople(opts, io, async ({ deployment }) => {
        const user = await findByEmail(deployment.store, email);
        await deployment.store.setUserDisabled({ userId: user.id, disabled, at: Date.now() });
        io.stdout.write(`${user.email}: ${disabled ? 'disabled' : 'enabled'}\n`);
      });
    });
  }

  common(
    users.command('password <email>').description('set a new password (typed twice); their sessions end'),
  ).action(async (email: string, opts: UsersOpts) => {
    const password = await readNewPassword(io);
    await withPeople(opts, io, async ({ people, deployment }) => {
      const user = await findByEmail(deployment.store, email);
      await people.setPassword({ userId: user.id, password });
      io.stdout.write(`${user.email}: password set; every session of theirs has ended\n`);
    });
  });

  common(
    users.command('sign-out <email>').description('end every session of an account (logout everywhere)'),
  ).action(async (email: string, opts: UsersOpts) => {
    await withPeople(opts, io, async ({ people, deployment }) => {
      const user = await findByEmail(deployment.store, email);
      const ended = await people.signOutEverywhere(user.id);
      io.stdout.write(`${user.email}: ${ended} session(s) ended\n`);
    });
  });
}

type Deployment = Awaited<ReturnType<typeof openDeploymentFromOptions>>;

async function withPeople(
  opts: UsersOpts,
  io: CliIo,
  run: (ctx: { people: ReturnType<typeof createPeople>; deployment: Deployment }) => Promise<void>,
): Promise<void> {
  const deployment = await openDeploymentFromOptions(opts, io);
  try {
    await run({ people: createPeople({ store: deployment.store, clock: systemClock }), deployment });
  } finally {
    await deployment.close();
  }
}

async function findByEmail(store: Deployment['store'], email: string) {
  const user = await store.findUser({ email });
  if (!user)
    throw new UserError('user.not_found', `no account for ${email.trim().toLowerCase()}`, { field: 'email' });
  return user;
}

function parseRole(text: string): UserRole {
  const role = text.trim().toLowerCase() as UserRole;
  if (!ROLES.includes(role)) {
    throw new UserError('user.bad_role', `--role is one of ${ROLES.join(', ')}`, { field: '--role' });
  }
  return role;
}

/**
 * A new password, typed twice: hidden at a terminal, else the first two lines of stdin (scripts, tests). The two
 * must match; the length is checked when it is hashed.
 */
async function readNewPassword(io: CliIo): Promise<string> {
  const tty = (io.stdin as { isTTY?: boolean }).isTTY === true;
  const lines = tty ? await promptHidden(io, ['Password: ', 'Again: ']) : await readLines(io.stdin, 2);
  const [first, second] = lines;
  if (!first)
    throw new UserError('user.no_password', 'no password given (or use --invite)', { field: 'password' });
  if (first !== second)
    throw new UserError('user.password_mismatch', 'the two passwords differ', { field: 'password' });
  return first;
}

async function readLines(stream: NodeJS.ReadableStream, n: number): Promise<string[]> {
  const rl = createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY });
  const lines: string[] = [];
  for await (const line of rl) {
    lines.push(line);
    if (lines.length >= n) break;
  }
  rl.close();
  return lines;
}

async function promptHidden(io: CliIo, prompts: string[]): Promise<string[]> {
  const answers: string[] = [];
  for (const prompt of prompts) {
    io.stderr.write(prompt);
    const output = { write: () => true } as unknown as NodeJS.WritableStream;
    const rl = createInterface({ input: io.stdin, output, terminal: true });
    answers.push(await new Promise<string>((resolve) => rl.question('', resolve)));
    rl.close();
    io.stderr.write('\n');
  }
  return answers;
}
