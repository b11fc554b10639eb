import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { weeklyReview, weeklyReviewMarkdown } from '../../analytics/index.ts';
import { DEFAULT_CONFIG_FILE } from '../../config/index.ts';
import { UserError, writeFileAtomically } from '../../shared/index.ts';
import type { CliIo } from '../io.ts';
import { DB_HELP, openDeploymentFromOptions } from './options.ts';

interface ReviewOpts {
  config?: string;
  db?: string;
  day?: string;
  out?: string;
  json?: boolean;
}

/**
 * `switchboard review`: the weekly review a lead acts on: failure patterns, candidates for new automation,
 * workflows to fix or retire, pilots ready to widen, knowledge-base gaps; each with its numbers and conversations.
 *
 * @example
 * switchboard review --day 2026-12-06 --out .switchboard/review
 */
export function registerReview(program: Command, io: CliIo): void {
  program
    .command('review')
    .description(
      'the weekly review: failure patterns, what to automate next, workflows to fix or retire, pilots to widen, knowledge gaps',
    )
    .option('--config <file>', `deployment configuration (default: ./${DEFAULT_CONFIG_FILE} when it exists)`)
    .option('--db <path>', DB_HELP)
    .option('--day <date>', 'the last day of the week, YYYY-MM-DD, UTC (default: yesterday)')
    .option('--out <dir>', 'write review-<day>.md and .json here')
    .option('--json', 'print the review as one JSON object')
    .action(async (opts: ReviewOpts) => {
      const now = Date.now();
      const day = opts.day ?? new Date(now - 86_400_000).toISOString().slice(0, 10);
      if (!/^\d{4}-\d{2}-\d{2}$/.test(day) || Number.isNaN(Date.parse(`${day}T00:00:00Z`))) {
        throw new UserError('review.bad_day', `--day is a date, YYYY-MM-DD: ${day}`, { field: '--day' });
      }
      const deployment = await openDeploymentFromOptions(opts, io);
      try {
        const state = deployment.pilotState();
        const review = await weeklyReview({
          store: deployment.store,
          day,
          now,
          workflows: deployment.workflows,
          pilots: new Map(
            [...state.pilots.entries()].map(([id, p]) => [
              id,
              { mode: p.settings.mode, percent: p.settings.percent },
            ]),
          ),
        });
        const markdown = weeklyReviewMarkdown(review);
        if (opts.out) {
          const dir = resolve(io.cwd, opts.out);
          mkdirSync(dir, { recursive: true });
          writeFileAtomically(join(dir, `review-${day}.md`), markdown);
          writeFileAtomically(join(dir, `review-${day}.json`), `${JSON.stringify(review, null, 2)}\n`);
        }
        io.stdout.write(opts.json ? `${JSON.stringify(review)}\n` : markdown);
      } finally {
        await deployment.close();
      }
    });
}
