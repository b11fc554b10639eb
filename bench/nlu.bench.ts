/**
 * `npm run bench:nlu [-- --data DIR] [-- --only SET] [-- --systems a,b]`: Switchboard vs NLP.js vs a plain
 * TF-IDF + logistic regression on BANKING77 (5-fold CV on train), CLINC150 (train -> val, out of scope
 * included), HWU64 (train -> val) and Bitext (5-fold CV). Each (system, set, fold) runs in its own child
 * process, so peak RSS is that system's own. Prints a table and one JSON line.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { coverageAtPrecision, evaluatePredictions, type LabelledText, OOS_LABEL } from '../src/nlu/index.ts';
import { stratifiedFolds } from '../src/shared/index.ts';
import { arg } from './args.ts';
import { type BenchPrediction, SYSTEMS } from './nlu-systems.ts';

interface DataSet {
  name: string;
  train: string;
  /** Absent: k-fold cross-validation on train. */
  test?: string;
  folds: number;
}

const SETS: DataSet[] = [
  { name: 'banking77', train: 'banking77/train.jsonl', folds: 5 },
  { name: 'clinc150', train: 'clinc150/train.jsonl', test: 'clinc150/val.jsonl', folds: 1 },
  { name: 'hwu64', train: 'hwu64/train.jsonl', test: 'hwu64/val.jsonl', folds: 1 },
  { name: 'bitext', train: 'bitext-customer-support/train.jsonl', folds: 5 },
];
const PRECISION = 0.97;

function load(path: string): LabelledText[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => {
      const r = JSON.parse(l) as { text: string; label: string; in_scope?: boolean };
      return { text: r.text, label: r.in_scope === false ? OOS_LABEL : r.label };
    });
}

function split(dataDir: string, set: DataSet, fold: number): { train: LabelledText[]; test: LabelledText[] } {
  const all = load(resolve(dataDir, set.train));
  if (set.test) return { train: all, test: load(resolve(dataDir, set.test)) };
  const labels = [...new Set(all.map((e) => e.label))].sort();
  const folds = stratifiedFolds(
    all.map((e) => labels.indexOf(e.label)),
    set.folds,
    1,
  );
  return { train: all.filter((_, i) => folds[i] !== fold), test: all.filter((_, i) => folds[i] === fold) };
}

interface FoldResult {
  gold: string[];
  predictions: BenchPrediction[];
  trainSeconds: number;
  predictSeconds: number;
  modelBytes: number;
  peakRssMb: number;
}

/** Child process: train one system on one fold and report its predictions. */
async function worker(): Promise<void> {
  const dataDir = arg('--data')!;
  const set = SETS.find((s) => s.name === arg('--set'))!;
  const system = SYSTEMS.find((s) => s.name === arg('--system'))!;
  const { train, test } = split(dataDir, set, Number(arg('--fold')));
  const t0 = performance.now();
  const trained = await system.train(train);
  const trainSeconds = (performance.now() - t0) / 1000;
  const t1 = performance.now();
  const predictions: BenchPrediction[] = [];
  for (const e of test) predictions.push(await trained.predict(e.text));
  const predictSeconds = (performance.now() - t1) / 1000;
  const result: FoldResult = {
    gold: test.map((e) => e.label),
    predictions,
    trainSeconds,
    predictSeconds,
    modelBytes: trained.modelBytes,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
  };
  process.stdout.write(`\n@@RESULT ${JSON.stringify(result)}\n`);
}

interface Row {
  set: string;
  system: string;
  accuracy: number;
  macroF1: number;
  inScopeAccuracy: number | null;
  oosRecall: number | null;
  /** Best coverage of one confidence cut-off at 0.97 precision (pooled over folds). */
  coverageAt97: number;
  /** Switchboard's own thresholds: share accepted, and their precision. */
  accepted: number | null;
  acceptedPrecision: number | null;
  /** NLP.js: accuracy of its best intent even below its threshold. */
  topClassAccuracy: number | null;
  trainSeconds: number;
  predictionsPerSecond: number;
  modelMb: number;
  peakRssMb: number;
}

function summarise(set: DataSet, system: string, folds: FoldResult[]): Row {
  const scored = folds.flatMap((f) =>
    f.predictions.map((p, i) => ({
      gold: f.gold[i]!,
      predicted: p.predicted,
      confidence: p.confidence,
      accepted: p.accepted ?? false,
      topIntent: p.topIntent,
    })),
  );
  const report = evaluatePredictions(scored, OOS_LABEL);
  const hasOos = report.oosRecall !== null;
  const coverage = coverageAtPrecision(
    scored.map((s) => ({
      confidence: s.predicted === OOS_LABEL ? -1 : s.confidence,
      correct: s.predicted !== OOS_LABEL && s.predicted === s.gold,
    })),
    PRECISION,
  );
  const n = scored.length;
  const sum = (f: (r: FoldResult) => number) => folds.reduce((a, r) => a + f(r), 0);
  return {
    set: set.name,
    system,
    accuracy: report.accuracy,
    macroF1: report.macroF1,
    inScopeAccuracy: hasOos ? report.inScopeAccuracy : null,
    oosRecall: report.oosRecall,
    coverageAt97: coverage,
    accepted: system === 'switchboard' ? report.coverage : null,
    acceptedPrecision: system === 'switchboard' ? report.acceptedPrecision : null,
    topClassAccuracy:
      scored[0]?.topIntent !== undefined ? scored.filter((s) => s.topIntent === s.gold).length / n : null,
    trainSeconds: sum((r) => r.trainSeconds) / folds.length,
    predictionsPerSecond: n / sum((r) => r.predictSeconds),
    modelMb: sum((r) => r.modelBytes) / folds.length / 1e6,
    peakRssMb: Math.max(...folds.map((r) => r.peakRssMb)),
  };
}

async function main(): Promise<void> {
  if (process.argv.includes('--worker')) return worker();
  const dataDir = resolve(arg('--data') ?? '../shared/data');
  const only = arg('--only')?.split(',');
  const systems = arg('--systems')?.split(',') ?? SYSTEMS.map((s) => s.name);
  const started = performance.now();
  const rows: Row[] = [];
  for (const set of SETS.filter((s) => !only || only.includes(s.name))) {
    for (const system of systems) {
      const folds: FoldResult[] = [];
      for (let fold = 0; fold < set.folds; fold++) {
        const out = execFileSync(
          process.execPath,
          [
            'bin/run-ts.js',
            'bench/nlu.bench.ts',
            '--worker',
            '--data',
            dataDir,
            '--set',
            set.name,
            '--system',
            system,
            '--fold',
            String(fold),
          ],
          { encoding: 'utf8', maxBuffer: 1 << 30, stdio: ['ignore', 'pipe', 'inherit'] },
        );
        const line = out.split('\n').find((l) => l.startsWith('@@RESULT '));
        if (!line) throw new Error(`no result from ${system} on ${set.name} fold ${fold}`);
        folds.push(JSON.parse(line.slice('@@RESULT '.length)) as FoldResult);
        process.stderr.write(`  ${set.name} ${system} fold ${fold + 1}/${set.folds} done\n`);
      }
      rows.push(summarise(set, system, folds));
    }
  }
  const totalSeconds = (performance.now() - started) / 1000;
  process.stdout.write(formatTable(rows, totalSeconds));
  process.stdout.write(
    `${JSON.stringify({ bench: 'nlu', totalSeconds: round(totalSeconds, 1), rows: rows.map(roundRow) })}\n`,
  );
}

const round = (n: number, d: number) => Math.round(n * 10 ** d) / 10 ** d;
const roundRow = (r: Row) =>
  Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === 'number' ? round(v, 4) : v]));

function formatTable(rows: Row[], totalSeconds: number): string {
  const f = (v: number | null, d = 3) => (v === null ? '-' : v.toFixed(d));
  const head = [
    'set',
    'system',
    'acc',
    'macroF1',
    'in-scope',
    'oos rec',
    'cov@.97',
    'accepted',
    'acc.prec',
    'top-class',
    'train s',
    'pred/s',
    'model MB',
    'RSS MB',
  ];
  const body = rows.map((r) => [
    r.set,
    r.system,
    f(r.accuracy),
    f(r.macroF1),
    f(r.inScopeAccuracy),
    f(r.oosRecall),
    f(r.coverageAt97),
    f(r.accepted),
    f(r.acceptedPrecision),
    f(r.topClassAccuracy),
    f(r.trainSeconds, 1),
    f(r.predictionsPerSecond, 0),
    f(r.modelMb, 1),
    f(r.peakRssMb, 0),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [
    line(head),
    ...body.map(line),
    '',
    `acc: accuracy (CV sets pooled over folds; CLINC150 counts oos as a label). cov@.97: best single confidence cut-off`,
    `with 0.97 precision. accepted / acc.prec: Switchboard's own per-intent thresholds. train s: mean per training run`,
    `(Switchboard's includes its internal 5-fold CV). Total ${totalSeconds.toFixed(0)} s on a shared 2-core machine: timings are noisy.`,
    '',
  ].join('\n');
}

await main();
