// npm run bench:engine [-- --conversations N]
// Scripted 5-turn conversations through the whole turn path: NLU (model trained on the demo history, not
// timed) -> exclusions -> guardrails -> workflow engine -> demo-shop connector answered in-process -> store
// (a SQLite file, WAL; every turn one transaction). One process, one thread: turns per second on one core, and
// the latency of each turn with the connector's own time taken out. Targets: >= 2,000 turns/s, p99 <= 5 ms.
// Prints a table and one JSON line.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openStore } from '../src/app/index.ts';
import { loadEntityPatternsFile } from '../src/app/nlu-config.ts';
import { openConversations } from '../src/app/open-conversations.ts';
import { DEMO_WORKFLOWS_DIR } from '../src/app/workflows-dir.ts';
import { DEMO_ENTITIES_FILE, demoTicketToRecord, generateDemoTickets } from '../src/demo/index.ts';
import {
  DEFAULT_TRAIN_OPTIONS,
  trainIntentModel,
  trainingExamplesFromStore,
  writeModelFile,
} from '../src/nlu/index.ts';
import { quantile, sortedNumbers } from '../src/shared/index.ts';

const args = process.argv.slice(2);
const flag = (name: string, fallback: number) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const conversations = flag('--conversations', 2000);

// Each script keeps the bot busy for all five turns: a re-asked question, a lookup, a confirmation, then a
// second request that starts another workflow.
const SCRIPTS: Array<{ email: string; turns: string[] }> = [
  {
    email: 'nora.lindqvist@example.com',
    turns: [
      'where is my order?',
      'one moment, let me look',
      "it's SB-100002",
      'yes thanks',
      'also I forgot my password and cannot log in',
    ],
  },
  {
    email: 'liam.garcia@mail.example',
    turns: [
      'Can you tell me the status of my order?',
      'hmm',
      'the second one',
      'yes, that answers it',
      'I cannot log in, I need to reset my password',
    ],
  },
  {
    email: 'olivia.okafor@example.net',
    turns: [
      'Hi, where is my order? It has been a week.',
      'yes thanks',
      'one more thing: I forgot my password',
      'yes',
      'where is my order?',
    ],
  },
];

const dir = mkdtempSync(join(tmpdir(), 'sb-bench-engine-'));
try {
  const store = await openStore({ db: join(dir, 'engine.db') });
  // Set-up (not timed): a demo history and the NLU trained on it, as `npm start` does.
  const records = Array.from(generateDemoTickets({ tickets: 3000, seed: 7 }), demoTicketToRecord);
  await store.upsertTickets(records, { origin: 'bench' });
  const data = await trainingExamplesFromStore({ store, minExamples: 5 });
  const modelFile = join(dir, 'nlu.model.json');
  writeModelFile(modelFile, {
    ...trainIntentModel(data.examples, DEFAULT_TRAIN_OPTIONS),
    entities: loadEntityPatternsFile(fileURLToPath(DEMO_ENTITIES_FILE)),
  });
  const { runtime } = openConversations({ store, modelFile, workflowsDir: DEMO_WORKFLOWS_DIR });

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
  await store.close();

  const sorted = sortedNumbers(latencies);
  const row = {
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
  const pass = { turnsPerSecond: row.turnsPerSecond >= 2000, p99: row.p99Ms <= 5 };
  console.log(
    '\nbench:engine: scripted 5-turn conversations (NLU + guardrails + engine + SQLite store), one thread',
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
  console.log(JSON.stringify({ bench: 'engine', ...row, targets: { turnsPerSecond: 2000, p99Ms: 5 }, pass }));

  async function converse(
    id: string,
    script: { email: string; turns: string[] },
    into?: number[],
  ): Promise<{ status: string; connectorMs: number }> {
    await runtime.startConversation({
      id,
      customer: { email: script.email, attributes: {} },
      channel: 'chat',
    });
    let status = 'open';
    let spent = 0;
    for (const text of script.turns) {
      const started = performance.now();
      const turn = await runtime.handleCustomerMessage({ conversationId: id, text });
      const elapsed = performance.now() - started;
      into?.push(elapsed - turn.connectorMs);
      spent += turn.connectorMs;
      status = turn.status;
    }
    return { status, connectorMs: spent };
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
