import { existsSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import type { Command } from 'commander';
import { buildConnectorRegistry } from '../../app/connectors.ts';
import { DEFAULT_KB_INDEX, openKnowledge } from '../../app/knowledge.ts';
import { openConversations } from '../../app/open-conversations.ts';
import { DEFAULT_REPLAY_SAMPLE, REPLAY_OUTCOMES, replayTickets } from '../../app/replay.ts';
import { writeReplayReports } from '../../app/replay-report.ts';
import { createTurnAnalyser } from '../../app/turn-analysis.ts';
import { resolveWorkflowsDir } from '../../app/workflows-dir.ts';
import { loadExclusionRules } from '../../audit/index.ts';
import { DEFAULT_GUARDRAILS } from '../../domain/index.ts';
import { silentLogger, systemClock, UserError } from '../../shared/index.ts';
import type { CliIo } from '../io.ts';
import { DEFAULT_MODEL_FILE } from './chat.ts';
import { openStoreFromOptions, parseInteger, parsePositiveInt } from './options.ts';

export const DEFAULT_REPLAY_DIR = '.switchboard/replay';

interface ReplayOptions {
  workflow?: string;
  all?: boolean;
  category?: string;
  sample?: string;
  seed?: string;
  out?: string;
  db?: string;
  model?: string;
  workflows?: string;
}

/**
 * `switchboard replay`: plays past tickets from the store through workflows before they go live and writes
 * `replay.md`, `replay.html` and `replay.json`. The store is only read; the replayed conversations live in
 * memory, and connectors run with their built-in settings (the demo shop in process), never a deployment's
 * live systems.
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
    .option('--db <path>', 'SQLite file or postgres:// URL (default: DATABASE_URL, else ./switchboard.db)')
    .option('--model <file>', `NLU model (default: ${DEFAULT_MODEL_FILE} when it exists)`)
    .option('--workflows <dir>', 'workflow folder (default: ./workflows, else the demo workflows)')
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
      const modelFile = opts.model
        ? resolve(io.cwd, opts.model)
        : existsSync(resolve(io.cwd, DEFAULT_MODEL_FILE))
          ? resolve(io.cwd, DEFAULT_MODEL_FILE)
          : null;
      const workflowsDir = resolveWorkflowsDir(opts.workflows, io.cwd);
      const outDir = resolve(io.cwd, opts.out ?? DEFAULT_REPLAY_DIR);
      const store = await openStoreFromOptions(opts, io);
      try {
        // Loads and checks the model and the workflows the way `chat` does; its runtime is not used.
        const { nlu, workflows } = openConversations({ store, modelFile, workflowsDir });
        if (opts.workflow !== undefined && !workflows.some((w) => w.id === opts.workflow)) {
          throw new UserError(
            'replay.unknown_workflow',
            `no workflow "${opts.workflow}" in ${workflowsDir} (there are: ${workflows.map((w) => w.id).join(', ') || 'none'})`,
            { field: '--workflow' },
          );
        }
        if (!nlu) {
          io.stderr.write(
            `note: no NLU model (${DEFAULT_MODEL_FILE} is missing): no ticket is routed to a workflow and every ` +
              'replayed turn is out of scope. Run `npm start` or `switchboard nlu train` first.\n',
          );
        }
        // The knowledge base `kb import` wrote (npm start imports the demo's), for `answer` steps.
        const searchKnowledge = openKnowledge(resolve(io.cwd, DEFAULT_KB_INDEX));
        const report = await replayTickets({
          store,
          analyse: createTurnAnalyser({ nlu, exclusions: loadExclusionRules() }),
          workflows,
          ...(opts.workflow !== undefined ? { only: [opts.workflow] } : {}),
          ...(opts.category !== undefined ? { category: opts.category } : {}),
          sample,
          seed,
          // Built-in settings only: a replay must never send a real password reset or refund.
          connectors: buildConnectorRegistry({ config: {}, clock: systemClock, logger: silentLogger }),
          guardrails: DEFAULT_GUARDRAILS,
          clock: systemClock,
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
        await store.close();
      }
    });
}
