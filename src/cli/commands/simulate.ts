import type { Command } from 'commander';
import { weeklyReviewMarkdown } from '../../analytics/index.ts';
import { type OpenDeploymentProps, type SimulateResult, simulate } from '../../app/index.ts';
import { DEFAULT_CONFIG_FILE, JobsConfigSchema, ServerConfigSchema } from '../../config/index.ts';
import { UserError } from '../../shared/index.ts';
import type { CliIo } from '../io.ts';
import { progressBar } from '../progress.ts';
import { DB_HELP, openDeploymentFromOptions, parsePositiveInt, requireStore } from './options.ts';

interface SimulateOpts {
  config?: string;
  db?: string;
  days: string;
  seed: string;
  perDay: string;
  retrain: boolean;
  pilots: boolean;
  json?: boolean;
}

/** The most days a simulation covers: past that, load history with `import` instead. */
const MAX_DAYS = 60;

/**
 * `switchboard simulate --days N --seed S`: the demo world's customers over the last N days through the live
 * service (the widget's API and a simulated Chatwoot), a scripted agent in the inbox and a scripted lead at each
 * week's end; prints what happened and the last week's review. The dashboard and `report` then show the days.
 *
 * @example
 * switchboard simulate --days 14 --seed 1
 */
export function registerSimulate(program: Command, io: CliIo): void {
  program
    .command('simulate')
    .description(
      "drive the demo world's customers through the live service for the last N days (widget and a simulated Chatwoot), with a scripted agent and lead",
    )
    .option('--config <file>', `deployment configuration (default: ./${DEFAULT_CONFIG_FILE} when it exists)`)
    .option('--db <path>', DB_HELP)
    .option('--days <n>', `days to simulate, ending now (at most ${MAX_DAYS})`, '14')
    .option('--seed <n>', "seed of the customers' behaviour", '1')
    .option('--per-day <n>', 'conversations a day on average', '30')
    .option(
      '--no-retrain',
      "the lead accepts the agent's corrections but does not retrain at each week's end",
    )
    .option('--no-pilots', 'leave the pilots as they are (by default the simulated team starts two)')
    .option('--json', 'print the summary and the review as one JSON object')
    .action(async (opts: SimulateOpts) => {
      const days = parsePositiveInt(opts.days, '--days');
      if (days > MAX_DAYS) {
        throw new UserError('simulate.too_many_days', `--days is at most ${MAX_DAYS}: ${days}`, {
          field: '--days',
        });
      }
      const seed = parsePositiveInt(opts.seed, '--seed');
      const perDay = parsePositiveInt(opts.perDay, '--per-day');
      requireStore(
        opts,
        io,
        "the simulation plays the demo shop's customers against a deployment: run `npm start` (switchboard start) first, or pass --db PATH",
      );
      const progress = progressBar(io, days, 'days', { label: 'simulate', show: 'count' });
      let played = 0;
      const result = await runSimulateCommand({
        opts,
        io,
        days,
        seed,
        perDay,
        onDay: () => progress.update(++played),
      }).finally(progress.stop);
      if (opts.json) {
        io.stdout.write(`${JSON.stringify(result)}\n`);
        return;
      }
      io.stdout.write(
        [
          ...simulationSummaryLines(result),
          '',
          'see them: switchboard report weekly, switchboard serve then /inbox/dashboard',
          '',
          weeklyReviewMarkdown(result.review),
        ].join('\n'),
      );
    });
}

/** What a simulation did, in a few lines (`simulate`, and `start`'s short one). */
export function simulationSummaryLines(result: SimulateResult): string[] {
  const s = result.summary;
  const channels = Object.entries(s.byChannel)
    .map(([channel, n]) => `${channel} ${n}`)
    .join(', ');
  return [
    `simulated ${result.from} to ${result.to}: ${s.conversations} conversations (${channels}); ${result.helpdesk.delivered} replies delivered to the simulated Chatwoot`,
    `customers said it resolved ${s.answeredYes}, did not ${s.answeredNo}; ${s.reopened} came back, ${s.abandoned} left mid-way; ${s.surveys} surveys answered`,
    `the simulated agent handled ${s.handledByAgent} escalated conversations`,
    ...s.lead,
  ];
}

/** Opens the deployment on the simulation's clock and channel, serves it on loopback, runs the simulation. */
export async function runSimulateCommand(props: {
  opts: Pick<SimulateOpts, 'config' | 'db' | 'retrain' | 'pilots'> & { workflows?: string };
  io: CliIo;
  days: number;
  seed: number;
  perDay: number;
  onDay?: (day: string, done: number) => void;
}) {
  const { startServer } = await import('../../server/serve.ts');
  return simulate({
    days: props.days,
    seed: props.seed,
    perDay: props.perDay,
    now: Date.now(),
    retrain: props.opts.retrain,
    pilots: props.opts.pilots,
    ...(props.onDay ? { onDay: props.onDay } : {}),
    open: ({ clock, patch, env }) =>
      openDeploymentFromOptions(props.opts, props.io, undefined, {
        adjust: (p: OpenDeploymentProps): OpenDeploymentProps => {
          const taken = Object.keys(patch.channels).find((name) => p.config.channels?.[name] !== undefined);
          if (taken) {
            throw new UserError(
              'simulate.channel_taken',
              `the simulation adds a channel named ${taken}, and the configuration has one: simulate on a copy of the deployment without it`,
              { field: 'channels' },
            );
          }
          return {
            ...p,
            clock,
            config: {
              ...p.config,
              channels: { ...(p.config.channels ?? {}), ...patch.channels },
              server: ServerConfigSchema.parse({ ...(p.config.server ?? {}), ...patch.server }),
              jobs: JobsConfigSchema.parse({ ...(p.config.jobs ?? {}), ...patch.jobs }),
            },
            env: { ...(p.env ?? {}), ...env },
          };
        },
      }),
    serve: (deployment) => startServer({ deployment, host: '127.0.0.1', port: 0, widget: async () => null }),
  });
}
