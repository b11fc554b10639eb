import { resolve } from 'node:path';
import type { Command } from 'commander';
import { readActiveKnowledgeIndex, replayTicketQuestions } from '../../app/knowledge.ts';
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
  type MatchCounts,
  parseKnowledgeIndex,
  readArticles,
  readKnowledgeIndex,
  serialiseKnowledgeIndex,
  writeKnowledgeIndex,
} from '../../kb/index.ts';
import { OOS_LABEL, parseModel, readModelFile } from '../../nlu/index.ts';
import { type Clock, systemClock, UserError } from '../../shared/index.ts';
import type { Store } from '../../store/index.ts';
import type { CliIo } from '../io.ts';
import { openVersionStore, registerVersionCommands, saveVersion } from './nlu.ts';
import { DB_HELP, hasStore, outputFile, parsePositiveInt } from './options.ts';

const HOW_TO_STORE = 'run `switchboard kb import DIR` first';

/**
 * `switchboard kb`: the knowledge base. `import DIR` reads Markdown articles with front matter into an index
 * and stores it as the store's active `kb-index` version (every process picks it up within seconds), or writes
 * it to `--index FILE` for offline use; the added / updated / removed counts are against the active version
 * (or the file). `search QUERY` shows the ranked passages; `audit` lists intents with no article, stale
 * articles, never-matched articles (the store's tickets replayed) and near-duplicates. `versions`,
 * `activate N` (a rollback is activating an older one) and `export` manage the stored versions.
 *
 * @example
 * switchboard kb import src/demo/kb
 * // 24 articles, 77 passages -> kb-index v1 (active)
 * // added 24, updated 0, removed 0, unchanged 0
 * switchboard kb search "how long do refunds take" --json
 * switchboard kb audit --stale-days 90
 * switchboard kb audit --index kb-index.json --model intents.model.json --db switchboard.db --no-replay
 * switchboard kb versions
 * switchboard kb activate 1
 * switchboard kb export --out kb-index.json
 * switchboard kb import src/demo/kb --index kb-index.json
 */
export function registerKb(program: Command, io: CliIo, clock: Clock = systemClock): void {
  const kb = program
    .command('kb')
    .description(
      'knowledge base: import Markdown articles, search them, audit them; store, list and activate index versions',
    );

  kb.command('import')
    .description(
      'read Markdown articles (front matter: title, tags, updated, audience, url) into an index, stored as the active kb-index version (or written to --index FILE)',
    )
    .argument('<dir>', 'folder of .md articles (subfolders included)')
    .option('--db <path>', DB_HELP)
    .option('--index <file>', 'write the index to this file instead of the store (offline use)')
    .action(async (dir: string, opts: { db?: string; index?: string }) => {
      const indexPath = indexFileOf(opts);
      const indexFile = indexPath !== undefined ? outputFile(indexPath, '--index', io) : undefined;
      const articles = readArticles(resolve(io.cwd, dir), dir);
      const index = buildKnowledgeIndex(articles, clock.now());
      if (indexPath !== undefined && indexFile !== undefined) {
        const previous = readPrevious(indexFile, indexPath);
        const changes = diffArticles(previous?.articles ?? [], index.articles);
        writeKnowledgeIndex(indexFile, index);
        io.stdout.write(
          `${index.articles.length} articles, ${index.passages.length} passages -> ${indexPath}\n${formatChanges(changes)}\n`,
        );
        return;
      }
      const store = await openVersionStore(opts, io, 'write');
      try {
        const active = await activeIndexForDiff(store);
        const changes = diffArticles(active?.index?.articles ?? [], index.articles);
        const counts = `${index.articles.length} articles, ${index.passages.length} passages`;
        const unreadable = active?.problem
          ? `\nthe active version cannot be read, so every article counts as added: ${active.problem}`
          : '';
        // Every import builds a new `builtAt`: a version that differs only there is not a new version.
        const content = serialiseKnowledgeIndex(index);
        if (
          active?.index &&
          serialiseKnowledgeIndex({ ...index, builtAt: active.index.builtAt }) === active.content
        ) {
          io.stdout.write(
            `${counts}: no change, kb-index v${active.version} stays active\n${formatChanges(changes)}\n`,
          );
          return;
        }
        const stored = await saveVersion({
          store,
          kind: 'kb-index',
          content,
          note: `imported from ${dir}`,
          activate: true,
          clock,
        });
        const was = active && active.version !== stored.info.version ? `; was v${active.version}` : '';
        io.stdout.write(
          `${counts} -> kb-index v${stored.info.version} (active${was})\n${formatChanges(changes)}${unreadable}\n`,
        );
      } finally {
        await store.close();
      }
    });

  kb.command('search')
    .description('show the passages that best answer a question, with their 0..1 scores')
    .argument('<query...>', 'the question')
    .option('--db <path>', `search the active version of this store: ${DB_HELP}`)
    .option('--index <file>', 'search this index file instead of the store')
    .option('--limit <n>', 'how many passages', '5')
    .option('--audience <who>', `${AUDIENCES.join(', ')} or all`, 'all')
    .option('--json', 'one JSON array of hits')
    .action(
      async (
        words: string[],
        opts: { db?: string; index?: string; limit: string; audience: string; json?: boolean },
      ) => {
        const limit = parsePositiveInt(opts.limit, '--limit');
        const audience = parseAudience(opts.audience);
        const indexPath = indexFileOf(opts);
        const index =
          indexPath !== undefined
            ? readKnowledgeIndex(resolve(io.cwd, indexPath), indexPath)
            : (await withStore(opts, io, async (store) => requireActiveIndex(store))).index;
        const hits = loadKnowledgeBase(index).search(words.join(' '), { limit, audience });
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
      },
    );

  kb.command('audit')
    .description(
      "intents with no article, stale articles, never-matched articles, near-duplicates. Reads the store's active index and replays the first messages of its tickets; the intents are --intents, --model FILE, else the store's active NLU model's",
    )
    .option('--db <path>', `the store to read the index, the tickets and the intents from: ${DB_HELP}`)
    .option(
      '--index <file>',
      "audit this index file instead of the store's active one (tickets and intents still come from the store when there is one)",
    )
    .option('--no-replay', "do not replay the store's tickets (slow on big stores): no never-matched list")
    .option('--intents <list>', 'intents to check, comma-separated')
    .option('--model <file>', "check the intents of this NLU model file (default: the store's active model)")
    .option('--stale-days <n>', 'articles not updated for more days are stale', String(DEFAULT_STALE_DAYS))
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
      // Files first: a bad one stops the audit before the store is opened.
      const fileIndex =
        opts.index !== undefined ? readKnowledgeIndex(resolve(io.cwd, opts.index), opts.index) : undefined;
      const givenIntents =
        opts.model !== undefined
          ? intentsOf(readModelFile(resolve(io.cwd, opts.model)).labels)
          : opts.intents
              ?.split(',')
              .map((s) => s.trim())
              .filter(Boolean);
      const sources: AuditSources = {
        index: opts.index ?? 'the store',
        intents: opts.model ?? (opts.intents !== undefined ? '--intents' : null),
        tickets: null,
      };
      let notReplayed = opts.replay
        ? 'not replayed (no store here: pass --db)'
        : 'not replayed (--no-replay)';
      // The store gives the index unless --index names one, and the tickets and intents whenever it exists.
      const wantsStore = opts.replay || givenIntents === undefined;
      const needsStore =
        fileIndex === undefined || (wantsStore && (opts.db !== undefined || hasStore(opts, io)));
      let index = fileIndex;
      let intents = givenIntents;
      let matches: MatchCounts | undefined;
      if (needsStore) {
        const store = await openVersionStore(opts, io, 'read', `${HOW_TO_STORE}, or pass --index FILE`);
        try {
          const location = store.capabilities.location;
          if (index === undefined) {
            const active = await requireActiveIndex(store);
            index = active.index;
            sources.index = `kb-index v${active.artifact.version} (active) in ${location}`;
          }
          if (intents === undefined) {
            const model = await store.getArtifact('nlu-model', 'active');
            if (model) {
              intents = intentsOf(parseModel(model.content, `nlu-model v${model.version}`).labels);
              sources.intents = `nlu-model v${model.version} (active) in ${location}`;
            }
          }
          if (opts.replay) {
            const replayed = await replayTicketQuestions({ store, kb: loadKnowledgeBase(index), minScore });
            // No tickets is no replay: every article "never matched" would say nothing.
            if (replayed.questions > 0) {
              matches = replayed;
              sources.tickets = location;
            } else {
              notReplayed = `none in ${location}`;
            }
          }
        } finally {
          await store.close();
        }
      }
      const audit = auditKnowledge({
        index: index!,
        nowMs: clock.now(),
        staleDays,
        ...(intents ? { intents } : {}),
        ...(matches ? { matches } : {}),
      });
      io.stdout.write(
        opts.json
          ? `${JSON.stringify({ ...audit, sources })}\n`
          : `${formatSources(sources, notReplayed)}\n${formatKnowledgeAudit(audit)}\n`,
      );
    });

  registerVersionCommands(kb, io, clock, {
    kind: 'kb-index',
    noun: 'knowledge base',
    howToStore: HOW_TO_STORE,
    check: (content, shownAs) => {
      parseKnowledgeIndex(content, shownAs);
    },
  });
}

interface AuditOpts {
  db?: string;
  index?: string;
  replay: boolean;
  intents?: string;
  model?: string;
  staleDays: string;
  minScore: string;
  json?: boolean;
}

/** What the audit read: shown above the text, and as `sources` in the JSON. */
interface AuditSources {
  /** The index file, or `kb-index vN (active) in LOCATION`. */
  index: string;
  /** The model file, `--intents`, the store's active model, or null when no intents were checked. */
  intents: string | null;
  /** The store whose tickets were replayed, or null. */
  tickets: string | null;
}

function formatSources(sources: AuditSources, notReplayed: string): string {
  return [
    `index:   ${sources.index}`,
    `intents: ${sources.intents ?? 'none (no --intents, no --model, no active NLU model in the store)'}`,
    `tickets: ${sources.tickets !== null ? `replayed from ${sources.tickets}` : notReplayed}`,
    '',
  ].join('\n');
}

const intentsOf = (labels: readonly string[]) => labels.filter((l) => l !== OOS_LABEL);

/** `--index FILE`, or undefined for the store; both at once is a mistake. */
function indexFileOf(opts: { db?: string; index?: string }): string | undefined {
  if (opts.index !== undefined && opts.db !== undefined) {
    throw new UserError('cli.bad_option', 'give --db (the store) or --index FILE, not both', {
      field: '--index',
    });
  }
  return opts.index;
}

async function withStore<T>(opts: { db?: string }, io: CliIo, use: (store: Store) => Promise<T>): Promise<T> {
  const store = await openVersionStore(opts, io, 'read', `${HOW_TO_STORE}, or pass --index FILE`);
  try {
    return await use(store);
  } finally {
    await store.close();
  }
}

async function requireActiveIndex(store: Store) {
  const active = await readActiveKnowledgeIndex(store);
  if (active) return active;
  throw new UserError(
    'kb.index_missing',
    `no active knowledge base in the store: ${HOW_TO_STORE}, or pass --index FILE`,
    { file: store.capabilities.location },
  );
}

/**
 * The active version to count changes against. One this build cannot read (another index format) is counted
 * against nothing and said, since the import replaces it anyway.
 */
async function activeIndexForDiff(
  store: Store,
): Promise<{ version: number; content: string; index: KnowledgeIndex | null; problem?: string } | null> {
  const artifact = await store.getArtifact('kb-index', 'active');
  if (!artifact) return null;
  try {
    const index = parseKnowledgeIndex(artifact.content, `kb-index v${artifact.version}`);
    return { version: artifact.version, content: artifact.content, index };
  } catch (error) {
    if (!(error instanceof UserError)) throw error;
    return { version: artifact.version, content: artifact.content, index: null, problem: error.describe() };
  }
}

function formatChanges(changes: ReturnType<typeof diffArticles>): string {
  return (
    `added ${changes.added.length}, updated ${changes.updated.length}, ` +
    `removed ${changes.removed.length}, unchanged ${changes.unchanged.length}`
  );
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
