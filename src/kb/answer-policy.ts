import { z } from 'zod';

/**
 * What the deployment knows when a question reaches the knowledge base, each with its own threshold:
 * - `intent_agrees`: the turn has an intent, some article is tagged with it, and the best passage of those
 *   articles is also the best passage overall (the search and the intent agree);
 * - `intent_only`: the turn has an intent and the best passage of its articles is not the best overall (the
 *   answer still comes from an article tagged with the intent, never from one tagged for another intent);
 * - `no_intent`: no intent, or one no article is tagged with (articles tagged with another known intent are
 *   then left out): the search alone decides.
 */
export const ANSWER_SITUATIONS = ['intent_agrees', 'intent_only', 'no_intent'] as const;
export type AnswerSituation = (typeof ANSWER_SITUATIONS)[number];

/**
 * Knowledge-base answers go to customers on their own, like accepted intents: the same promise, the one
 * `nlu train --target-precision` defaults to.
 */
export const DEFAULT_ANSWER_PRECISION = 0.97;

/** A calibrated threshold is never below this: a passage sharing less of the question is never quoted. */
export const MIN_CALIBRATED_SCORE = 0.2;

const SituationCountsSchema = z.object({
  /** Calibration questions in this situation. */
  pairs: z.number().int(),
  /** Of those, how many reached the threshold, and how many of these were the right article. */
  answered: z.number().int(),
  right: z.number().int(),
});
export type SituationCounts = z.infer<typeof SituationCountsSchema>;

const ThresholdsSchema = z.object({
  intent_agrees: z.number().nullable(),
  intent_only: z.number().nullable(),
  no_intent: z.number().nullable(),
});

/**
 * How the `answer` step decides, stored with the knowledge-base index version it was calibrated on (`kb
 * calibrate`, `kb import --pairs`): the score (0..1 coverage, docs/kb.md) each situation needs, null for
 * "never answer on its own", and the intents the calibration questions named (an article tagged with one of
 * them serves that intent, and is not quoted for another).
 */
export const AnswerPolicySchema = z.object({
  targetPrecision: z.number().min(0).max(1),
  minScore: ThresholdsSchema,
  intents: z.array(z.string()),
  calibration: z.object({
    /** ISO 8601. */
    at: z.string(),
    /** Where the question -> article pairs came from (a file name, or the store's history). */
    source: z.string(),
    pairs: z.number().int(),
    bySituation: z.object({
      intent_agrees: SituationCountsSchema,
      intent_only: SituationCountsSchema,
      no_intent: SituationCountsSchema,
    }),
  }),
});
export type AnswerPolicy = z.infer<typeof AnswerPolicySchema>;

/** An index with no calibration answers as before calibration existed: one score floor for every situation. */
export interface UncalibratedPolicy {
  targetPrecision: null;
  minScore: Record<AnswerSituation, number>;
  intents: string[];
  calibration: null;
}

export type EffectivePolicy = AnswerPolicy | UncalibratedPolicy;

/**
 * The policy of an index never calibrated: `minScore` in every situation (the intent still keeps articles of
 * other intents out).
 *
 * @example
 * uncalibratedPolicy(0.6).minScore.no_intent; // 0.6
 */
export function uncalibratedPolicy(minScore: number): UncalibratedPolicy {
  return {
    targetPrecision: null,
    minScore: { intent_agrees: minScore, intent_only: minScore, no_intent: minScore },
    intents: [],
    calibration: null,
  };
}

/**
 * Lower bound of the Wilson score interval (z = 1, about 84% one-sided) of a precision of `right` in `n`.
 * A threshold is accepted when this bound reaches the target, so a handful of lucky questions cannot open a
 * situation: with every answer right it takes 33 of them to reach 0.97.
 */
export function precisionLowerBound(right: number, n: number, z = 1): number {
  if (n === 0) return 0;
  const p = right / n;
  const z2 = z * z;
  return (p + z2 / (2 * n) - z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / (1 + z2 / n);
}

/** One calibration question as a situation sees it: the best passage's score and whether its article is right. */
export interface ScoredAnswer {
  score: number;
  right: boolean;
}

/**
 * The lowest score at which the answers of a situation are right at least `targetPrecision` of the time
 * (the Wilson lower bound of their precision, see `precisionLowerBound`), so that as many questions as
 * possible are answered; null when no threshold reaches it. Never below MIN_CALIBRATED_SCORE.
 *
 * @example
 * chooseThreshold([{ score: 0.9, right: true }, { score: 0.3, right: false }], 0.97); // null: too few
 */
export function chooseThreshold(answers: readonly ScoredAnswer[], targetPrecision: number): number | null {
  const sorted = answers.filter((a) => a.score >= MIN_CALIBRATED_SCORE).sort((a, b) => b.score - a.score);
  let right = 0;
  let chosen: number | null = null;
  for (let i = 0; i < sorted.length; i++) {
    if (sorted[i]!.right) right++;
    // Cut only between distinct scores: a threshold takes every answer with that score.
    if (i + 1 < sorted.length && sorted[i + 1]!.score === sorted[i]!.score) continue;
    if (precisionLowerBound(right, i + 1) >= targetPrecision) chosen = sorted[i]!.score;
  }
  return chosen;
}
