/**
 * bench:learning: does the model learn from agents' corrections, round after round, and does the gate hold when a
 * batch is poisoned? On BANKING77's training set (../shared/data/banking77/train.jsonl, never copied):
 * - the frozen evaluation set is the gate's own rule (inEvaluationSet: a fifth of the texts, by their hash);
 * - the first model learns from a seeded share of the rest (--start, default 0.1);
 * - each round, agents correct --batch examples (default 800) drawn from the rest, with --noise of them given a
 *   wrong label (default 0.03, as tired agents would); the candidate is trained on everything accepted so far and
 *   goes through the gate;
 * - then two poisoned batches: a third of the labels wrong, and one intent's examples relabelled as another.
 * The peer compared in the same run is retraining with no check (the "misunderstood messages, retrain" screens of
 * open-source bots): its column says what would have gone live without the gate.
 *
 *   npm run bench:learning -- [--rounds 4] [--batch 800] [--start 0.1] [--noise 0.03] [--seed 7] [--data DIR]
 *
 * Prints a table, then one JSON line.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { decideGate, evaluateForGate, type GateEvaluation, inEvaluationSet } from '../src/learning/index.ts';
import {
  DEFAULT_TRAIN_OPTIONS,
  type IntentModel,
  type LabelledText,
  trainIntentModel,
} from '../src/nlu/index.ts';
import { seededRandom, shuffleInPlace } from '../src/shared/index.ts';
import { arg } from './args.ts';

const dataDir = resolve(arg('--data') ?? '../shared/data');
const rounds = Number(arg('--rounds') ?? 4);
const batch = Number(arg('--batch') ?? 800);
const start = Number(arg('--start') ?? 0.1);
const noise = Number(arg('--noise') ?? 0.03);
const seed = Number(arg('--seed') ?? 7);
const options = { ...DEFAULT_TRAIN_OPTIONS, seed, folds: 3 };

const rows: LabelledText[] = readFileSync(resolve(dataDir, 'banking77/train.jsonl'), 'utf8')
  .split('\n')
  .filter((l) => l.trim())
  .map((l) => JSON.parse(l) as { text: string; label: string })
  .map((r) => ({ text: r.text, label: r.label }));
const labels = [...new Set(rows.map((r) => r.label))].sort();
const evaluation = rows.filter((r) => inEvaluationSet(r.text));
const pool = rows.filter((r) => !inEvaluationSet(r.text));
const random = seededRandom(seed);
shuffleInPlace(pool, random);
const base = pool.splice(0, Math.round(pool.length * start));

const otherLabel = (label: string) => {
  let other = label;
  while (other === label) other = labels[Math.floor(random() * labels.length)] as string;
  return other;
};
const withNoise = (examples: LabelledText[], share: number) =>
  examples.map((e) => (random() < share ? { ...e, label: otherLabel(e.label) } : e));

interface Row {
  step: string;
  training: number;
  accuracy: number;
  coverage: number;
  precision: number | null;
  gate: 'promote' | 'refuse' | '-';
  live: { accuracy: number; coverage: number };
  withoutGate: { accuracy: number; coverage: number };
  reason: string;
}
const table: Row[] = [];
const figures = (e: GateEvaluation) => ({
  accuracy: e.correct / e.examples,
  coverage: e.accepted / e.examples,
  precision: e.accepted > 0 ? e.acceptedRight / e.accepted : null,
});

const started = performance.now();
let accepted: LabelledText[] = [...base];
let active: IntentModel = trainIntentModel(accepted, options);
let activeScore = evaluateForGate(active, evaluation);
let ungated = activeScore;
const served = (e: GateEvaluation) => ({
  accuracy: e.correct / e.examples,
  coverage: e.accepted / e.examples,
});
table.push({
  step: 'start',
  training: accepted.length,
  ...figures(activeScore),
  gate: '-',
  live: served(activeScore),
  withoutGate: served(ungated),
  reason: '',
});

function round(step: string, corrections: LabelledText[]) {
  const candidateData = [...accepted, ...corrections];
  const candidate = trainIntentModel(candidateData, options);
  const candidateScore = evaluateForGate(candidate, evaluation);
  const report = decideGate({
    active: activeScore,
    candidate: candidateScore,
    tests: { passed: 0, failed: [] },
  });
  // Without a gate every retrain goes live.
  ungated = candidateScore;
  if (report.promote) {
    accepted = candidateData;
    active = candidate;
    activeScore = candidateScore;
  }
  table.push({
    step,
    training: candidateData.length,
    ...figures(candidateScore),
    gate: report.promote ? 'promote' : 'refuse',
    live: served(activeScore),
    withoutGate: served(ungated),
    reason: report.reasons.slice(0, 2).join('; '),
  });
  console.error(
    `${step}: ${report.promote ? 'promoted' : 'refused'} (${Math.round((performance.now() - started) / 1000)} s)`,
  );
}

for (let r = 1; r <= rounds; r++)
  round(`round ${r} (${Math.round(noise * 100)}% wrong)`, withNoise(pool.splice(0, batch), noise));
round('poisoned: a third wrong', withNoise(pool.splice(0, batch), 1 / 3));
// One intent's examples relabelled as another (a confused or malicious reviewer).
const victim = 'card_arrival';
const relabelled = pool
  .filter((e) => e.label === victim)
  .map((e) => ({ ...e, label: 'card_delivery_estimate' }));
round(`poisoned: ${victim} relabelled`, relabelled);

const pct = (v: number | null) => (v === null ? '-' : `${(v * 100).toFixed(1)}%`);
console.log(
  `bench:learning on BANKING77 train (${rows.length} texts; frozen evaluation set ${evaluation.length}; seed ${seed})\n`,
);
console.log(
  `${'step'.padEnd(34)} ${'trained on'.padStart(10)} ${'accuracy'.padStart(9)} ${'coverage'.padStart(9)} ${'precision'.padStart(9)} ${'gate'.padEnd(8)} ${'live acc / cov'.padStart(15)} ${'no gate acc / cov'.padStart(18)}  why refused`,
);
for (const r of table) {
  console.log(
    `${r.step.padEnd(34)} ${String(r.training).padStart(10)} ${pct(r.accuracy).padStart(9)} ${pct(r.coverage).padStart(9)} ${pct(r.precision).padStart(9)} ${r.gate.padEnd(8)} ${`${pct(r.live.accuracy)} / ${pct(r.live.coverage)}`.padStart(15)} ${`${pct(r.withoutGate.accuracy)} / ${pct(r.withoutGate.coverage)}`.padStart(18)}  ${r.reason}`,
  );
}
console.log(
  '\naccuracy, coverage (answered alone at the target precision) and precision are the candidate\'s on the frozen set; "live" is the model serving after the gate, "no gate" the one that would serve had this retrain gone live unchecked.',
);
console.log(
  JSON.stringify({
    bench: 'learning',
    data: 'banking77/train.jsonl',
    seed,
    evaluation: evaluation.length,
    rows: table.map((r) => ({
      ...r,
      accuracy: Number(r.accuracy.toFixed(4)),
      coverage: Number(r.coverage.toFixed(4)),
    })),
    seconds: Math.round((performance.now() - started) / 1000),
  }),
);
