/**
 * `node bin/run-ts.js bench/topics-quality.ts [--data DIR] [--only SET]`: topic discovery quality, labels
 * hidden then compared (NMI, ARI), on BANKING77 train, CLINC150 train (in-scope rows) and Bitext categories,
 * with k = the number of true labels and with k = 'auto'. Prints a table and one JSON line.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { adjustedRandIndex, normalisedMutualInformation } from '../src/audit/topic-quality.ts';
import { discoverTopics } from '../src/audit/topics.ts';
import { arg } from './args.ts';

export interface TopicQualityRow {
  set: string;
  docs: number;
  k: number;
  nmi: number;
  ari: number;
  seconds: number;
}

interface DataSet {
  name: string;
  file: string;
  /** The field holding the gold label; rows it rejects are dropped (CLINC150 out of scope). */
  label: (row: Record<string, unknown>) => string | undefined;
}

const SETS: DataSet[] = [
  { name: 'banking77', file: 'banking77/train.jsonl', label: (r) => str(r.label) },
  {
    name: 'clinc150',
    file: 'clinc150/train.jsonl',
    label: (r) => (r.label === 'oos' || r.in_scope === false ? undefined : str(r.label)),
  },
  { name: 'bitext', file: 'bitext-customer-support/train.jsonl', label: (r) => str(r.category) },
];

const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
const round = (x: number, digits = 3) => Math.round(x * 10 ** digits) / 10 ** digits;

function load(path: string, label: DataSet['label']): { texts: string[]; labels: string[] } {
  const texts: string[] = [];
  const labels: string[] = [];
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    const row = JSON.parse(line) as Record<string, unknown>;
    const gold = label(row);
    if (gold === undefined || typeof row.text !== 'string') continue;
    texts.push(row.text);
    labels.push(gold);
  }
  return { texts, labels };
}

/** One row per (set, k mode): the true number of labels, then 'auto'. */
export async function topicQualityRows(dataDir: string, only?: string): Promise<TopicQualityRow[]> {
  const rows: TopicQualityRow[] = [];
  for (const set of SETS) {
    if (only && set.name !== only) continue;
    const { texts, labels } = load(resolve(dataDir, set.file), set.label);
    const trueK = new Set(labels).size;
    for (const k of [trueK, 'auto'] as const) {
      const started = performance.now();
      // A size floor of 1 so that no ticket is hidden in "other": the metrics compare full partitions.
      const result = discoverTopics(texts, { k, seed: 1, minTopicSize: 1 });
      const seconds = (performance.now() - started) / 1000;
      rows.push({
        set: k === 'auto' ? `${set.name} (auto)` : set.name,
        docs: texts.length,
        k: result.topics.length,
        nmi: round(normalisedMutualInformation(labels, result.assignments)),
        ari: round(adjustedRandIndex(labels, result.assignments)),
        seconds: round(seconds, 1),
      });
    }
  }
  return rows;
}

function formatTable(rows: TopicQualityRow[]): string {
  const header = ['set', 'docs', 'k', 'NMI', 'ARI', 'seconds'];
  const lines = rows.map((r) => [r.set, r.docs, r.k, r.nmi, r.ari, r.seconds].map(String));
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const fmt = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
  return [fmt(header), ...lines.map(fmt)].join('\n');
}

if (import.meta.url === pathToFileURL(resolve(process.argv[1] ?? '')).href) {
  const rows = await topicQualityRows(arg('--data') ?? '../shared/data', arg('--only'));
  console.log(formatTable(rows));
  console.log(JSON.stringify({ bench: 'topics-quality', rows }));
}
