import { resolve } from 'node:path';
import type { Command } from 'commander';
import { DEFAULT_KB_INDEX, replayTicketQuestions } from '../../app/knowledge.ts';
import {
  AUDIENCES,
  auditKnowledge,
  buildKnowledgeIndex,
  DEFAULT_MIN_SCORE,
  DEFAULT_STALE_DAYS,
  diffArticles,
  formatKnowledgeAudit,
  type KnowledgeIndex,
  loadKnowledgeBase,
  readArticles,
  readKnowledgeIndex,
  writeKnowledgeIndex,
} from '../../kb/index.ts';
import { OOS_LABEL, readModelFile } from '../../nlu/index.ts';
import { type Clock, systemClock, UserError } from '../../shared/index.ts';
import type { CliIo } from '../io.ts';
import { openStoreFromOptions, parsePositiveInt } from './options.ts';

/**
 * `switchboard kb`: the knowledge base. `import DIR` reads Markdown articles with front matter into a JSON
 * index (re-imports update changed articles and drop deleted ones), `search QUERY` shows the ranked passages,
 * `audit` lists intents with no article, stale articles, never-matched articles and near-duplicates.
 *
 * @example
 * switchboard kb import src/demo/kb
 * // 24 articles, 77 passages -> .switchboard/kb-index.json
 * // added 24, updated 0, removed 0, unchanged 0
 * switchboard kb search "how long do refunds take" --json
 * switchboard kb audit --model .switchboard/intents.model.json --db switchboard.db --stale-days 90
 */
export function registerKb(program: Command, io: CliIo, clock: Clock = systemClock): void {
  const kb = program
    .command('kb')
    .description('knowledge base: import Markdown articles, search them, audit them');

  kb.command('import')
    .description('read Markdown articles (front matter: title, tags, updated, audience, url) into the index')
    .argument('<dir>', 'folder of .md articles (subfolders included)')
    .option('--index <file>', 'index file to write', DEFAULT_KB_INDEX)
    .action((dir: string, opts: { index: string }) => {
      const indexPath = resolve(io.cwd, opts.index);
      const articles = readArticles(resolve(io.cwd, dir), dir);
      const previous = readPrevious(indexPath, opts.index);
      const index = buildKnowledgeIndex(articles, clock.now());
      const changes = diffArticles(previous?.articles ?? [], index.articles);
      writeKnowledgeIndex(indexPath, index);
      io.stdout.write(
        `${index.articles.length} articles, ${index.passages.length} passages -> ${opts.index}\n` +
          `added ${changes.added.length}, updated ${changes.updated.length}, ` +
          `removed ${changes.removed.length}, unchanged ${changes.unchanged.length}\n`,
      );
    });

  kb.command('search')
    .description('show the passages that best answer a question, with their 0..1 scores')
    .argument('<query...>', 'the question')
    .option('--index <file>', 'index file', DEFAULT_KB_INDEX)
    .option('--limit <n>', 'how many passages', '5')
    .option('--audience <who>', `${AUDIENCES.join(', ')} or all`, 'all')
    .option('--json', 'one JSON array of hits')
    .action((words: string[], opts: { index: string; limit: string; audience: string; json?: boolean }) => {
      const limit = parsePositiveInt(opts.limit, '--limit');
      const audience = parseAudience(opts.audience);
      const base = loadKnowledgeBase(readKnowledgeIndex(resolve(io.cwd, opts.index), opts.index));
      const hits = base.search(words.join(' '), { limit, audience });
      if (opts.json) {
        io.stdout.write(`${JSON.stringify(hits)}\n`);
        return;
      }
      if (hits.length === 0) {
        io.stdout.write('no passage matches\n');
        return;
      }
      hits.forEach((h, i) => {
        const heading = h.heading ? ` > ${h.heading}` : '';
        const mark = h.score >= DEFAULT_MIN_SCORE ? '' : ' (below the answer threshold)';
        io.stdout.write(`${i + 1}. ${h.score.toFixed(2)}  ${h.title}${heading}${mark}\n   ${h.url}\n`);
        io.stdout.write(`${h.passage.replace(/^/gm, '   | ')}\n\n`);
      });
    });

  kb.command('audit')
    .description('intents with no article, stale articles, never-matched articles, near-duplicates')
    .option('--index <file>', 'index file', DEFAULT_KB_INDEX)
    .option('--intents <list>', 'intents to check, comma-separated')
    .option('--model <file>', 'check the intents of this NLU model file')
    .option('--stale-days <n>', 'articles not updated for more days are stale', String(DEFAULT_STALE_DAYS))
    .option(
      '--db <path>',
      'replay the first messages of the tickets in this store to find never-matched articles',
    )
    .option(
      '--min-score <x>',
      'score a replayed question needs to count as answered',
      String(DEFAULT_MIN_SCORE),
    )
    .option('--json', 'the audit as JSON')
    .action(async (opts: AuditOpts) => {
      if (opts.intents !== undefined && opts.model !== undefined) {
        throw new UserError('cli.bad_option', 'give --intents or --model, not both', { field: '--intents' });
      }
      const staleDays = parsePositiveInt(opts.staleDays, '--stale-days');
      const minScore = Number(opts.minScore);
      if (!/^\d*\.?\d+$/.test(opts.minScore) || minScore > 1) {
        throw new UserError('cli.bad_option', `expected a score from 0 to 1, got "${opts.minScore}"`, {
          field: '--min-score',
        });
      }
      const index = readKnowledgeIndex(resolve(io.cwd, opts.index), opts.index);
      const intents =
        opts.model !== undefined
          ? readModelFile(resolve(io.cwd, opts.model)).labels.filter((l) => l !== OOS_LABEL)
          : opts.intents
              ?.split(',')
              .map((s) => s.trim())
              .filter(Boolean);
      let matches: Awaited<ReturnType<typeof replayTicketQuestions>> | undefined;
      if (opts.db !== undefined) {
        const store = await openStoreFromOptions({ db: opts.db }, io);
        try {
          matches = await replayTicketQuestions({ store, kb: loadKnowledgeBase(index), minScore });
        } finally {
          await store.close();
        }
      }
      const audit = auditKnowledge({
        index,
        nowMs: clock.now(),
        staleDays,
        ...(intents ? { intents } : {}),
        ...(matches ? { matches } : {}),
      });
      io.stdout.write(opts.json ? `${JSON.stringify(audit)}\n` : `${formatKnowledgeAudit(audit)}\n`);
    });
}

interface AuditOpts {
  index: string;
  intents?: string;
  model?: string;
  staleDays: string;
  db?: string;
  minScore: string;
  json?: boolean;
}

/** The index of the last import, to count changes; a file there that is not an index is not overwritten. */
function readPrevious(path: string, shownAs: string): KnowledgeIndex | null {
  try {
    return readKnowledgeIndex(path, shownAs);
  } catch (error) {
    if (error instanceof UserError && error.code === 'kb.index_missing') return null;
    if (error instanceof UserError) {
      throw new UserError(
        'kb.index_invalid',
        `${error.message}; not overwriting it: remove it or pass another --index`,
        error.location,
        { cause: error },
      );
    }
    throw error;
  }
}

function parseAudience(value: string): (typeof AUDIENCES)[number] | 'all' {
  if (value === 'all' || (AUDIENCES as readonly string[]).includes(value)) return value as 'all';
  throw new UserError('cli.bad_option', `expected ${AUDIENCES.join(', ')} or all, got "${value}"`, {
    field: '--audience',
  });
}
