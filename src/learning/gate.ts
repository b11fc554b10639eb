import { createHash } from 'node:crypto';
import { createIntentClassifier, type IntentModel, OOS_LABEL } from '../nlu/index.ts';

/**
 * The share of examples that belong to the frozen evaluation set. Membership is a rule on the text itself (its
 * hash), so the set is fixed from the first day the deployment learns and grows only by the same rule: an example
 * never moves between training and evaluation, whichever batch it arrives in.
 */
export const EVALUATION_SHARE = 0.2;

/** Whether a labelled text belongs to the frozen evaluation set (else it may be trained on). */
export function inEvaluationSet(text: string): boolean {
  const digest = createHash('sha256').update(text.trim().toLowerCase().normalize('NFKC')).digest();
  return digest.readUInt16BE(0) / 65_536 < EVALUATION_SHARE;
}

export interface GateSettings {
  /** An intent may lose at most this much accuracy (0.05: five points), or its noise band when wider... */
  maxIntentDrop: number;
  /** ... judged only on intents with at least this many evaluation examples. */
  minIntentExamples: number;
  /** The width of the noise band, in standard errors (1.96: 95%). */
  z: number;
}

export const DEFAULT_GATE: GateSettings = { maxIntentDrop: 0.05, minIntentExamples: 10, z: 1.96 };

/** A model's figures on the evaluation set. */
export interface GateEvaluation {
  examples: number;
  /** Right decisions (the intent, or out of scope for an out-of-scope text). */
  correct: number;
  perIntent: Record<string, { n: number; correct: number }>;
  /** Accepted without a person, and how many of those were right. */
  accepted: number;
  acceptedRight: number;
  /** Out-of-scope texts, and how many the model refused. */
  outOfScope: number;
  outOfScopeRefused: number;
}

/**
 * Scores a model on the evaluation set (labels are intents, or `oos`): what the gate compares.
 *
 * @example
 * const active = evaluateForGate(activeModel, evaluationSet);
 */
export function evaluateForGate(
  model: IntentModel,
  examples: readonly { text: string; label: string }[],
): GateEvaluation {
  const classifier = createIntentClassifier(model);
  const result: GateEvaluation = {
    examples: 0,
    correct: 0,
    perIntent: {},
    accepted: 0,
    acceptedRight: 0,
    outOfScope: 0,
    outOfScopeRefused: 0,
  };
  for (const example of examples) {
    const p = classifier.predict(example.text);
    const predicted = p.accepted ? p.label : OOS_LABEL;
    const right = example.label === OOS_LABEL ? !p.accepted : p.label === example.label;
    result.examples++;
    if (right) result.correct++;
    const intent = result.perIntent[example.label] ?? { n: 0, correct: 0 };
    result.perIntent[example.label] = intent;
    intent.n++;
    if (right) intent.correct++;
    if (p.accepted) {
      result.accepted++;
      if (predicted === example.label) result.acceptedRight++;
    }
    if (example.label === OOS_LABEL) {
      result.outOfScope++;
      if (!p.accepted) result.outOfScopeRefused++;
    }
  }
  return result;
}

export interface GateReport {
  promote: boolean;
  /** Why not, one line each (empty when promoted). */
  reasons: string[];
  figures: Array<{
    figure: 'accuracy' | 'precision of accepted answers' | 'coverage' | 'out-of-scope recall';
    active: number | null;
    candidate: number | null;
    /** The band within which a difference is noise. */
    noise: number;
    verdict: 'better' | 'same' | 'worse';
  }>;
  intents: Array<{
    intent: string;
    n: number;
    active: number;
    candidate: number;
    verdict: 'better' | 'same' | 'worse';
  }>;
  tests: { passed: number; failed: string[] };
}

const rate = (k: number, n: number) => (n > 0 ? k / n : null);

/** The noise band of a difference between two proportions measured on n examples each. */
function noiseBand(a: number, b: number, n: number, z: number): number {
  if (n <= 0) return 1;
  return z * Math.sqrt((a * (1 - a) + b * (1 - b)) / n);
}

/**
 * The gate: promote the candidate only when it is not worse than the active model beyond the evaluation's noise
 * (accuracy, coverage at the target precision, and out-of-scope recall when the set has out-of-scope texts), no intent with enough examples loses more
 * than `maxIntentDrop` and more than its own noise band, and every conversation test passes. The report says what improved, what got worse and
 * which tests failed.
 *
 * @example
 * const report = decideGate({ active, candidate, tests: { passed: 15, failed: [] } });
 * if (report.promote) await store.activateArtifact({ kind: 'nlu-model', version, by, at });
 */
export function decideGate(props: {
  active: GateEvaluation;
  candidate: GateEvaluation;
  tests: { passed: number; failed: string[] };
  settings?: GateSettings;
}): GateReport {
  const { active, candidate } = props;
  const settings = props.settings ?? DEFAULT_GATE;
  const reasons: string[] = [];
  const figure = (
    name: GateReport['figures'][number]['figure'],
    a: number | null,
    c: number | null,
    n: number,
    gating: boolean,
  ): GateReport['figures'][number] => {
    const noise = a === null || c === null ? 0 : noiseBand(a, c, n, settings.z);
    const verdict =
      a === null || c === null ? 'same' : c < a - noise ? 'worse' : c > a + noise ? 'better' : 'same';
    if (gating && verdict === 'worse') {
      reasons.push(
        `${name} fell from ${pct(a)} to ${pct(c)}, beyond the noise of ${pct(noise)} on ${n} examples`,
      );
    }
    return { figure: name, active: a, candidate: c, noise, verdict };
  };
  const figures = [
    figure(
      'accuracy',
      rate(active.correct, active.examples),
      rate(candidate.correct, candidate.examples),
      active.examples,
      true,
    ),
    figure(
      'out-of-scope recall',
      rate(active.outOfScopeRefused, active.outOfScope),
      rate(candidate.outOfScopeRefused, candidate.outOfScope),
      active.outOfScope,
      true,
    ),
    figure(
      'precision of accepted answers',
      rate(active.acceptedRight, active.accepted),
      rate(candidate.acceptedRight, candidate.accepted),
      Math.min(active.accepted, candidate.accepted),
      false,
    ),
    figure(
      // Coverage at the target precision: label noise shows here first (the thresholds climb to keep the precision).
      'coverage',
      rate(active.accepted, active.examples),
      rate(candidate.accepted, candidate.examples),
      active.examples,
      true,
    ),
  ];
  const intents: GateReport['intents'] = [];
  for (const [intent, a] of Object.entries(active.perIntent).sort(([x], [y]) => x.localeCompare(y))) {
    const c = candidate.perIntent[intent] ?? { n: a.n, correct: 0 };
    const before = a.correct / a.n;
    const after = c.n > 0 ? c.correct / c.n : 0;
    const change = after - before;
    // On a few dozen examples one text is several points: a drop counts past the margin and past its own noise.
    const noise = noiseBand(before, after, a.n, settings.z);
    const band = Math.max(settings.maxIntentDrop, noise);
    const verdict = change < -band ? 'worse' : change > band ? 'better' : 'same';
    intents.push({ intent, n: a.n, active: before, candidate: after, verdict });
    if (verdict === 'worse' && a.n >= settings.minIntentExamples) {
      reasons.push(
        `${intent} fell from ${pct(before)} to ${pct(after)} on ${a.n} examples (more than the ${pct(settings.maxIntentDrop)} margin and the noise of ${pct(noise)})`,
      );
    }
  }
  for (const name of props.tests.failed) reasons.push(`conversation test failed: ${name}`);
  return { promote: reasons.length === 0, reasons, figures, intents, tests: props.tests };
}

function pct(value: number | null): string {
  return value === null ? '-' : `${(value * 100).toFixed(1)}%`;
}

/** The gate's report as Markdown: the decision, why, the figures, the intents that moved, the tests. */
export function renderGateMarkdown(report: GateReport): string {
  const lines = [
    `# Retraining gate: ${report.promote ? 'promote' : 'keep the active model'}`,
    '',
    ...(report.reasons.length > 0 ? ['## Why not', '', ...report.reasons.map((r) => `- ${r}`), ''] : []),
    '## Figures on the frozen evaluation set',
    '',
    '| figure | active | candidate | noise | verdict |',
    '| --- | ---: | ---: | ---: | --- |',
    ...report.figures.map(
      (f) => `| ${f.figure} | ${pct(f.active)} | ${pct(f.candidate)} | ±${pct(f.noise)} | ${f.verdict} |`,
    ),
    '',
    '## Intents that moved',
    '',
    ...(report.intents.some((i) => i.verdict !== 'same')
      ? [
          '| intent | examples | active | candidate | verdict |',
          '| --- | ---: | ---: | ---: | --- |',
          ...report.intents
            .filter((i) => i.verdict !== 'same')
            .map((i) => `| ${i.intent} | ${i.n} | ${pct(i.active)} | ${pct(i.candidate)} | ${i.verdict} |`),
        ]
      : ['None beyond the margin.']),
    '',
    `## Conversation tests: ${report.tests.passed} passed, ${report.tests.failed.length} failed`,
    ...report.tests.failed.map((t) => `- ${t}`),
    '',
  ];
  return lines.join('\n');
}
