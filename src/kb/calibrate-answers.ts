import {
  ANSWER_SITUATIONS,
  type AnswerPolicy,
  type AnswerSituation,
  chooseThreshold,
  type ScoredAnswer,
  type SituationCounts,
} from './answer-policy.ts';
import { type KnowledgeBase, loadKnowledgeBase } from './knowledge-base.ts';
import type { KnowledgeIndex } from './knowledge-index.ts';
import type { QuestionPair } from './question-pairs.ts';

/** How the `answer` step does on question -> article pairs. Shares are 0..1. */
export interface AnswerEvaluation {
  questions: number;
  /** Questions with an article (top-1 and top-3 are over these). */
  answerable: number;
  /** The right article first / in the first three of the decision's ranking (the intent's articles first). */
  top1: number;
  top3: number;
  /** Questions answered on their own, over all questions. */
  answered: number;
  /** Right answers over answered ones; null when nothing was answered. */
  precision: number | null;
  right: number;
  wrong: number;
  bySituation: Record<AnswerSituation, SituationCounts>;
  /** The policy's target, or null for an index never calibrated. */
  targetPrecision: number | null;
}

/**
 * Runs every pair through `kb.answer` (with its intent unless `useIntent` is false) and counts.
 *
 * @example
 * const report = evaluateAnswers(kb, parseQuestionPairs(text, 'pairs.jsonl', kb.articles));
 * report.precision; // 0.98
 */
export function evaluateAnswers(
  kb: KnowledgeBase,
  pairs: readonly QuestionPair[],
  options: { useIntent?: boolean; minScore?: number } = {},
): AnswerEvaluation {
  const bySituation = emptyCounts();
  let answerable = 0;
  let top1 = 0;
  let top3 = 0;
  let right = 0;
  let wrong = 0;
  for (const pair of pairs) {
    const decision = kb.answer(pair.question, {
      intent: options.useIntent === false ? null : (pair.intent ?? null),
      ...(options.minScore !== undefined ? { minScore: options.minScore } : {}),
    });
    const counts = bySituation[decision.situation];
    counts.pairs++;
    if (pair.articleId !== null) {
      answerable++;
      if (decision.ranking[0] === pair.articleId) top1++;
      if (decision.ranking.slice(0, 3).includes(pair.articleId)) top3++;
    }
    if (!decision.answered) continue;
    counts.answered++;
    if (decision.hit?.articleId === pair.articleId) {
      counts.right++;
      right++;
    } else wrong++;
  }
  const answered = right + wrong;
  return {
    questions: pairs.length,
    answerable,
    top1: share(top1, answerable),
    top3: share(top3, answerable),
    answered: share(answered, pairs.length),
    precision: answered > 0 ? round(right / answered) : null,
    right,
    wrong,
    bySituation,
    targetPrecision: options.minScore !== undefined ? null : kb.policy.targetPrecision,
  };
}

/**
 * Chooses the `answer` step's thresholds so its answers are right `targetPrecision` of the time, one per
 * situation (`ANSWER_SITUATIONS`), on the deployment's own question -> article pairs: each pair is answered
 * as the live step would (its intent narrowing the articles), and every pair also counts once without its
 * intent, for turns that have none. In each situation the threshold is the lowest score whose answers reach
 * the target by `chooseThreshold`'s conservative estimate; a situation that never does never answers.
 *
 * @example
 * const policy = calibrateAnswerPolicy({ index, pairs, targetPrecision: 0.97, source: 'pairs.jsonl', atMs: clock.now() });
 * writeKnowledgeIndex(file, { ...index, answerPolicy: policy });
 */
export function calibrateAnswerPolicy(props: {
  index: KnowledgeIndex;
  pairs: readonly QuestionPair[];
  targetPrecision: number;
  source: string;
  atMs: number;
}): AnswerPolicy {
  const { pairs, targetPrecision } = props;
  const intents = [...new Set(pairs.flatMap((p) => (p.intent !== undefined ? [p.intent] : [])))].sort();
  // Answered as the calibrated index will answer: knowing these intents (an article tagged with one of them
  // is not quoted for another); the thresholds do not matter here, only the confidence and the situation.
  const kb = loadKnowledgeBase({
    ...props.index,
    answerPolicy: provisional(intents, targetPrecision, props),
  });
  const scored: Record<AnswerSituation, ScoredAnswer[]> = {
    intent_agrees: [],
    intent_only: [],
    no_intent: [],
  };
  const add = (pair: QuestionPair, intent: string | null) => {
    const decision = kb.answer(pair.question, { intent });
    if (decision.hit === null) return decision.situation;
    scored[decision.situation].push({
      score: decision.confidence,
      right: decision.hit.articleId === pair.articleId,
    });
    return decision.situation;
  };
  for (const pair of pairs) {
    const situation = add(pair, pair.intent ?? null);
    if (pair.intent !== undefined && situation !== 'no_intent') add(pair, null);
  }
  const minScore = {} as AnswerPolicy['minScore'];
  const bySituation = emptyCounts();
  for (const situation of ANSWER_SITUATIONS) {
    const answers = scored[situation];
    const threshold = chooseThreshold(answers, targetPrecision);
    minScore[situation] = threshold;
    const taken = threshold === null ? [] : answers.filter((a) => a.score >= threshold);
    bySituation[situation] = {
      pairs: answers.length,
      answered: taken.length,
      right: taken.filter((a) => a.right).length,
    };
  }
  return {
    targetPrecision,
    minScore,
    intents,
    calibration: {
      at: new Date(props.atMs).toISOString(),
      source: props.source,
      pairs: pairs.length,
      bySituation,
    },
  };
}

function provisional(
  intents: string[],
  targetPrecision: number,
  props: { source: string; atMs: number },
): AnswerPolicy {
  return {
    targetPrecision,
    minScore: { intent_agrees: 0, intent_only: 0, no_intent: 0 },
    intents,
    calibration: {
      at: new Date(props.atMs).toISOString(),
      source: props.source,
      pairs: 0,
      bySituation: emptyCounts(),
    },
  };
}

function emptyCounts(): Record<AnswerSituation, SituationCounts> {
  return {
    intent_agrees: { pairs: 0, answered: 0, right: 0 },
    intent_only: { pairs: 0, answered: 0, right: 0 },
    no_intent: { pairs: 0, answered: 0, right: 0 },
  };
}

const share = (n: number, of: number) => (of > 0 ? round(n / of) : 0);
const round = (x: number) => Math.round(x * 1000) / 1000;
