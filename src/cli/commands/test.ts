import { resolve } from 'node:path';
import type { Command } from 'commander';
import { runConversationTests } from '../../app/conversation-tests.ts';
import { DEFAULT_CONFIG_FILE } from '../../config/index.ts';
import { type ConversationTestResult, loadConversationTests } from '../../conversation-tests/index.ts';
import { OperationalError } from '../../shared/index.ts';
import type { CliIo } from '../io.ts';
import { DB_HELP, MODEL_HELP, openDeploymentFromOptions } from './options.ts';

interface TestOpts {
  config?: string;
  db?: string;
  model?: string;
  workflows?: string;
  json?: boolean;
}

/**
 * `switchboard test conversations DIR`: YAML tests of whole conversations (the customer's turns; the intent,
 * workflow, steps, slots, replies and escalation expected) played through the deployment's real runtime on a
 * throwaway store. Exit 0 when every test passes, 1 when one fails (each failure says what was expected and what
 * came), 2 for a test file that is not valid (file:line).
 *
 * @example
 * switchboard test conversations examples/conversation-tests
 * switchboard test conversations tests/ --model candidate.model.json   # a candidate model against the tests
 */
export function registerTest(program: Command, io: CliIo): void {
  const test = program.command('test').description('test the deployment: conversations');
  test
    .command('conversations <dir>')
    .description('play YAML conversation tests through the real runtime; exit 1 when one fails')
    .option('--config <file>', `deployment configuration (default: ./${DEFAULT_CONFIG_FILE} when it exists)`)
    .option('--db <path>', DB_HELP)
    .option('--model <file>', MODEL_HELP)
    .option('--workflows <dir>', "workflow folder (default: the configuration's)")
    .option('--json', 'one JSON object with every result')
    .action(async (dir: string, opts: TestOpts) => {
      const tests = loadConversationTests(resolve(io.cwd, dir));
      const deployment = await openDeploymentFromOptions(opts, io);
      let results: ConversationTestResult[];
      try {
        results = await runConversationTests({ deployment, tests });
      } finally {
        await deployment.close();
      }
      const failed = results.filter((r) => !r.passed);
      io.stdout.write(
        opts.json
          ? `${JSON.stringify({ passed: results.length - failed.length, failed: failed.length, results })}\n`
          : formatResults(results),
      );
      if (failed.length > 0) {
        throw new OperationalError(
          'tests.failed',
          `${failed.length} of ${results.length} conversation tests failed`,
        );
      }
    });
}

export function formatResults(results: readonly ConversationTestResult[]): string {
  const lines: string[] = [];
  for (const r of results) {
    lines.push(`${r.passed ? 'pass' : 'FAIL'}  ${r.name}  (${r.file}, ${Math.round(r.ms)} ms)`);
    for (const [i, turn] of r.turns.entries()) {
      for (const failure of turn.failures) lines.push(`        turn ${i + 1} "${turn.say}": ${failure}`);
    }
    for (const failure of r.failures) lines.push(`        at the end: ${failure}`);
  }
  const failed = results.filter((r) => !r.passed).length;
  lines.push('', `${results.length - failed} passed, ${failed} failed`, '');
  return lines.join('\n');
}
