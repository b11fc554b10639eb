import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import {
  buildReport,
  type GoalsFile,
  type MetricsFilter,
  readGoalsFile,
  reportMarkdown,
  writeReportFiles,
} from '../../analytics/index.ts';
import { deploymentWorkflowsDir, loadDeploymentConfig } from '../../app/index.ts';
import { UserError } from '../../shared/index.ts';
import { loadWorkflowDir, type WorkflowDefinition } from '../../workflows/index.ts';
import type { CliIo } from '../io.ts';
import { parseDay } from './audit.ts';
import { DB_HELP, openStoreFromOptions, outputFolder, requireStore, shownPath } from './options.ts';

interface ReportOpts {
  db?: string;
  config?: string;
  day?: string;
  asOf?: string;
  out?: string;
  goals?: string;
  workflow?: string;
  channel?: string;
  segment?: string;
  costPerConversation?: string;
  currency?: string;
  json?: boolean;
}

/**
 * Where goals.yaml is looked for when --goals is not given: here, where `switchboard audit --out audit/` puts it,
 * and where `npm start` (the demo) puts it.
 */
const DEFAULT_GOALS = ['goals.yaml', 'audit/goals.yaml', '.switchboard/audit/goals.yaml'];

export function registerReport(program: Command, io: CliIo): void {
  program
    .command('report')
    .description(
      'daily or weekly metrics from the event log, against the goals: Markdown, HTML and JSON (with its JSON Schema)',
    )
    .argument('<period>', 'daily (one day) or weekly (the 7 days ending with --day)')
    .option('--day <date>', 'the (last) day, YYYY-MM-DD, UTC (default: yesterday)')
    .option(
      '--as-of <time>',
      'read the events as of this moment, ISO 8601 (default: now): recompute a past report',
    )
    .option('--out <dir>', 'write <period>-<day>.md, .html, .json and report.schema.json here')
    .option(
      '--goals <file>',
      `the audit's goals.yaml (default: the first of ${DEFAULT_GOALS.join(', ')} present)`,
    )
    .option('--workflow <id>', 'only conversations of this workflow')
    .option('--channel <name>', 'only conversations on this channel')
    .option('--segment <name>', "only customers of this segment ('none': without one)")
    .option(
      '--cost-per-conversation <amount>',
      "what a conversation handled by a person costs (default: goals.yaml's costs)",
    )
    .option('--currency <code>', 'the currency of the cost (default: goals.yaml, else USD)')
    .option('--db <path>', DB_HELP)
    .option('--config <file>', 'the deployment configuration (default: ./switchboard.yaml)')
    .option('--json', 'print the report as JSON instead of Markdown')
    .action(async (period: string, opts: ReportOpts) => {
      if (period !== 'daily' && period !== 'weekly') {
        throw new UserError('cli.bad_option', `expected daily or weekly, got "${period}"`, {
          field: 'period',
        });
      }
      const now = opts.asOf === undefined ? Date.now() : parseMoment(opts.asOf);
      const day =
        opts.day ??
        new Date(Math.floor(now / 86_400_000) * 86_400_000 - 86_400_000).toISOString().slice(0, 10);
      parseDay(day, '--day');
      const cost = opts.costPerConversation === undefined ? undefined : amount(opts.costPerConversation);
      if (opts.currency !== undefined && !/^[A-Za-z]{1,8}$/.test(opts.currency)) {
        throw new UserError('cli.bad_option', `expected a currency code, got "${opts.currency}"`, {
          field: '--currency',
        });
      }
      const goals = goalsOf(opts, io);
      const outDir = opts.out === undefined ? undefined : outputFolder(opts.out, '--out', io);
      requireStore(opts, io);
      const filter: MetricsFilter = {
        ...(opts.workflow !== undefined ? { workflow: opts.workflow } : {}),
        ...(opts.channel !== undefined ? { channel: opts.channel } : {}),
        ...(opts.segment !== undefined ? { segment: opts.segment } : {}),
      };
      const store = await openStoreFromOptions(opts, io);
      try {
        const report = await buildReport({
          store,
          kind: period,
          day,
          now,
          filter,
          goals,
          workflows: deploymentWorkflows(opts, io),
          ...(cost !== undefined ? { costPerHumanConversation: cost } : {}),
          ...(opts.currency !== undefined ? { currency: opts.currency.toUpperCase() } : {}),
        });
        if (outDir !== undefined) {
          const files = writeReportFiles(report, outDir);
          if (opts.json) io.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
          else for (const f of files) io.stdout.write(`wrote ${shownPath(f, io)}\n`);
        } else {
          io.stdout.write(opts.json ? `${JSON.stringify(report, null, 2)}\n` : reportMarkdown(report));
        }
      } finally {
        await store.close();
      }
    });
}

/**
 * The workflows of the deployment of --config (else ./switchboard.yaml): agents' answers are compared with them for
 * false negatives (docs/metrics.md). Those that do not load are left out: `switchboard workflows check` says why.
 */
function deploymentWorkflows(opts: ReportOpts, io: CliIo): WorkflowDefinition[] {
  const { config, baseDir } = loadDeploymentConfig({ option: opts.config, cwd: io.cwd });
  const dir = deploymentWorkflowsDir(config, baseDir);
  return dir && existsSync(dir) ? loadWorkflowDir(dir).workflows.map((w) => w.definition) : [];
}

/** --goals FILE, else the first default that exists, else none. */
function goalsOf(opts: ReportOpts, io: CliIo): { file: string; goals: GoalsFile } | null {
  const candidates =
    opts.goals !== undefined ? [opts.goals] : DEFAULT_GOALS.filter((f) => existsSync(resolve(io.cwd, f)));
  const file = candidates[0];
  if (file === undefined) return null;
  return { file, goals: readGoalsFile(resolve(io.cwd, file)) };
}

function parseMoment(value: string): number {
  const ms = Date.parse(value);
  if (!/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(ms)) {
    throw new UserError(
      'cli.bad_option',
      `expected a time as ISO 8601 (2026-12-07T08:00:00Z), got "${value}"`,
      {
        field: '--as-of',
      },
    );
  }
  return ms;
}

function amount(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0) {
    throw new UserError('cli.bad_option', `expected an amount of 0 or more, got "${value}"`, {
      field: '--cost-per-conversation',
    });
  }
  return n;
}
