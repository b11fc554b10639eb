import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { answeredQuestions, readActiveKnowledgeIndex, replayTicketQuestions } from '../../app/knowledge.ts';
import {
  ANSWER_SITUATIONS,
  type AnswerEvaluation,
  AUDIENCES,
  auditKnowledge,
  buildKnowledgeIndex,
  calibrateAnswerPolicy,
  DEFAULT_ANSWER_PRECISION,
  DEFAULT_MIN_SCORE,
  DEFAULT_STALE_DAYS,
  diffArticles,
  type EffectivePolicy,
  evaluateAnswers,
  formatKnowledgeAudit,
  type KnowledgeIndex,
  loadKnowledgeBase,
  type MatchCounts,
  pairsFromHistory,
  parseKnowledgeIndex,
  parseQuestionPairs,
  type QuestionPair,
  readArticleFolder,
  readKnowledgeIndex,
  type SkippedLink,
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
    .option(
      '--pairs <file>',
      'calibrate the answer thresholds on these question -> article pairs (JSON Lines, see `kb calibrate`)',
    )
    .option(
      '--target-precision <p>',
      'with --pairs: precision answers must reach',
      String(DEFAULT_ANSWER_PRECISION),
    )
    .action(async (dir: string, opts: ImportOpts) => {
      const indexPath = indexFileOf(opts);
      const indexFile = indexPath !== undefined ? outputFile(indexPath, '--index', io) : undefined;
      const target = parsePrecision(opts.targetPrecision);
      const { articles, skippedLinks } = readArticleFolder(resolve(io.cwd, dir), dir);
      const skipped = formatSkippedLinks(skippedLinks);
      let index = buildKnowledgeIndex(articles, clock.now());
      const pairsText = opts.pairs !== undefined ? readPairsFile(io, opts.pairs) : undefined;
      if (opts.pairs !== undefined && pairsText !== undefined) {
        index = calibrated(
          index,
          parseQuestionPairs(pairsText, opts.pairs, index.articles),
          target,
          opts.pairs,
          clock.now(),
        );
      }
      if (indexPath !== undefined && indexFile !== undefined) {
        const previous = readPrevious(indexFile, indexPath);
        const changes = diffArticles(previous?.articles ?? [], index.articles);
        const kept = keepPolicy(index, previous, changes);
        writeKnowledgeIndex(indexFile, kept.index);
        io.stdout.write(
          `${index.articles.length} articles, ${index.passages.length} passages -> ${indexPath}\n${formatChanges(changes)}\n${skipped}${kept.note}`,
        );
        return;
      }
      const store = await openVersionStore(opts, io, 'write');
      try {
        const active = await activeIndexForDiff(store);
        const changes = diffArticles(active?.index?.articles ?? [], index.articles);
        const kept = keepPolicy(index, active?.index ?? null, changes);
        index = kept.index;
        const counts = `${index.articles.length} articles, ${index.passages.length} passages`;
        const unreadable = active?.problem
          ? `\nthe active version cannot be read, so every article counts as added: ${active.problem}`
          : '';
        // Every import builds a new `builtAt`: a version that differs only there is not a new version.
        const content = serialiseKnowledgeIndex(index);
        if (active?.index && sameContent(index, active.content)) {
          io.stdout.write(
            `${counts}: no change, kb-index v${active.version} stays active\n${formatChanges(changes)}\n${skipped}`,
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
          `${counts} -> kb-index v${stored.info.version} (active${was})\n${formatChanges(changes)}${unreadable}\n${skipped}${kept.note}`,
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
    .option(
      '--intent <name>',
      "the turn's intent, as the answer step has it: also show what the bot would answer (the calibrated decision)",
    )
    .option('--json', 'one JSON array of hits ({ decision, hits } with --intent)')
    .action(
      async (
        words: string[],
        opts: {
          db?: string;
          index?: string;
          limit: string;
          audience: string;
          intent?: string;
          json?: boolean;
        },
      ) => {
        const limit = parsePositiveInt(opts.limit, '--limit');
        const audience = parseAudience(opts.audience);
        const indexPath = indexFileOf(opts);
        const index =
          indexPath !== undefined
            ? readKnowledgeIndex(resolve(io.cwd, indexPath), indexPath)
            : (await withStore(opts, io, async (store) => requireActiveIndex(store))).index;
        const base = loadKnowledgeBase(index);
        const hits = base.search(words.join(' '), { limit, audience });
        const floor = base.policy.minScore.no_intent;
        const decision =
          opts.intent !== undefined
            ? base.answer(words.join(' '), {
                intent: opts.intent,
                audience: audience === 'all' ? 'customers' : audience,
              })
            : null;
        if (opts.json) {
          io.stdout.write(`${JSON.stringify(decision ? { decision, hits } : hits)}\n`);
          return;
        }
        if (decision) {
          const threshold =
            decision.minScore === null ? 'never answered' : `threshold ${decision.minScore.toFixed(2)}`;
          io.stdout.write(
            decision.hit
              ? `the bot ${decision.answered ? 'answers' : 'does not answer'} with "${decision.hit.title}" (${decision.situation}, confidence ${decision.confidence.toFixed(2)}, ${threshold})\n\n`
              : `the bot has no passage to answer with (${decision.situation})\n\n`,
          );
        }
        if (hits.length === 0) {
          io.stdout.write('no passage matches\n');
          return;
        }
        hits.forEach((h, i) => {
          const heading = h.heading ? ` > ${h.heading}` : '';
          const mark =
            floor === null
              ? ' (never answered without an intent)'
              : h.score >= floor
                ? ''
                : ' (below the answer threshold)';
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

  kb.command('eval')
    .description(
      'how the answer step does on question -> article pairs: top-1 / top-3, and the share answered with its precision',
    )
    .requiredOption('--data <file>', PAIRS_HELP)
    .option('--db <path>', `evaluate the active version of this store: ${DB_HELP}`)
    .option('--index <file>', 'evaluate this index file instead of the store')
    .option('--no-intent', "leave the pairs' intents out (a turn with no intent)")
    .option('--json', 'the evaluation as JSON')
    .action(async (opts: { db?: string; index?: string; data: string; intent: boolean; json?: boolean }) => {
      const pairsText = readPairsFile(io, opts.data);
      const { index, shownAs } = await readIndexFor(opts, io);
      const pairs = parseQuestionPairs(pairsText, opts.data, index.articles);
      const base = loadKnowledgeBase(index);
      const report = evaluateAnswers(base, pairs, { useIntent: opts.intent });
      if (opts.json) {
        io.stdout.write(`${JSON.stringify({ index: shownAs, policy: base.policy, ...report })}\n`);
        return;
      }
      io.stdout.write(`${formatEvaluation(report, base.policy, shownAs, pairs)}\n`);
    });

  kb.command('calibrate')
    .description(
      "choose the answer thresholds for a target precision on question -> article pairs (--data FILE, or the store's tickets whose agent reply cites or matches an article) and store them with the knowledge base as a new version",
    )
    .option('--data <file>', PAIRS_HELP)
    .option('--db <path>', `calibrate the active version of this store: ${DB_HELP}`)
    .option('--index <file>', 'calibrate this index file instead (rewritten in place)')
    .option('--target-precision <p>', 'precision answers must reach', String(DEFAULT_ANSWER_PRECISION))
    .action(async (opts: { db?: string; index?: string; data?: string; targetPrecision: string }) => {
      const target = parsePrecision(opts.targetPrecision);
      const pairsText = opts.data !== undefined ? readPairsFile(io, opts.data) : undefined;
      const indexPath = indexFileOf(opts);
      if (indexPath !== undefined) {
        if (opts.data === undefined || pairsText === undefined) {
          throw new UserError('cli.bad_option', 'an index file has no tickets: give --data FILE', {
            field: '--data',
          });
        }
        const file = resolve(io.cwd, indexPath);
        const index = readKnowledgeIndex(file, indexPath);
        const pairs = parseQuestionPairs(pairsText, opts.data, index.articles);
        const next = calibrated(index, pairs, target, opts.data, clock.now());
        writeKnowledgeIndex(file, next);
        io.stdout.write(`${formatPolicy(next)}\n-> ${indexPath}\n`);
        return;
      }
      const store = await openVersionStore(opts, io, 'write', `${HOW_TO_STORE}, or pass --index FILE`);
      try {
        const active = await requireActiveIndex(store);
        let pairs: QuestionPair[];
        let source: string;
        let history = '';
        if (opts.data !== undefined && pairsText !== undefined) {
          pairs = parseQuestionPairs(pairsText, opts.data, active.index.articles);
          source = opts.data;
        } else {
          const found = pairsFromHistory({ index: active.index, answered: await answeredQuestions(store) });
          if (found.pairs.length === 0) {
            throw new UserError(
              'kb.no_pairs',
              'no ticket in the store has an agent reply that cites or matches an article: give --data FILE',
              { file: store.capabilities.location },
            );
          }
          pairs = found.pairs;
          source = `tickets of ${store.capabilities.location}`;
          history = `${found.pairs.length} tickets answered from an article (${found.cited} cited, ${found.matched} matched by the reply's words; ${found.skipped} not)\n`;
        }
        const next = calibrated(active.index, pairs, target, source, clock.now());
        const stored = await saveVersion({
          store,
          kind: 'kb-index',
          content: serialiseKnowledgeIndex(next),
          note: `calibrated for ${target} on ${source}`,
          activate: true,
          clock,
        });
        io.stdout.write(
          `${history}${formatPolicy(next)}\nkb-index v${active.artifact.version} calibrated -> kb-index v${stored.info.version} (active)\n`,
        );
      } finally {
        await store.close();
      }
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

const PAIRS_HELP =
  'question -> article pairs, JSON Lines: {"question": "...", "article": "id, path or url" | null, "intent": "..." (optional)}';

interface ImportOpts {
  db?: string;
  index?: string;
  pairs?: string;
  targetPrecision: string;
}

function readPairsFile(io: CliIo, path: string): string {
  try {
    return readFileSync(resolve(io.cwd, path), 'utf8');
  } catch (error) {
    throw new UserError('kb.bad_pairs', 'cannot read the pairs file', { file: path }, { cause: error });
  }
}

function parsePrecision(value: string): number {
  const n = Number(value);
  if (!/^(?:0?\.\d+|1(?:\.0*)?)$/.test(value.trim()) || !(n > 0 && n <= 1)) {
    throw new UserError('cli.bad_option', `expected a precision in (0, 1], got "${value}"`, {
      field: '--target-precision',
    });
  }
  return n;
}

/** The index with a policy calibrated on the pairs. */
function calibrated(
  index: KnowledgeIndex,
  pairs: readonly QuestionPair[],
  targetPrecision: number,
  source: string,
  atMs: number,
): KnowledgeIndex {
  const { answerPolicy: _, ...plain } = index;
  const policy = calibrateAnswerPolicy({
    index: plain,
    pairs,
    targetPrecision,
    source,
    atMs,
  });
  return { ...plain, answerPolicy: policy };
}

/**
 * A re-import without --pairs keeps the previous calibration when no article changed (it still holds), and
 * drops it otherwise, saying so: thresholds chosen on other articles promise nothing.
 */
function keepPolicy(
  index: KnowledgeIndex,
  previous: KnowledgeIndex | null,
  changes: ReturnType<typeof diffArticles>,
): { index: KnowledgeIndex; note: string } {
  if (index.answerPolicy) return { index, note: `${formatPolicy(index)}\n` };
  const policy = previous?.answerPolicy;
  if (!policy) return { index, note: '' };
  const unchanged = changes.added.length + changes.updated.length + changes.removed.length === 0;
  if (unchanged) return { index: { ...index, answerPolicy: policy }, note: '' };
  return {
    index,
    note: `the articles changed, so the previous calibration (${policy.calibration.source}) is not kept: run \`switchboard kb calibrate\` again; until then answers need a score of ${DEFAULT_MIN_SCORE}\n`,
  };
}

/** Same articles, passages and policy: only the build time (and the calibration time) may differ. */
function sameContent(next: KnowledgeIndex, activeContent: string): boolean {
  const active = JSON.parse(activeContent) as KnowledgeIndex;
  const strip = (i: KnowledgeIndex) =>
    canonicalJson({
      ...i,
      builtAt: '',
      ...(i.answerPolicy
        ? { answerPolicy: { ...i.answerPolicy, calibration: { ...i.answerPolicy.calibration, at: '' } } }
        : {}),
    });
  return strip(next) === strip(active);
}

/** JSON with object keys sorted: a version read back through its schema may order them otherwise. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

async function readIndexFor(
  opts: { db?: string; index?: string },
  io: CliIo,
): Promise<{ index: KnowledgeIndex; shownAs: string }> {
  const indexPath = indexFileOf(opts);
  if (indexPath !== undefined) {
    return { index: readKnowledgeIndex(resolve(io.cwd, indexPath), indexPath), shownAs: indexPath };
  }
  return withStore(opts, io, async (store) => {
    const active = await requireActiveIndex(store);
    return {
      index: active.index,
      shownAs: `kb-index v${active.artifact.version} (active) in ${store.capabilities.location}`,
    };
  });
}

const pct = (x: number | null) => (x === null ? '-' : `${(x * 100).toFixed(1)}%`);
const threshold = (x: number | null) => (x === null ? 'never' : x.toFixed(3));

function describePolicy(policy: EffectivePolicy): string {
  if (policy.calibration === null) {
    return `not calibrated: every answer needs a score of ${policy.minScore.no_intent} (\`switchboard kb calibrate\` chooses thresholds for a target precision)`;
  }
  return `calibrated for precision ${policy.targetPrecision} on ${policy.calibration.pairs} pairs (${policy.calibration.source}, ${policy.calibration.at.slice(0, 10)})`;
}

function formatPolicy(index: KnowledgeIndex): string {
  const policy = index.answerPolicy!;
  const lines = [describePolicy(policy), 'situation       threshold  pairs  answered  right'];
  for (const s of ANSWER_SITUATIONS) {
    const c = policy.calibration.bySituation[s];
    lines.push(
      `${s.padEnd(15)} ${threshold(policy.minScore[s]).padStart(9)}  ${String(c.pairs).padStart(5)}  ${String(c.answered).padStart(8)}  ${String(c.right).padStart(5)}`,
    );
  }
  return lines.join('\n');
}

function formatEvaluation(
  report: AnswerEvaluation,
  policy: EffectivePolicy,
  shownAs: string,
  pairs: readonly QuestionPair[],
): string {
  const withIntent = pairs.filter((p) => p.intent !== undefined).length;
  const target = report.targetPrecision === null ? '' : ` (target ${report.targetPrecision})`;
  const lines = [
    `index:    ${shownAs}`,
    `policy:   ${describePolicy(policy)}`,
    `pairs:    ${report.questions} questions, ${report.answerable} with an article, ${withIntent} with an intent`,
    `top-1 ${pct(report.top1)}   top-3 ${pct(report.top3)}`,
    `answered ${pct(report.answered)} (${report.right + report.wrong} of ${report.questions}), precision ${report.precision === null ? '-' : report.precision.toFixed(3)}${target}: ${report.right} right, ${report.wrong} wrong`,
    '',
    'situation       threshold  questions  answered  right',
  ];
  for (const s of ANSWER_SITUATIONS) {
    const c = report.bySituation[s];
    lines.push(
      `${s.padEnd(15)} ${threshold(policy.minScore[s]).padStart(9)}  ${String(c.pairs).padStart(9)}  ${String(c.answered).padStart(8)}  ${String(c.right).padStart(5)}`,
    );
  }
  return lines.join('\n');
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

const LINK_LEADS: Record<SkippedLink['leads'], string> = {
  outside: 'leads outside the folder',
  inside: 'leads inside the folder',
  nowhere: 'broken',
};

/** One line naming the symbolic links the import did not follow (the first 10), or nothing. */
function formatSkippedLinks(links: readonly SkippedLink[]): string {
  if (links.length === 0) return '';
  const shown = links.slice(0, 10).map((l) => `${l.path} (${LINK_LEADS[l.leads]})`);
  const more = links.length > shown.length ? `, and ${links.length - shown.length} more` : '';
  const noun = links.length === 1 ? 'symbolic link' : 'symbolic links';
  return `skipped ${links.length} ${noun} (links are not followed): ${shown.join(', ')}${more}\n`;
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
