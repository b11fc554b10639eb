// npm run bench:audit [-- --tickets N --keep]
// Generates the demo history (N tickets, default 100,000) into a fresh SQLite file (not timed), then runs the
// audit in a child process (this file with --child) so its peak RSS is the audit's alone. Adds topic
// discovery quality rows from bench/topics-quality.ts when that module is present. Prints a table and one
// JSON line.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { openStore } from '../src/app/index.ts';
import { loadExclusionRules, runAudit, writeAuditOutputs } from '../src/audit/index.ts';
import { demoTicketToRecord, generateDemoTickets } from '../src/demo/index.ts';

const args = process.argv.slice(2);
const flag = (name: string, fallback: number) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};

interface AuditRun {
  tickets: number;
  categories: number;
  top: string[];
  auditSeconds: number;
  writeSeconds: number;
  maxRssMb: number;
}

if (args[0] === '--child') {
  const db = args[1] as string;
  const out = args[2] as string;
  const store = await openStore({ db });
  const t0 = performance.now();
  const result = await runAudit({ store, exclusions: loadExclusionRules() });
  const t1 = performance.now();
  writeAuditOutputs(result, out, new Date());
  const t2 = performance.now();
  await store.close();
  const run: AuditRun = {
    tickets: result.team.tickets,
    categories: result.categories.length,
    top: result.top.slice(0, 5),
    auditSeconds: (t1 - t0) / 1000,
    writeSeconds: (t2 - t1) / 1000,
    maxRssMb: process.resourceUsage().maxRSS / 1024,
  };
  process.stdout.write(`${JSON.stringify(run)}\n`);
  process.exit(0);
}

const tickets = flag('--tickets', 100_000);
const dir = mkdtempSync(join(tmpdir(), 'sb-bench-audit-'));
try {
  const db = join(dir, 'audit.db');
  const store = await openStore({ db });
  const t0 = performance.now();
  let batch = [];
  for (const t of generateDemoTickets({ tickets, seed: 42 })) {
    batch.push(demoTicketToRecord(t));
    if (batch.length === 5000) {
      await store.upsertTickets(batch, { origin: 'bench' });
      batch = [];
    }
  }
  if (batch.length) await store.upsertTickets(batch, { origin: 'bench' });
  await store.close();
  console.error(
    `loaded ${tickets} demo tickets in ${((performance.now() - t0) / 1000).toFixed(1)} s (not timed)`,
  );

  const out = execFileSync(
    process.execPath,
    ['bin/run-ts.js', 'bench/audit.bench.ts', '--child', db, join(dir, 'out')],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const run = JSON.parse(out.trim().split('\n').pop() ?? '{}') as AuditRun;

  const lines = [
    'measure                         value      target',
    `tickets audited            ${String(run.tickets).padStart(10)}`,
    `audit wall time (s)        ${run.auditSeconds.toFixed(1).padStart(10)}      <= 20`,
    `writing outputs (s)        ${run.writeSeconds.toFixed(2).padStart(10)}`,
    `peak RSS (MB)              ${run.maxRssMb.toFixed(0).padStart(10)}`,
    `top 5: ${run.top.join(', ')}`,
  ];
  let topicRows: unknown[] = [];
  const qualityModule = resolve('bench/topics-quality.ts');
  const dataDir = resolve('../shared/data');
  if (existsSync(qualityModule) && existsSync(dataDir)) {
    const mod = (await import(qualityModule)) as {
      topicQualityRows?: (
        d: string,
      ) => Promise<{ set: string; docs: number; k: number; nmi: number; ari: number }[]>;
    };
    if (mod.topicQualityRows) {
      const rows = await mod.topicQualityRows(dataDir);
      topicRows = rows;
      lines.push('', 'topic discovery      docs     k     NMI     ARI');
      for (const r of rows) {
        lines.push(
          `${r.set.padEnd(18)} ${String(r.docs).padStart(6)} ${String(r.k).padStart(5)}  ${r.nmi.toFixed(3)}   ${r.ari.toFixed(3)}`,
        );
      }
    }
  } else {
    lines.push('', 'topic discovery quality (NMI, ARI) is reported by bench/topics-quality.ts');
  }
  console.log(lines.join('\n'));
  console.log(JSON.stringify({ bench: 'audit', ...run, topicQuality: topicRows }));
} finally {
  if (!args.includes('--keep')) rmSync(dir, { recursive: true, force: true });
}
