import type { Command } from 'commander';
import { replayConnectors } from '../../app/connectors.ts';
import { type Deployment, openStore } from '../../app/index.ts';
import { readActiveKnowledgeIndex } from '../../app/knowledge.ts';
import { DEFAULT_CONFIG_FILE } from '../../config/index.ts';
import { GuardrailConfigSchema } from '../../domain/index.ts';
import {
  DEFAULT_REPLAY_SAMPLE,
  REPLAY_MIN_ANSWER_SCORE,
  REPLAY_OUTCOMES,
  type ReplayProps,
  type ReplayReport,
  replaySummaryTable,
  replayTickets,
  writeReplayReports,
} from '../../replay/index.ts';
import { systemClock, UserError } from '../../shared/index.ts';
import type { CliIo } from '../io.ts';
import { type ProgressReporter, progressBar } from '../progress.ts';
import {
  DB_HELP,
  MODEL_HELP,
  openDeploymentFromOptions,
  outputFolder,
  parseInteger,
  parsePositiveInt,
  requireStore,
  shownPath,
} from './options.ts';

export const DEFAULT_REPLAY_DIR = '.switchboard/replay';

interface ReplayOptions {
  workflow?: string;
  all?: boolean;
  category?: string;
  sample?: string;
  seed?: string;
  minAnswerScore?: string;
  out?: string;
  config?: string;
  db?: string;
  model?: string;
  workflows?: string;
  /** false with --no-redact. */
  redact: boolean;
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
    .option(
      '--min-answer-score <x>',
      `least score (0 to 1) at which a knowledge-base answer counts as being about the question (default ${REPLAY_MIN_ANSWER_SCORE})`,
    )
    .option('--out <dir>', `where the reports go (default ${DEFAULT_REPLAY_DIR})`)
    .option('--config <file>', `deployment configuration (default: ./${DEFAULT_CONFIG_FILE} when it exists)`)
    .option('--db <path>', DB_HELP)
    .option('--model <file>', MODEL_HELP)
    .option('--workflows <dir>', "workflow folder (default: the configuration's, else ./workflows)")
    .option(
      '--no-redact',
      'show ticket texts as written (by default card numbers, CVVs, national ids, emails and phones are masked; privacy.redact in the configuration)',
    )
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
      const minAnswerScore = opts.minAnswerScore === undefined ? undefined : Number(opts.minAnswerScore);
      if (minAnswerScore !== undefined && !(minAnswerScore >= 0 && minAnswerScore <= 1)) {
        throw new UserError('replay.bad_options', '--min-answer-score is a number from 0 to 1', {
          field: '--min-answer-score',
        });
      }
      const outDir = outputFolder(opts.out ?? DEFAULT_REPLAY_DIR, '--out', io);
      requireStore(opts, io);
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
        const knowledge = await replayKnowledge(deployment);
        const t0 = performance.now();
        const progress = replayProgress(io);
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
            logger: deployment.logger,
          }),
          guardrails: GuardrailConfigSchema.parse(deployment.config.guardrails ?? {}),
          clock: systemClock,
          openScratchStore: () => openStore({ db: ':memory:' }),
          ...knowledge,
          ...(minAnswerScore !== undefined ? { minAnswerScore } : {}),
          onProgress: progress.update,
        }).finally(progress.stop);
        const files = writeReplayReports({
          report,
          dir: outDir,
          redact: opts.redact && (deployment.config.privacy?.redact ?? true),
        });
        const out = [
          `replayed past tickets (${report.ticketsRead} in the store, up to ${sample} per workflow, seed ${seed})`,
          '',
        ];
        out.push(replaySummaryTable(report, 'markdown'));
        out.push('', 'reports:');
        for (const file of [files.markdown, files.html, files.json]) out.push(`  ${shownPath(file, io)}`);
        out.push('', replaySummary(report, (performance.now() - t0) / 1000));
        io.stdout.write(`${out.join('\n')}\n`);
      } finally {
        await deployment.close();
      }
    });
}

/**
 * The knowledge base a replay answers from, with what it judges the answers by: the active index's articles
 * (their tags say which intents each serves) and the intents the NLU knows.
 */
export async function replayKnowledge(
  deployment: Deployment,
): Promise<Pick<ReplayProps, 'searchKnowledge' | 'knowledgeArticles' | 'knownIntents'>> {
  const searchKnowledge = deployment.knowledge();
  if (!searchKnowledge) return {};
  const active = await readActiveKnowledgeIndex(deployment.store);
  const intents = deployment.nlu()?.model.labels;
  return {
    searchKnowledge,
    ...(active ? { knowledgeArticles: active.index.articles } : {}),
    ...(intents ? { knownIntents: intents } : {}),
  };
}

/** The progress bar of a replay, started once the number of tickets to replay is known. */
export function replayProgress(io: CliIo): {
  update: (done: number, total: number) => void;
  stop: () => void;
} {
  let bar: ProgressReporter | null = null;
  return {
    update(done, total) {
      bar ??= progressBar(io, total, 'tickets', { label: 'replay', show: 'count' });
      bar.update(done);
    },
    stop: () => bar?.stop(),
  };
}

/** One line: how many tickets went through how many workflows, how long it took and what came of them. */
function replaySummary(report: ReplayReport, seconds: number): string {
  const tickets = report.workflows.reduce((n, w) => n + w.tickets, 0);
  const outcomes = REPLAY_OUTCOMES.map(
    (o) => `${report.workflows.reduce((n, w) => n + w.outcomes[o], 0)} ${o}`,
  ).join(', ');
  const workflows = report.workflows.length;
  return `replayed ${tickets} tickets through ${workflows} workflow${workflows === 1 ? '' : 's'} in ${seconds.toFixed(1)} s: ${outcomes}`;
}
