// Set-up shared by bench:engine and bench:serve (not timed): a SQLite store holding a demo history, the NLU trained
// on it and the demo knowledge base as active versions, and the demo deployment's configuration over it.
import { fileURLToPath } from 'node:url';
import { openStore } from '../src/app/index.ts';
import { loadEntityPatternsFile } from '../src/app/nlu-config.ts';
import type { SwitchboardConfig } from '../src/config/index.ts';
import {
  DEMO_ENTITIES_FILE,
  DEMO_KB_DIR,
  demoTicketToRecord,
  generateDemoTickets,
} from '../src/demo/index.ts';
import { buildKnowledgeIndex, readArticles, serialiseKnowledgeIndex } from '../src/kb/index.ts';
import {
  DEFAULT_TRAIN_OPTIONS,
  serialiseModel,
  trainIntentModel,
  trainingExamplesFromStore,
} from '../src/nlu/index.ts';

/** Scripted 5-turn conversations: each keeps the bot busy for all five turns (a re-ask, lookups, a second request). */
export const SCRIPTS: ReadonlyArray<{ email: string; turns: string[] }> = [
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

/** Fills `db` with a demo history and activates the NLU trained on it and the demo knowledge base. */
export async function prepareDemoStore(
  db: string,
  props: { tickets?: number; seed?: number } = {},
): Promise<void> {
  const store = await openStore({ db });
  try {
    const records = Array.from(
      generateDemoTickets({ tickets: props.tickets ?? 3000, seed: props.seed ?? 7 }),
      demoTicketToRecord,
    );
    await store.upsertTickets(records, { origin: 'bench' });
    const data = await trainingExamplesFromStore({ store, minExamples: 5 });
    const model = {
      ...trainIntentModel(data.examples, DEFAULT_TRAIN_OPTIONS),
      entities: loadEntityPatternsFile(fileURLToPath(DEMO_ENTITIES_FILE)),
    };
    await store.saveArtifact({
      kind: 'nlu-model',
      content: serialiseModel(model),
      by: 'bench',
      activate: true,
      at: Date.now(),
    });
    const index = buildKnowledgeIndex(readArticles(fileURLToPath(DEMO_KB_DIR)), 0);
    await store.saveArtifact({
      kind: 'kb-index',
      content: serialiseKnowledgeIndex(index),
      by: 'bench',
      activate: true,
      at: Date.now(),
    });
  } finally {
    await store.close();
  }
}

/** The demo deployment over `db`: the demo workflows and the demo shop in process. */
export function demoConfig(db: string, server: SwitchboardConfig['server'] = undefined): SwitchboardConfig {
  return {
    store: { url: db },
    workflows: { demo: true },
    connectors: { 'demo-shop': {} },
    ...(server ? { server } : {}),
  };
}
