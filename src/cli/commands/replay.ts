import { relative, resolve } from 'node:path';
import type { Command } from 'commander';
import { replayConnectors } from '../../app/connectors.ts';
import { openStore } from '../../app/index.ts';
import { DEFAULT_CONFIG_FILE } from '../../config/index.ts';
import { GuardrailConfigSchema } from '../../domain/index.ts';
import {
  DEFAULT_REPLAY_SAMPLE,
  REPLAY_OUTCOMES,
  replayTickets,
  writeReplayReports,
} from '../../replay/index.ts';
import { silentLogger, systemClock, UserError } from '../../shared/index.ts';
import type { CliIo } from '../io.ts';
import { openDeploymentFromOptions, parseInteger, parsePositiveInt } from './options.ts';

export const DEFAULT_REPLAY_DIR = '.switchboard/replay';

interface ReplayOptions {
  workflow?: string;
  all?: boolean;
  category?: string;
  sample?: string;
  seed?: string;
  out?: string;
  config?: string;
  db?: string;
  model?: string;
  workflows?: string;
}

/**
 * `switchboard replay`: plays past tickets from the store through workflows before they go live and writes
 * `replay.md`, `replay.html` and `replay.json`. The store is only read; the replayed conversations live in
 * memory, and no live system is called: the demo shop answers in process when the deployment has it, other
 * connectors are left out (see `replayConnectors`).
 *
 * @example
 * switchboard replay --all --sample 100 --seed 7
 * switchboard replay --workflow order-status --category order_status --out reports/replay
 */
export function registerReplay(program: Command, io: CliIo): void {
  program
    .command('replay')
    .description(
      'replay past tickets through workflows: outcomes, coverage, breaks and a forecast per workflow',
    )
    .option('--workflow <id>', 'the workflow to replay')
    .option('--all', 'replay every workflow')
    .option(
      '--category <name>',
      'replay the tickets of this category (default: those the NLU routes to the workflow)',
    )
    .option('--sample <n>', `tickets per workflow (default ${DEFAULT_REPLAY_SAMPLE})`)
    .option('--seed <n>', 'seed of the sample', '1')
    .option('--out <dir>', `where the reports go (default ${DEFAULT_REPLAY_DIR})`)
    .option('--config <file>', `deployment configuration (default: ./${DEFAULT_CONFIG_FILE} when it exists)`)
    .option('--db <path>', "SQLite file or postgres:// URL (default: DATABASE_URL, else the configuration's)")
    .option('--model <file>', "an NLU model file to use instead of the store's active model")
    .option('--workflows <dir>', "workflow folder (default: the configuration's, else ./workflows)")
    .action(async (opts: ReplayOptions) => {
      if (opts.all === true && opts.workflow !== undefined) {
        throw new UserError('replay.bad_options', 'give either --workflow ID or --all, not both', {
          field: '--workflow',
        });
      }
      if (opts.all !== true && opts.workflow === undefined) {
        throw new UserError('replay.bad_options', 'say which workflow to replay: --workflow ID or --all', {
          field: '--workflow',
        });
      }
      const sample =
        opts.sample !== undefined ? parsePositiveInt(opts.sample, '--sample') : DEFAULT_REPLAY_SAMPLE;
      const seed = parseInteger(opts.seed ?? '1', '--seed');
      const outDir = resolve(io.cwd, opts.out ?? DEFAULT_REPLAY_DIR);
      const deployment = await openDeploymentFromOptions(opts, io);
      try {
        const { workflows } = deployment;
        if (opts.workflow !== undefined && !workflows.some((w) => w.id === opts.workflow)) {
          throw new UserError(
            'replay.unknown_workflow',
            `no workflow "${opts.workflow}" in ${deployment.workflowsDir ?? 'this deployment'} (there are: ${workflows.map((w) => w.id).join(', ') || 'none'})`,
            { field: '--workflow' },
          );
        }
        if (!deployment.nlu()) {
          io.stderr.write(
            'note: no NLU model is active in the store: no ticket is routed to a workflow and every replayed ' +
              'turn is out of scope. Run `npm start` or `switchboard nlu train --from-store --activate` first.\n',
          );
        }
        const searchKnowledge = deployment.knowledge();
        const report = await replayTickets({
          store: deployment.store,
          analyse: deployment.analyse,
          workflows: [...workflows],
          ...(opts.workflow !== undefined ? { only: [opts.workflow] } : {}),
          ...(opts.category !== undefined ? { category: opts.category } : {}),
          sample,
          seed,
          // Never a live system: a replay must not send a real password reset or refund.
          connectors: replayConnectors({
            config: deployment.config,
            clock: systemClock,
            logger: silentLogger,
          }),
          guardrails: GuardrailConfigSchema.parse(deployment.config.guardrails ?? {}),
          clock: systemClock,
          openScratchStore: () => openStore({ db: ':memory:' }),
          ...(searchKnowledge ? { searchKnowledge } : {}),
        });
        const files = writeReplayReports({ report, dir: outDir });
        const out = [
          `replayed past tickets (${report.ticketsRead} in the store, up to ${sample} per workflow, seed ${seed})`,
          '',
        ];
        out.push(
          `| workflow | tickets | ${REPLAY_OUTCOMES.join(' | ')} | forecast automated resolution (95%) |`,
        );
        out.push(`| --- | ---: | ${REPLAY_OUTCOMES.map(() => '---:').join(' | ')} | --- |`);
        for (const w of report.workflows) {
          const f = w.forecast;
          const forecast = f
            ? `${(100 * f.rate).toFixed(1)}% (${(100 * f.low).toFixed(1)}-${(100 * f.high).toFixed(1)}%)`
            : '-';
          out.push(
            `| ${w.workflow} | ${w.tickets} | ${REPLAY_OUTCOMES.map((o) => w.outcomes[o]).join(' | ')} | ${forecast} |`,
          );
        }
        out.push('', 'reports:');
        for (const file of [files.markdown, files.html, files.json])
          out.push(`  ${relative(io.cwd, file) || file}`);
        io.stdout.write(`${out.join('\n')}\n`);
      } finally {
        await deployment.close();
      }
    });
}
