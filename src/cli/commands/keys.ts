import type { Command } from 'commander';
import { createApiKey, parseScopes, SCOPES } from '../../access/index.ts';
import { UserError } from '../../shared/index.ts';
import type { CliIo } from '../io.ts';
import { DB_HELP, openStoreFromOptions, requireStore } from './options.ts';

interface CreateOpts {
  name?: string;
  scopes?: string;
  origins?: string;
  verifyIdentity?: boolean;
  db?: string;
  json?: boolean;
}

/**
 * `switchboard keys create | list | revoke`: the API keys channels and the widget use. A key is shown once, when
 * created; the store keeps its hash (a publishable widget key, which sits in web pages anyway, is kept whole).
 *
 * @example
 * switchboard keys create --name backend --scopes conversations
 * switchboard keys create --name shop --scopes widget --origins https://shop.example --verify-identity
 * switchboard keys revoke 3f9a1c2b7d4e
 */
export function registerKeys(program: Command, io: CliIo): void {
  const keys = program.command('keys').description('API keys: create (shown once), list, revoke');

  keys
    .command('create')
    .description(`create a key; scopes: ${SCOPES.join(', ')} (a widget key is publishable)`)
    .requiredOption('--name <name>', 'what the key is for')
    .requiredOption('--scopes <list>', `comma-separated: ${SCOPES.join(', ')}`)
    .option(
      '--origins <list>',
      'widget keys: the sites (https://shop.example) allowed to use it, comma-separated',
    )
    .option('--verify-identity', "widget keys: trust a customer's email only with its signature (HMAC)")
    .option('--db <path>', DB_HELP)
    .option('--json', 'print the key as JSON')
    .action(async (opts: CreateOpts) => {
      const scopes = parseScopes(opts.scopes ?? '');
      const origins = (opts.origins ?? '')
        .split(',')
        .map((o) => o.trim())
        .filter(Boolean);
      if (origins.length > 0 && !scopes.includes('widget')) {
        throw new UserError('keys.origins_need_widget', '--origins is for widget keys', {
          field: '--origins',
        });
      }
      const store = await openStoreFromOptions(opts, io);
      try {
        const created = await createApiKey({
          store,
          name: opts.name ?? '',
          scopes,
          origins,
          verifyIdentity: opts.verifyIdentity === true,
          by: 'cli',
          at: Date.now(),
        });
        if (opts.json) {
          io.stdout.write(
            `${JSON.stringify({ id: created.key.id, name: created.key.name, scopes: created.key.scopes, key: created.secret, ...(created.identitySecret ? { identitySecret: created.identitySecret } : {}) })}\n`,
          );
          return;
        }
        io.stdout.write(
          [
            `created key ${created.key.id} (${created.key.name}; scopes ${created.key.scopes.join(', ')}${created.key.origins.length ? `; origins ${created.key.origins.join(', ')}` : ''})`,
            '',
            `  ${created.secret}`,
            '',
            created.key.publishable
              ? "A publishable key: put it in the widget's script tag (data-key). It can only start conversations."
              : 'Store it now: it is not shown again. Send it as Authorization: Bearer <key>.',
            ...(created.identitySecret
              ? [
                  '',
                  `identity secret (keep it on your server; sign each customer's email with HMAC-SHA256, see docs/serve.md):`,
                  `  ${created.identitySecret}`,
                ]
              : []),
            '',
          ].join('\n'),
        );
      } finally {
        await store.close();
      }
    });

  keys
    .command('list')
    .description('every key, newest first (never the secret)')
    .option('--db <path>', DB_HELP)
    .option('--json', 'JSON lines')
    .action(async (opts: { db?: string; json?: boolean }) => {
      requireStore(opts, io);
      const store = await openStoreFromOptions(opts, io);
      try {
        const all = await store.listApiKeys();
        if (opts.json) {
          for (const k of all) {
            io.stdout.write(
              `${JSON.stringify({ id: k.id, name: k.name, scopes: k.scopes, origins: k.origins, publishable: k.publishable, verifiesIdentity: k.identitySecret !== null, createdAt: new Date(k.createdAt).toISOString(), revokedAt: k.revokedAt === null ? null : new Date(k.revokedAt).toISOString() })}\n`,
            );
          }
          return;
        }
        if (all.length === 0) {
          io.stdout.write('no keys yet: switchboard keys create --name NAME --scopes conversations\n');
          return;
        }
        for (const k of all) {
          const state =
            k.revokedAt === null ? 'active' : `revoked ${new Date(k.revokedAt).toISOString().slice(0, 10)}`;
          io.stdout.write(
            `${k.id}  ${k.name.padEnd(16)} ${k.scopes.join(',').padEnd(14)} ${state.padEnd(18)} created ${new Date(k.createdAt).toISOString().slice(0, 10)}${k.origins.length ? `  origins ${k.origins.join(', ')}` : ''}\n`,
          );
        }
      } finally {
        await store.close();
      }
    });

  keys
    .command('revoke')
    .description('revoke a key: it stops working within 10 seconds in every process')
    .argument('<id>', 'the key id (from keys list)')
    .option('--db <path>', DB_HELP)
    .action(async (id: string, opts: { db?: string }) => {
      requireStore(opts, io);
      const store = await openStoreFromOptions(opts, io);
      try {
        const revoked = await store.revokeApiKey({ id, by: 'cli', at: Date.now() });
        if (!revoked)
          throw new UserError('keys.not_found', `no key "${id}" (see switchboard keys list)`, {
            field: 'id',
          });
        io.stdout.write(`revoked ${revoked.id} (${revoked.name})\n`);
      } finally {
        await store.close();
      }
    });
}
