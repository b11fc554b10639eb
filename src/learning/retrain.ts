import { createHash } from 'node:crypto';
import {
  type BackgroundText,
  type IntentModel,
  type LabelledText,
  OOS_LABEL,
  trainIntentModel,
  trainingExamplesFromStore,
} from '../nlu/index.ts';
import { UserError } from '../shared/index.ts';
import type { Store } from '../store/index.ts';
import { listCandidates } from './corrections.ts';
import { decideGate, evaluateForGate, type GateReport, type GateSettings, inEvaluationSet } from './gate.ts';

export interface RetrainResult {
  candidate: IntentModel;
  report: GateReport;
  /** sha256 of the training examples (sorted text + label lines): what the candidate learnt from. */
  fingerprint: string;
  training: { base: number; corrections: number; total: number };
  evaluation: { base: number; corrections: number; total: number };
}

/**
 * Trains a candidate from the base data (the store's categorised tickets, labelled as the active model labels
 * them: a category it does not serve is out of scope) plus the accepted corrections, with the active model's own
 * settings, and runs the gate against the active model on the frozen evaluation set and the conversation tests.
 * Decides nothing about storing: the caller stores the candidate and promotes it when `report.promote`.
 *
 * The comparison is with the active model's recipe (its settings, the history and the corrections it already had)
 * re-fitted on the training split: the active model itself may have learnt from the evaluation texts.
 *
 * @example
 * const result = await retrainCandidate({ store, active, background, tests: (model) => runTestsWith(model) });
 * if (result.report.promote) await store.saveArtifact({ kind: 'nlu-model', content: serialiseModel(result.candidate), activate: true, ... });
 */
export async function retrainCandidate(props: {
  store: Store;
  active: IntentModel;
  /** Texts of other domains the candidate learns out of scope from (the active model's were generic). */
  background: readonly BackgroundText[];
  /** Runs the conversation tests with a model: names of the failed ones. */
  tests: (model: IntentModel) => Promise<{ passed: number; failed: string[] }>;
  settings?: GateSettings;
  minExamples?: number;
  /** When the active model was stored (epoch ms): corrections accepted until then are part of its recipe. */
  activeSince?: number;
}): Promise<RetrainResult> {
  const { store, active } = props;
  const served = new Set(active.labels);
  const base = (await trainingExamplesFromStore({ store, minExamples: props.minExamples ?? 5 })).examples.map(
    (e): LabelledText => ({ text: e.text, label: served.has(e.label) ? e.label : OOS_LABEL }),
  );
  const accepted = (await listCandidates({ store })).filter((c) => c.status === 'accepted');
  const labelled = (list: typeof accepted) =>
    list.map((c): LabelledText => ({ text: c.text, label: c.label ?? OOS_LABEL }));
  const corrections = labelled(accepted);
  const since = props.activeSince ?? Number.POSITIVE_INFINITY;
  const known = labelled(accepted.filter((c) => (c.reviewedAt ?? 0) <= since));
  const split = (examples: LabelledText[]) => ({
    train: examples.filter((e) => !inEvaluationSet(e.text)),
    evaluate: examples.filter((e) => inEvaluationSet(e.text)),
  });
  const b = split(base);
  const c = split(corrections);
  const training = [...b.train, ...c.train];
  const evaluation = [...b.evaluate, ...c.evaluate];
  if (new Set(training.map((e) => e.label)).size < 2 || evaluation.length === 0) {
    throw new UserError(
      'learning.too_few',
      `too little to retrain on: ${training.length} training and ${evaluation.length} evaluation examples (import the history, or accept corrections)`,
    );
  }
  const options = active.training.options;
  const trainWithRecipe = (examples: LabelledText[]): IntentModel => ({
    ...trainIntentModel(examples, options, { background: [...props.background] }),
    ...(active.entities ? { entities: active.entities } : {}),
  });
  const candidate = trainWithRecipe(training);
  // The active model may have learnt from today's evaluation texts (it predates the rule, or learnt from all the
  // history): judged on them it looks better than it is, and every retrain would fail against it (a fresh demo:
  // 100% against 95.8%). The reference is its recipe re-fitted on the training split with the corrections it
  // already had: both are judged on texts neither saw, and the difference is what the new corrections do.
  const referenceData = [...b.train, ...split(known).train];
  const reference = referenceData.length === training.length ? candidate : trainWithRecipe(referenceData);
  const report = decideGate({
    active: evaluateForGate(reference, evaluation),
    candidate: evaluateForGate(candidate, evaluation),
    tests: await props.tests(candidate),
    ...(props.settings ? { settings: props.settings } : {}),
  });
  return {
    candidate,
    report,
    fingerprint: fingerprintOf(training),
    training: { base: b.train.length, corrections: c.train.length, total: training.length },
    evaluation: { base: b.evaluate.length, corrections: c.evaluate.length, total: evaluation.length },
  };
}

export function fingerprintOf(examples: readonly LabelledText[]): string {
  const lines = examples.map((e) => `${e.label}\t${e.text}`).sort();
  const hash = createHash('sha256');
  for (const line of lines) hash.update(`${line}\n`);
  return hash.digest('hex');
}
