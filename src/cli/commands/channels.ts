import type { Command } from 'commander';
import type { ChannelStatus } from '../../channels/index.ts';
import { DEFAULT_CONFIG_FILE } from '../../config/index.ts';
import type { CliIo } from '../io.ts';
import { DB_HELP, openDeploymentFromOptions } from './options.ts';

interface ChannelsOpts {
  config?: string;
  db?: string;
  json?: boolean;
  retry?: boolean;
}

/**
 * `switchboard channels`: the helpdesks of the deployment (`channels` in switchboard.yaml), the webhook URL each
 * posts to, and the operations a helpdesk refused that have not gone out since (a reply, a hand-off note), with
 * why and when the next try is. `--retry` tries them now (the helpdesk is back).
 *
 * @example
 * switchboard channels
 * switchboard channels --retry
 */
export function registerChannels(program: Command, io: CliIo): void {
  program
    .command('channels')
    .description(
      'the helpdesk channels, their webhook URLs and what they failed to deliver; --retry sends it now',
    )
    .option('--config <file>', `deployment configuration (default: ./${DEFAULT_CONFIG_FILE} when it exists)`)
    .option('--db <path>', DB_HELP)
    .option('--retry', 'queue the undelivered operations again now (`switchboard serve` sends them)')
    .option('--json', 'one JSON object instead of a table')
    .action(async (opts: ChannelsOpts) => {
      const deployment = await openDeploymentFromOptions(opts, io);
      try {
        const retried = opts.retry ? await deployment.channels.retryUndelivered() : null;
        const status = await deployment.channels.status();
        if (opts.json) {
          io.stdout.write(
            `${JSON.stringify({ channels: status, ...(retried !== null ? { retried } : {}) })}\n`,
          );
          return;
        }
        io.stdout.write(formatChannels(status));
        if (retried !== null) {
          io.stdout.write(
            `\nqueued again: ${retried} conversation(s); a running \`switchboard serve\` sends them\n`,
          );
        }
      } finally {
        await deployment.close();
      }
    });
}

export function formatChannels(status: readonly ChannelStatus[]): string {
  if (status.length === 0) {
    return 'no channels: add a helpdesk under `channels:` in switchboard.yaml (docs/channels.md)\n';
  }
  const time = (ms: number) => new Date(ms).toISOString().slice(0, 16).replace('T', ' ');
  const lines = [
    `${'channel'.padEnd(16)} ${'type'.padEnd(9)} ${'mode'.padEnd(7)} ${'webhook'.padEnd(34)} undelivered`,
  ];
  for (const c of status) {
    lines.push(
      `${c.name.padEnd(16)} ${c.type.padEnd(9)} ${c.mode.padEnd(7)} ${`POST ${c.webhookPath}`.padEnd(34)} ${c.undelivered.length}`,
    );
  }
  for (const c of status) {
    for (const u of c.undelivered) {
      const next =
        u.retryAt === null ? 'no retry planned: --retry once fixed' : `next try ${time(u.retryAt)} UTC`;
      lines.push(
        `  ${u.conversationId} ${u.operation} (${u.key}): ${u.code} after ${u.attempts} attempt(s), ${time(u.failedAt)} UTC; ${next}`,
      );
    }
  }
  return `${lines.join('\n')}\n`;
}
