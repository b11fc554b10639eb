// npm run bench:replay [-- --tickets N]
// Replay of the demo history through every demo workflow, as `switchboard replay --all` does it: N demo
// tickets (default 10,000) in a SQLite file, the NLU trained on them (set-up, not timed), then every ticket the
// NLU routes to a workflow played as a conversation in an in-memory store: NLU, guardrails, engine, the
// demo knowledge base (billing-faq's answers), the demo-shop connector in process. One process, one thread. Target: >= 1,000 tickets/s. Prints a table and
// one JSON line.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildConnectorRegistry } from '../src/app/connectors.ts';
import { openStore } from '../src/app/index.ts';
import { openKnowledge } from '../src/app/knowledge.ts';
import { loadEntityPatternsFile } from '../src/app/nlu-config.ts';
import { DEMO_WORKFLOWS_DIR } from '../src/app/workflows-dir.ts';
import { loadExclusionRules } from '../src/audit/index.ts';
import { createTurnAnalyser } from '../src/conversations/index.ts';
import {
  DEMO_ENTITIES_FILE,
  DEMO_KB_DIR,
  demoTicketToRecord,
  generateDemoTickets,
} from '../src/demo/index.ts';
import { DEFAULT_GUARDRAILS } from '../src/domain/index.ts';
import { buildKnowledgeIndex, readArticles, writeKnowledgeIndex } from '../src/kb/index.ts';
import {
  createNlu,
  DEFAULT_TRAIN_OPTIONS,
  trainIntentModel,
  trainingExamplesFromStore,
} from '../src/nlu/index.ts';
import { replayTickets } from '../src/replay/index.ts';
import { silentLogger, systemClock } from '../src/shared/index.ts';
import { loadWorkflowDir } from '../src/workflows/index.ts';

const args = process.argv.slice(2);
const at = args.indexOf('--tickets');
const tickets = at >= 0 ? Number(args[at + 1]) : 10_000;
const TARGET = 1000;

const dir = mkdtempSync(join(tmpdir(), 'sb-bench-replay-'));
try {
  const store = await openStore({ db: join(dir, 'replay.db') });
  const HISTORY_SEED = 11;
  const records = Array.from(generateDemoTickets({ tickets, seed: HISTORY_SEED }), demoTicketToRecord);
  for (let i = 0; i < records.length; i += 2000) {
    await store.upsertTickets(records.slice(i, i + 2000), { origin: 'bench' });
  }
  const data = await trainingExamplesFromStore({ store, minExamples: 5 });
  const model = {
    ...trainIntentModel(data.examples, DEFAULT_TRAIN_OPTIONS),
    entities: loadEntityPatternsFile(fileURLToPath(DEMO_ENTITIES_FILE)),
  };
  const nlu = createNlu({ model });
  const analyse = createTurnAnalyser({ nlu, exclusions: loadExclusionRules() });
  const workflows = loadWorkflowDir(DEMO_WORKFLOWS_DIR).workflows.map((w) => w.definition);
  // The demo knowledge base, as `npm start` imports it: billing-faq answers from it.
  const indexFile = join(dir, 'kb-index.json');
  const knowledgeIndex = buildKnowledgeIndex(readArticles(fileURLToPath(DEMO_KB_DIR)), 0);
  writeKnowledgeIndex(indexFile, knowledgeIndex);
  const searchKnowledge = openKnowledge(indexFile) ?? undefined;
  // The demo shop of the same seed holds the history's customers and orders.
  const connectors = buildConnectorRegistry({
    config: { connectors: { 'demo-shop': { seed: HISTORY_SEED } } },
    clock: systemClock,
    logger: silentLogger,
  });

  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const report = await replayTickets({
    store,
    analyse,
    workflows,
    connectors,
    guardrails: DEFAULT_GUARDRAILS,
    clock: systemClock,
    openScratchStore: () => openStore({ db: ':memory:' }),
    ...(searchKnowledge ? { searchKnowledge } : {}),
    // As `switchboard replay` judges the answers: by the articles' tags and the intents the NLU knows.
    knowledgeArticles: knowledgeIndex.articles,
    knownIntents: model.labels,
    sample: tickets,
    seed: 1,
  });
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  await store.close();

  const replayed = report.workflows.reduce((n, w) => n + w.tickets, 0);
  const row = {
    ticketsInStore: report.ticketsRead,
    workflows: report.workflows.length,
    replayed,
    seconds: round(wallMs / 1000, 2),
    ticketsPerSecond: Math.round(replayed / (wallMs / 1000)),
    storeTicketsPerSecond: Math.round(report.ticketsRead / (wallMs / 1000)),
    cpuSeconds: round((cpu.user + cpu.system) / 1e6, 2),
    maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
  };
  const pass = row.ticketsPerSecond >= TARGET;
  console.log(
    '\nbench:replay: demo history through every demo workflow (routing, NLU, engine, knowledge base, in-memory store), one thread',
  );
  console.log(
    '| tickets in store | workflows | replayed | seconds | replayed tickets/s | store tickets/s | CPU s | peak RSS MB |',
  );
  console.log('| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  console.log(
    `| ${row.ticketsInStore} | ${row.workflows} | ${row.replayed} | ${row.seconds} | ${row.ticketsPerSecond} | ${row.storeTicketsPerSecond} | ${row.cpuSeconds} | ${row.maxRssMb} |`,
  );
  for (const w of report.workflows) {
    console.log(
      `  ${w.workflow}: ${w.tickets} tickets, resolved ${w.outcomes.resolved} (${w.outcomes.resolved - w.assumptions.resolvedOnAssumptions} without assumptions), escalated ${w.outcomes.escalated}, stuck ${w.outcomes.stuck}, unknown ${w.outcomes.unknown}, error ${w.outcomes.error}`,
    );
  }
  console.log(`target: >= ${TARGET} replayed tickets/s on one core ${pass ? 'met' : 'NOT met'}\n`);
  console.log(JSON.stringify({ bench: 'replay', ...row, target: { ticketsPerSecond: TARGET }, pass }));
} finally {
  rmSync(dir, { recursive: true, force: true });
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
