// npm run bench:engine [-- --conversations N]
// Scripted 5-turn conversations through the whole turn path, in one process, as the live service runs it minus
// HTTP: each customer message is stored with its turn job; the jobs run (NLU, exclusions, guardrails, workflow
// engine, the turn's commit, then the demo-shop call it asked for as a job with its idempotency key, then the
// call's result as a new committed turn) until none is left. SQLite file, WAL. Turns per second are customer
// messages answered per second; latency is from storing the message to the last commit it led to, connector time
// taken out. Targets: >= 2,000 turns/s, p99 <= 5 ms. Prints a table and one JSON line. bench:serve runs the same
// measurement beside its HTTP one (`measureInProcess`).

import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDeployment } from '../src/app/index.ts';
import { mergeTurnReports, type TurnReport } from '../src/conversations/index.ts';
import { quantile, sortedNumbers } from '../src/shared/index.ts';
import { demoConfig, prepareDemoStore, SCRIPTS } from './demo-deployment.ts';

export interface InProcessFigures {
  conversations: number;
  turns: number;
  seconds: number;
  turnsPerSecond: number;
  cpuSeconds: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  connectorMsPerTurn: number;
  maxRssMb: number;
  lastTurnStatus: Record<string, number>;
}

/** The in-process figure: `conversations` scripted conversations one after another on a prepared store. */
export async function measureInProcess(db: string, conversations: number): Promise<InProcessFigures> {
  const deployment = await openDeployment({ config: demoConfig(db), baseDir: process.cwd() });
  const runner = deployment.createRunner({ concurrency: 1 });
  const reports: TurnReport[] = [];
  deployment.conversations.subscribe(({ report }) => reports.push(report));
  const converse = async (
    id: string,
    script: { email: string; turns: string[] },
    into?: number[],
  ): Promise<{ status: string; connectorMs: number }> => {
    await deployment.conversations.start({
      id,
      customer: { email: script.email, attributes: {} },
      channel: 'chat',
    });
    let status = 'open';
    let spent = 0;
    for (const text of script.turns) {
      reports.length = 0;
      const started = performance.now();
      await deployment.conversations.receive({ conversationId: id, text, idempotencyKey: randomUUID() });
      await runner.drain();
      const elapsed = performance.now() - started;
      const turn = mergeTurnReports(id, reports, null);
      into?.push(elapsed - turn.connectorMs);
      spent += turn.connectorMs;
      status = turn.status;
    }
    return { status, connectorMs: spent };
  };
  try {
    // Warm-up: compile the hot paths before measuring.
    for (let i = 0; i < 50; i++) await converse(`warm-${i}`, SCRIPTS[i % SCRIPTS.length]!);
    const latencies: number[] = [];
    const outcomes = new Map<string, number>();
    let turns = 0;
    let connectorMs = 0;
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    for (let i = 0; i < conversations; i++) {
      const script = SCRIPTS[i % SCRIPTS.length]!;
      const result = await converse(`c-${i}`, script, latencies);
      turns += script.turns.length;
      connectorMs += result.connectorMs;
      outcomes.set(result.status, (outcomes.get(result.status) ?? 0) + 1);
    }
    const wallMs = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    const sorted = sortedNumbers(latencies);
    return {
      conversations,
      turns,
      seconds: round(wallMs / 1000, 2),
      turnsPerSecond: Math.round(turns / (wallMs / 1000)),
      cpuSeconds: round((cpu.user + cpu.system) / 1e6, 2),
      p50Ms: round(quantile(sorted, 0.5) ?? 0, 3),
      p99Ms: round(quantile(sorted, 0.99) ?? 0, 3),
      maxMs: round(sorted[sorted.length - 1] ?? 0, 3),
      connectorMsPerTurn: round(connectorMs / turns, 3),
      maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
      lastTurnStatus: Object.fromEntries(outcomes),
    };
  } finally {
    await deployment.close();
  }
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

const isMain = process.argv[1]?.endsWith('engine.bench.ts') ?? false;
if (isMain) {
  const args = process.argv.slice(2);
  const flag = (name: string, fallback: number) => {
    const i = args.indexOf(name);
    return i >= 0 ? Number(args[i + 1]) : fallback;
  };
  const conversations = flag('--conversations', 2000);
  const dir = mkdtempSync(join(tmpdir(), 'sb-bench-engine-'));
  try {
    const db = join(dir, 'engine.db');
    await prepareDemoStore(db);
    const row = await measureInProcess(db, conversations);
    const pass = { turnsPerSecond: row.turnsPerSecond >= 2000, p99: row.p99Ms <= 5 };
    console.log(
      '\nbench:engine: scripted 5-turn conversations through the jobs (NLU + guardrails + engine + SQLite commits + demo-shop calls), one process',
    );
    console.log(
      '| conversations | turns | seconds | turns/s | p50 ms | p99 ms | max ms | connector ms/turn | peak RSS MB |',
    );
    console.log('| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
    console.log(
      `| ${row.conversations} | ${row.turns} | ${row.seconds} | ${row.turnsPerSecond} | ${row.p50Ms} | ${row.p99Ms} | ${row.maxMs} | ${row.connectorMsPerTurn} | ${row.maxRssMb} |`,
    );
    console.log(
      `targets: >= 2000 turns/s ${pass.turnsPerSecond ? 'met' : 'NOT met'}; p99 <= 5 ms (connector time excluded) ${pass.p99 ? 'met' : 'NOT met'}`,
    );
    console.log(`status after the last turn: ${JSON.stringify(row.lastTurnStatus)}\n`);
    console.log(
      JSON.stringify({ bench: 'engine', ...row, targets: { turnsPerSecond: 2000, p99Ms: 5 }, pass }),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
