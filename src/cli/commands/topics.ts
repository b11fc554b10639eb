import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { discoverTopics } from '../../audit/topics.ts';
import { UserError } from '../../shared/index.ts';
import type { CliIo } from '../io.ts';
import { parseInteger, parsePositiveInt } from './options.ts';

/**
 * `switchboard topics`: topic discovery on JSON Lines `{"text"}`, one JSON line out per input, in order, with
 * at least `{"topic": id, "name": string}` (-1 and "other" for the other bucket). A contract that checks rely
 * on, so the output shape stays stable.
 *
 * @example
 * switchboard topics --data tickets.jsonl --k auto --seed 7 --min-size 5
 * // {"topic":0,"name":"card / arrived / card arrived"}
 */
export function registerTopics(program: Command, io: CliIo): void {
  program
    .command('topics')
    .description('cluster unlabelled texts (JSON Lines {"text"}) into named topics; one JSON line per input')
    .requiredOption('--data <file>', 'texts, JSON Lines {"text": "..."}')
    .option('--k <n|auto>', 'number of topics, or auto', 'auto')
    .option('--seed <n>', 'random seed (same data + seed = same topics)', '1')
    .option('--min-size <n>', 'smaller topics go to "other" (default: about 0.5% of the texts, 2 to 20)')
    .action((opts: { data: string; k: string; seed: string; minSize?: string }) => {
      const k = opts.k === 'auto' ? 'auto' : parsePositiveInt(opts.k, '--k');
      const seed = parseInteger(opts.seed, '--seed');
      const minTopicSize =
        opts.minSize === undefined ? undefined : parsePositiveInt(opts.minSize, '--min-size');
      const texts = readTexts(resolve(io.cwd, opts.data), opts.data);
      const result = discoverTopics(texts, {
        k,
        seed,
        ...(minTopicSize !== undefined ? { minTopicSize } : {}),
      });
      const names = new Map(result.topics.map((t) => [t.id, t.name]));
      const lines = result.assignments.map((topic) =>
        JSON.stringify({ topic, name: names.get(topic) ?? 'other' }),
      );
      io.stdout.write(`${lines.join('\n')}\n`);
    });
}

/** The texts of a JSON Lines file; blank lines are skipped, anything else that is not `{"text"}` is an error. */
function readTexts(path: string, shownAs: string): string[] {
  let content: string;
  try {
    content = readFileSync(path, 'utf8');
  } catch (error) {
    throw new UserError('topics.unreadable', 'cannot read this file', { file: shownAs }, { cause: error });
  }
  const texts: string[] = [];
  content.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    const where = { file: shownAs, line: i + 1 };
    let row: unknown;
    try {
      row = JSON.parse(line);
    } catch (error) {
      throw new UserError('topics.bad_input_line', 'this line is not JSON', where, { cause: error });
    }
    const text = typeof row === 'object' && row !== null ? (row as Record<string, unknown>).text : undefined;
    if (typeof text !== 'string') {
      throw new UserError('topics.bad_input_line', 'expected {"text": "..."}', { ...where, field: 'text' });
    }
    texts.push(text);
  });
  if (texts.length === 0) {
    throw new UserError('topics.empty_input', 'no texts: expected JSON Lines {"text": "..."}', {
      file: shownAs,
      line: 1,
    });
  }
  return texts;
}
