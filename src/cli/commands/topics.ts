import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Command } from 'commander';
import { discoverTopics } from '../../audit/topics.ts';
import { applyTopicsMap, loadTopicsMap, topicsMapYaml } from '../../audit/topics-map.ts';
import { UserError } from '../../shared/index.ts';
import type { CliIo } from '../io.ts';
import { progressBar } from '../progress.ts';
import { outputFile, parseInteger, parsePositiveInt, shownPath } from './options.ts';

/**
 * `switchboard topics`: topic discovery on JSON Lines `{"text"}`, one JSON line out per input, in order, with
 * at least `{"topic": id, "name": string}` (-1 and "other" for the other bucket). A contract that checks rely
 * on, so the output shape stays stable. `--map-out` writes the starting mapping file; `--topics-map` applies
 * one (renamed topics keep their id, merged ones share the smallest id of the group, "other" is -1).
 *
 * @example
 * switchboard topics --data tickets.jsonl --k auto --seed 7 --min-size 5 --map-out topics.yaml
 * // {"topic":0,"name":"card / arrived / card arrived"}
 * switchboard topics --data tickets.jsonl --k auto --min-size 5 --topics-map topics.yaml
 * // {"topic":0,"name":"card delivery"}
 */
export function registerTopics(program: Command, io: CliIo): void {
  program
    .command('topics')
    .description('cluster unlabelled texts (JSON Lines {"text"}) into named topics; one JSON line per input')
    .requiredOption('--data <file>', 'texts, JSON Lines {"text": "..."}')
    .option('--k <n|auto>', 'number of topics, or auto', 'auto')
    .option('--seed <n>', "random seed (same data + seed = same topics; default: the map's, else 1)")
    .option('--min-size <n>', 'smaller topics go to "other" (default: about 0.5% of the texts, 2 to 20)')
    .option('--topics-map <file>', 'YAML renames and merges of the topics (see --map-out)')
    .option('--map-out <file>', 'write a starting mapping file listing the topics found')
    .action((opts: TopicsOpts) => {
      const mapOut = opts.mapOut !== undefined ? outputFile(opts.mapOut, '--map-out', io) : undefined;
      const k = opts.k === 'auto' ? 'auto' : parsePositiveInt(opts.k, '--k');
      const minTopicSize =
        opts.minSize === undefined ? undefined : parsePositiveInt(opts.minSize, '--min-size');
      const map =
        opts.topicsMap !== undefined
          ? loadTopicsMap(resolve(io.cwd, opts.topicsMap), opts.topicsMap)
          : undefined;
      const givenSeed = opts.seed === undefined ? undefined : parseInteger(opts.seed, '--seed');
      if (givenSeed !== undefined && map?.seed !== undefined && givenSeed !== map.seed) {
        throw new UserError('cli.bad_option', `the topics map was written with seed ${map.seed}`, {
          field: '--seed',
        });
      }
      const seed = givenSeed ?? map?.seed ?? 1;
      const texts = readTexts(resolve(io.cwd, opts.data), opts.data);
      const t0 = performance.now();
      const progress = progressBar(io, 1, 'stages', { label: 'topics', show: 'count' });
      let result: ReturnType<typeof discoverTopics>;
      try {
        result = discoverTopics(texts, {
          k,
          seed,
          ...(minTopicSize !== undefined ? { minTopicSize } : {}),
          onProgress: (done, total) => progress.update(done, { total }),
        });
      } finally {
        progress.stop();
      }
      const mapped = map
        ? applyTopicsMap(map, result.topics)
        : new Map(result.topics.map((t) => [t.id, { id: t.id, name: t.name }]));
      const lines = result.assignments.map((topic) => {
        const to = mapped.get(topic) ?? { id: -1, name: 'other' };
        return JSON.stringify({ topic: to.id, name: to.name });
      });
      if (mapOut !== undefined) {
        const listed = result.topics.map((t) => ({
          id: t.id,
          name: t.name,
          size: t.size,
          example: texts[t.representative] ?? '',
          category: mapped.get(t.id)!.name,
        }));
        mkdirSync(dirname(mapOut), { recursive: true });
        writeFileSync(mapOut, topicsMapYaml(seed, listed));
      }
      io.stdout.write(`${lines.join('\n')}\n`);
      // stdout is the JSON Lines contract; the summary is for a person at a terminal.
      if (io.stderr.isTTY) {
        const other = result.assignments.filter((t) => (mapped.get(t)?.id ?? -1) === -1).length;
        const names = new Set([...mapped.values()].map((t) => t.id).filter((id) => id !== -1)).size;
        io.stderr.write(
          `${texts.length} texts in ${names} topics (${other} in "other") in ${((performance.now() - t0) / 1000).toFixed(1)} s` +
            `${mapOut !== undefined ? `; mapping file: ${shownPath(mapOut, io)}` : ''}\n`,
        );
      }
    });
}

interface TopicsOpts {
  data: string;
  k: string;
  seed?: string;
  minSize?: string;
  topicsMap?: string;
  mapOut?: string;
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
