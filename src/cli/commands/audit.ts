import { resolve } from 'node:path';
import type { Command } from 'commander';
import {
  type AuditResult,
  DEFAULT_COSTS,
  discoverTopics as discoverTopicsInTexts,
  loadExclusionRules,
  loadTaxonomy,
  loadTopicsMap,
  runAudit,
  taxonomyCategoriser,
  writeAuditOutputs,
} from '../../audit/index.ts';
import { UserError } from '../../shared/index.ts';
import type { CliIo } from '../io.ts';
import { progressBar } from '../progress.ts';
import { DB_HELP, openStoreFromOptions, outputFolder, requireStore } from './options.ts';

interface AuditOpts {
  db?: string;
  since?: string;
  until?: string;
  taxonomy?: string;
  exclusions?: string;
  topicsMap?: string;
  agentHourCost?: string;
  hoursPerAgentMonth?: string;
  currency?: string;
  out: string;
  /** false with --no-redact: customer texts shown as written. */
  redact: boolean;
}

/**
 * `switchboard audit --out DIR`: categories, baselines, automation potential, exclusions and the ranked
 * opportunities of the imported tickets, written as CSV, JSON, YAML, Markdown and HTML.
 */
export function registerAudit(program: Command, io: CliIo): void {
  program
    .command('audit')
    .description('measure each category of tickets, rank what to automate, flag what must go to people')
    .option('--db <path>', DB_HELP)
    .option('--since <date>', 'only tickets created on or after this day (YYYY-MM-DD, UTC)')
    .option('--until <date>', 'only tickets created before this day (YYYY-MM-DD, UTC)')
    .option('--taxonomy <file>', 'YAML buckets with example phrases; tickets are classified into them')
    .option(
      '--exclusions <file>',
      'YAML rules of tickets that always go to people (default: the shipped rules)',
    )
    .option(
      '--topics-map <file>',
      'YAML renames and merges of discovered topics (start from the topics.yaml a previous run wrote)',
    )
    .option(
      '--agent-hour-cost <amount>',
      `cost of one agent hour, for the savings in money (default ${DEFAULT_COSTS.agentHourCost})`,
    )
    .option(
      '--hours-per-agent-month <hours>',
      `working hours of one full-time agent in a month, for savings in agents (default ${DEFAULT_COSTS.hoursPerAgentMonth})`,
    )
    .option(
      '--currency <code>',
      `currency of --agent-hour-cost, only shown (default ${DEFAULT_COSTS.currency})`,
    )
    .requiredOption('--out <dir>', 'directory for the report files')
    .option(
      '--no-redact',
      'show customer texts as written (by default card numbers, CVVs, national ids, emails and phones are masked)',
    )
    .action(async (opts: AuditOpts) => {
      // Validate every input before opening the store, so a typo costs nothing.
      const since = opts.since !== undefined ? parseDay(opts.since, '--since') : undefined;
      const until = opts.until !== undefined ? parseDay(opts.until, '--until') : undefined;
      if (since !== undefined && until !== undefined && until <= since) {
        throw new UserError('cli.bad_option', '--until must be after --since', { field: '--until' });
      }
      const costs = {
        agentHourCost: positive(opts.agentHourCost, '--agent-hour-cost', DEFAULT_COSTS.agentHourCost),
        hoursPerAgentMonth: positive(
          opts.hoursPerAgentMonth,
          '--hours-per-agent-month',
          DEFAULT_COSTS.hoursPerAgentMonth,
        ),
        currency: opts.currency?.trim() || DEFAULT_COSTS.currency,
      };
      const exclusions = loadExclusionRules(
        opts.exclusions !== undefined ? resolve(io.cwd, opts.exclusions) : undefined,
      );
      const taxonomy = opts.taxonomy !== undefined ? loadTaxonomy(resolve(io.cwd, opts.taxonomy)) : undefined;
      if (taxonomy && opts.topicsMap !== undefined) {
        throw new UserError(
          'cli.bad_option',
          '--topics-map renames discovered topics; it cannot go with --taxonomy',
          {
            field: '--topics-map',
          },
        );
      }
      const topicsMap =
        opts.topicsMap !== undefined
          ? loadTopicsMap(resolve(io.cwd, opts.topicsMap), opts.topicsMap)
          : undefined;
      const categorise = taxonomy ? taxonomyCategoriser(taxonomy) : undefined;
      const discoverTopics = categorise ? undefined : discoverTopicsInTexts;
      const outDir = outputFolder(opts.out, '--out', io);
      requireStore(opts, io);
      const store = await openStoreFromOptions(opts, io);
      try {
        const total = (await store.stats()).tickets;
        const progress = progressBar(io, total, 'tickets', { label: 'audit' });
        const t0 = performance.now();
        let result: AuditResult;
        try {
          result = await runAudit({
            store,
            exclusions,
            costs,
            ...(since !== undefined ? { since } : {}),
            ...(until !== undefined ? { until } : {}),
            ...(categorise ? { categorise } : {}),
            ...(discoverTopics ? { discoverTopics } : {}),
            ...(topicsMap ? { topicsMap } : {}),
            onProgress: (done) => progress.update(done, { records: done }),
          });
        } finally {
          progress.stop();
        }
        writeAuditOutputs(result, outDir, new Date(), { redact: opts.redact });
        printAuditSummary(result, outDir, (performance.now() - t0) / 1000, io);
      } finally {
        await store.close();
      }
    });
}

/** The lines `audit` and `start` print: the split, the top five opportunities and where the report is. */
export function printAuditSummary(result: AuditResult, outDir: string, seconds: number, io: CliIo): void {
  io.stdout.write(
    `audited ${result.team.tickets} tickets in ${seconds.toFixed(1)} s (categories from ${result.categorySource}); ` +
      `${Math.round(result.predictableShare * 100)}% predictable` +
      (result.unmeasuredShare > 0
        ? `, ${Math.round(result.unmeasuredShare * 100)}% not measurable (see the report)`
        : '') +
      '\n',
  );
  const s = result.savings;
  const c = result.assumptions.costs;
  io.stdout.write(
    `savings: top three ${s.top3.hoursPerMonth} h/month = ${s.top3.agents} agents = ${c.currency} ${s.top3.costPerMonth}/month; ` +
      `all ${s.total.hoursPerMonth} h = ${s.total.agents} agents = ${c.currency} ${s.total.costPerMonth}\n`,
  );
  if (result.team.agentStarted > 0) {
    io.stdout.write(
      `${result.team.agentStarted} started by an agent (a logged call, an outbound message): no first response until the customer writes\n`,
    );
  }
  io.stdout.write('\ntop opportunities:\n');
  for (const c of result.categories.slice(0, 5)) {
    io.stdout.write(
      `  ${String(c.rank).padStart(2)}. ${c.category.padEnd(22)} ${String(c.monthlyVolume).padStart(8)}/month  ${(c.potential === 'unknown' ? 'not measurable' : c.potential).padEnd(6)} score ${c.score}\n`,
    );
  }
  io.stdout.write(`\nreport: ${resolve(outDir, 'report.html')}\n`);
  if (result.topicDiscovery) {
    io.stdout.write(
      `topics: ${resolve(outDir, 'topics.yaml')} (rename or merge there, then run again with --topics-map)\n`,
    );
  }
}

/** A positive number option, or the default when absent. */
function positive(value: string | undefined, flag: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) {
    throw new UserError('cli.bad_option', `expected a positive number, got "${value}"`, { field: flag });
  }
  return n;
}

/** A UTC day as epoch ms. */
export function parseDay(value: string, flag: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  const ms = m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) : Number.NaN;
  if (!m || Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== value) {
    throw new UserError('cli.bad_option', `expected a day as YYYY-MM-DD, got "${value}"`, { field: flag });
  }
  return ms;
}
