import type { Command } from 'commander';
import type { StoreStats } from '../../store/index.ts';
import type { CliIo } from '../io.ts';
import { openStoreFromOptions, requireStore } from './options.ts';

export function registerStats(program: Command, io: CliIo): void {
  program
    .command('stats')
    .description('counts of tickets, messages and customers; first response and resolution times')
    .option('--db <path>', 'SQLite file or postgres:// URL (default: DATABASE_URL, else ./switchboard.db)')
    .option('--json', 'one JSON object instead of a table')
    .action(async (opts: { db?: string; json?: boolean }) => {
      requireStore(opts, io);
      const store = await openStoreFromOptions(opts, io);
      try {
        const stats = await store.stats();
        io.stdout.write(
          opts.json ? `${JSON.stringify(stats)}\n` : formatStats(stats, store.capabilities.location),
        );
      } finally {
        await store.close();
      }
    });
}

export function formatDuration(seconds: number | null): string {
  if (seconds === null) return '-';
  if (seconds < 60) return `${Math.round(seconds)} s`;
  if (seconds < 3600) return `${(seconds / 60).toFixed(1)} min`;
  if (seconds < 86_400) return `${(seconds / 3600).toFixed(1)} h`;
  return `${(seconds / 86_400).toFixed(1)} d`;
}

export function formatStats(stats: StoreStats, location: string): string {
  const n = (v: number) => v.toLocaleString('en-US');
  const lines = [
    `store: ${location}`,
    `tickets    ${n(stats.tickets)}`,
    `messages   ${n(stats.messages)}`,
    `customers  ${n(stats.customers)}`,
    '',
    'by source:',
    ...Object.entries(stats.bySource).map(([k, v]) => `  ${k.padEnd(14)} ${n(v)}`),
    'by status:',
    ...Object.entries(stats.byStatus).map(([k, v]) => `  ${k.padEnd(14)} ${n(v ?? 0)}`),
    '',
    `agent-started ${n(stats.agentStarted)} (no first response until the customer writes)`,
    '',
    '                   median      p90',
    `first response  ${formatDuration(stats.firstResponseSeconds.median).padStart(9)} ${formatDuration(stats.firstResponseSeconds.p90).padStart(9)}`,
    `resolution      ${formatDuration(stats.resolutionSeconds.median).padStart(9)} ${formatDuration(stats.resolutionSeconds.p90).padStart(9)}`,
    '',
  ];
  return lines.join('\n');
}
