/**
 * `npm run bench:kb [-- --data DIR] [-- --seed N] [-- --responses K]`: knowledge-base answers on questions the
 * search was never tuned on, with a plain MiniSearch baseline beside them, in the same run.
 *
 * From ../shared/data/bitext-customer-support/train.jsonl (read here, never copied into the repository): a
 * seeded fifth of the rows is held out; from the other four fifths, one article per intent (27) is written in
 * memory from the first K (default 5) agent responses of that intent (placeholders such as {{Order Number}}
 * unbraced), tagged with the intent. Calibration pairs come from the training questions as a deployment's
 * history gives them: each question with its agent's reply, the reply matched to an article (`pairsFromHistory`),
 * and the intent it was filed under. An NLU model is trained on the training questions, and the held-out
 * questions are answered with the intent it accepts (as a workflow's `answer` step gets it), or with none.
 *
 * Rows: MiniSearch with default options over the same passages (it always answers: its answered share is 100%
 * and its precision its top-1); the search before calibration (coverage >= 0.6, no intent: the old state);
 * the uncalibrated floor with the intent; the calibrated policy at its default target with the NLU's intent
 * (the default settings), without an intent, and with the true intent.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import MiniSearch from 'minisearch';
import {
  type AnswerEvaluation,
  buildKnowledgeIndex,
  calibrateAnswerPolicy,
  DEFAULT_ANSWER_PRECISION,
  DEFAULT_MIN_SCORE,
  DEFAULT_REPLY_SIMILARITY,
  evaluateAnswers,
  loadKnowledgeBase,
  pairsFromHistory,
  parseArticle,
  type QuestionPair,
} from '../src/kb/index.ts';
import { createIntentClassifier, DEFAULT_TRAIN_OPTIONS, trainIntentModel } from '../src/nlu/index.ts';
import { seededRandom, shuffleInPlace } from '../src/shared/index.ts';
import { arg } from './args.ts';

interface Row {
  text: string;
  label: string;
  category: string;
  response: string;
}

const dataDir = resolve(arg('--data') ?? '../shared/data');
const seed = Number(arg('--seed') ?? 20);
const responsesPerArticle = Number(arg('--responses') ?? 5);
const replySimilarity = Number(arg('--reply-similarity') ?? DEFAULT_REPLY_SIMILARITY);
const rows = readFileSync(resolve(dataDir, 'bitext-customer-support/train.jsonl'), 'utf8')
  .split('\n')
  .filter((l) => l.trim())
  .map((l) => JSON.parse(l) as Row);
const order = rows.map((_, i) => i);
shuffleInPlace(order, seededRandom(seed));
const cut = Math.round(rows.length / 5);
const test = order.slice(0, cut).map((i) => rows[i]!);
const train = order.slice(cut).map((i) => rows[i]!);

const unbrace = (s: string) => s.replace(/\{\{\s*([^}]+?)\s*\}\}/g, '$1');
const intents = [...new Set(train.map((r) => r.label))].sort();
const categoryOf = new Map(rows.map((r) => [r.label, r.category.toLowerCase()]));
const round = (x: number) => Math.round(x * 1000) / 1000;

interface ResultRow {
  name: string;
  top1: number;
  top3: number;
  answered: number;
  precision: number | null;
}
const fromEvaluation = (name: string, e: AnswerEvaluation): ResultRow => ({
  name,
  top1: e.top1,
  top3: e.top3,
  answered: e.answered,
  precision: e.precision,
});

/**
 * One knowledge base and its runs. `intentOf` is what a ticket is filed under and what the NLU learns: the
 * 27 intents (one article each), or the 11 categories (several articles each, as a deployment with coarse
 * intents has them: the search must still choose among the intent's articles).
 */
function scenario(intentOf: (r: Row) => string) {
  const articles = intents.map((intent) => {
    const title = intent.replace(/_/g, ' ').replace(/^./, (c) => c.toUpperCase());
    const body = train
      .filter((r) => r.label === intent)
      .slice(0, responsesPerArticle)
      .map((r) => unbrace(r.response))
      .join('\n\n');
    const tags = [
      ...new Set([intent, intentOf({ label: intent, category: categoryOf.get(intent)! } as Row)]),
    ];
    const text = `---\ntitle: "${title}"\ntags: [${tags.join(', ')}]\nupdated: 2026-12-01\n---\n# ${title}\n\n${body}\n`;
    return parseArticle({ text, path: `${intent}.md`, file: `${intent}.md` });
  });
  const index = buildKnowledgeIndex(articles, Date.UTC(2026, 11, 1));

  // The deployment's history: training questions, their agents' replies and what they were filed under.
  const history = pairsFromHistory({
    index,
    answered: train.map((r) => ({ question: r.text, reply: unbrace(r.response), intent: intentOf(r) })),
    minSimilarity: replySimilarity,
  });
  const labelOf = new Map(train.map((r) => [r.text, r.label]));
  const agreement = history.pairs.filter((p) => p.articleId === labelOf.get(p.question)).length;

  const started = Date.now();
  const policy = calibrateAnswerPolicy({
    index,
    pairs: history.pairs,
    targetPrecision: DEFAULT_ANSWER_PRECISION,
    source: 'bitext training questions',
    atMs: Date.UTC(2026, 11, 1),
  });
  const calibrationMs = Date.now() - started;
  const plain = loadKnowledgeBase(index);
  const calibrated = loadKnowledgeBase({ ...index, answerPolicy: policy });

  const model = trainIntentModel(
    train.map((r) => ({ text: r.text, label: intentOf(r) })),
    { ...DEFAULT_TRAIN_OPTIONS, seed: 7 },
  );
  const classifier = createIntentClassifier(model);
  const predicted = test.map((r) => classifier.predict(r.text));
  const accepted = predicted.filter((p) => p.accepted).length;
  const acceptedRight = predicted.filter((p, i) => p.accepted && p.label === intentOf(test[i]!)).length;
  const testPairs = (intent: (r: Row, i: number) => string | null): QuestionPair[] =>
    test.map((r, i) => {
      const it = intent(r, i);
      return { question: r.text, articleId: r.label, ...(it ? { intent: it } : {}), line: i + 1 };
    });
  const withNlu = testPairs((_, i) => (predicted[i]!.accepted ? predicted[i]!.label : null));
  const withoutIntent = testPairs(() => null);
  const withTrueIntent = testPairs((r) => intentOf(r));

  // MiniSearch with its default options over the same passages, each with its article's title.
  const mini = new MiniSearch<{ id: string; article: string; title: string; text: string }>({
    fields: ['title', 'text'],
    storeFields: ['article'],
  });
  const titleOf = new Map(index.articles.map((a) => [a.id, a.title]));
  mini.addAll(
    index.passages.map((p) => ({
      id: p.id,
      article: p.articleId,
      title: titleOf.get(p.articleId)!,
      text: p.text,
    })),
  );
  let mini1 = 0;
  let mini3 = 0;
  for (const r of test) {
    const ranked = [...new Set(mini.search(r.text).map((h) => h.article as string))];
    if (ranked[0] === r.label) mini1++;
    if (ranked.slice(0, 3).includes(r.label)) mini3++;
  }
  const t = DEFAULT_ANSWER_PRECISION;
  const results: ResultRow[] = [
    {
      name: 'MiniSearch defaults',
      top1: round(mini1 / test.length),
      top3: round(mini3 / test.length),
      answered: 1,
      precision: round(mini1 / test.length),
    },
    fromEvaluation(
      `before: coverage >= ${DEFAULT_MIN_SCORE}, no intent`,
      evaluateAnswers(plain, withoutIntent, { minScore: DEFAULT_MIN_SCORE }),
    ),
    fromEvaluation(`uncalibrated (${DEFAULT_MIN_SCORE}), NLU intent`, evaluateAnswers(plain, withNlu)),
    fromEvaluation(`calibrated ${t}, NLU intent (default)`, evaluateAnswers(calibrated, withNlu)),
    fromEvaluation(`calibrated ${t}, no intent`, evaluateAnswers(calibrated, withoutIntent)),
    fromEvaluation(`calibrated ${t}, true intent`, evaluateAnswers(calibrated, withTrueIntent)),
  ];
  return {
    articles: articles.length,
    passages: index.passages.length,
    intents: new Set(train.map(intentOf)).size,
    history: {
      ...history,
      pairs: history.pairs.length,
      articleIsLabel: round(agreement / history.pairs.length),
    },
    nlu: { accepted: round(accepted / test.length), precision: round(acceptedRight / accepted) },
    policy: { minScore: policy.minScore, calibrationMs },
    results,
  };
}

const fine = scenario((r) => r.label);
const coarse = scenario((r) => r.category.toLowerCase());

const pct = (x: number | null) => (x === null ? '-' : `${(x * 100).toFixed(1)}%`);
console.log(
  `bitext: ${train.length} training rows (${fine.articles} articles of ${responsesPerArticle} responses, ${fine.passages} passages), ${test.length} held-out questions, seed ${seed}, target precision ${DEFAULT_ANSWER_PRECISION}`,
);
for (const [name, run] of [
  ['intents (27, one article each)', fine],
  ['categories as intents (11, 1-5 articles each)', coarse],
] as const) {
  const h = run.history;
  console.log('');
  console.log(`## ${name}`);
  console.log(
    `history pairs: ${h.pairs} (${h.cited} cited, ${h.matched} matched by the reply, ${h.byIntent} by the intent filed, ${h.skipped} skipped); the pair's article is the row's intent's for ${pct(h.articleIsLabel)}`,
  );
  console.log(`NLU on held-out: accepted ${pct(run.nlu.accepted)} at ${pct(run.nlu.precision)} precision`);
  console.log(
    `calibrated thresholds (${run.policy.calibrationMs} ms): ${Object.entries(run.policy.minScore)
      .map(([k, v]) => `${k} ${v ?? 'never'}`)
      .join(', ')}`,
  );
  console.log('');
  console.log('| run | top-1 | top-3 | answered | precision of answers |');
  console.log('| --- | ---: | ---: | ---: | ---: |');
  for (const r of run.results) {
    const precision = r.precision === null ? '-' : r.precision.toFixed(3);
    console.log(`| ${r.name} | ${pct(r.top1)} | ${pct(r.top3)} | ${pct(r.answered)} | ${precision} |`);
  }
}
const defaults = [fine.results[3]!, coarse.results[3]!];
const pass = defaults.every((r) => (r.precision ?? 0) >= 0.95);
console.log('');
console.log(
  JSON.stringify({
    bench: 'kb',
    seed,
    heldOut: test.length,
    targetPrecision: DEFAULT_ANSWER_PRECISION,
    intents: fine,
    categories: coarse,
    target: { precision: 0.95 },
    pass,
  }),
);
