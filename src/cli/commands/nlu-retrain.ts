import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { retrainDeployment } from '../../app/retrain.ts';
import { DEFAULT_CONFIG_FILE } from '../../config/index.ts';
import { renderGateMarkdown } from '../../learning/index.ts';
import { writeFileAtomically } from '../../shared/index.ts';
import type { CliIo } from '../io.ts';
import { DB_HELP, openDeploymentFromOptions } from './options.ts';

/**
 * `switchboard nlu retrain`: a candidate model from the base data plus the accepted corrections, the gate against
 * the active model (the frozen evaluation set, per-intent margins, the conversation tests of --tests), the candidate
 * stored as a new version, active only when the gate promotes it. The gate's report goes to --out as Markdown and
 * JSON, and to the terminal.
 *
 * @example
 * switchboard nlu retrain --tests examples/conversation-tests --out .switchboard/retrain
 */
export function registerRetrain(nlu: Command, io: CliIo): void {
  nlu
    .command('retrain')
    .description(
      'train a candidate on the base data + accepted corrections; the gate decides whether it goes live',
    )
    .option('--config <file>', `deployment configuration (default: ./${DEFAULT_CONFIG_FILE} when it exists)`)
    .option('--db <path>', DB_HELP)
    .option(
      '--tests <dir>',
      "conversation tests the candidate must pass (default: the configuration's learning.tests)",
    )
    .option('--out <dir>', 'write gate-report.md and gate-report.json here')
    .option('--json', 'one JSON object: the version stored, the decision, the report')
    .action(async (opts: { config?: string; db?: string; tests?: string; out?: string; json?: boolean }) => {
      const deployment = await openDeploymentFromOptions(opts, io);
      try {
        const { result, stored } = await retrainDeployment({
          deployment,
          testsDir: opts.tests ? resolve(io.cwd, opts.tests) : deployment.learningTestsDir,
          by: 'cli',
        });
        const summary = {
          version: stored.version,
          active: stored.active,
          fingerprint: result.fingerprint,
          training: result.training,
          evaluation: result.evaluation,
          report: result.report,
        };
        if (opts.out) {
          const dir = resolve(io.cwd, opts.out);
          mkdirSync(dir, { recursive: true });
          writeFileAtomically(join(dir, 'gate-report.md'), renderGateMarkdown(result.report));
          writeFileAtomically(join(dir, 'gate-report.json'), `${JSON.stringify(summary, null, 2)}\n`);
        }
        if (opts.json) {
          io.stdout.write(`${JSON.stringify(summary)}\n`);
          return;
        }
        io.stdout.write(
          [
            `trained on ${result.training.total} examples (${result.training.base} base, ${result.training.corrections} corrections); evaluated on ${result.evaluation.total} (the frozen set)`,
            renderGateMarkdown(result.report),
            `stored as nlu-model v${stored.version}: ${stored.active ? 'now active (every process loads it within seconds)' : 'kept inactive; the active model stays'}`,
            '',
          ].join('\n'),
        );
      } finally {
        await deployment.close();
      }
    });
}
