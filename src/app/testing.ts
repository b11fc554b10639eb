/**
 * Test helpers of app/ (not a test file, and free of any test framework): the demo deployment's intent model, as
 * `npm start` trains it, smaller for speed.
 */
import { fileURLToPath } from 'node:url';
import { type JobsConfig, JobsConfigSchema, type ServerConfig, ServerConfigSchema } from '../config/index.ts';
import { DEMO_ENTITIES_FILE, DEMO_KB_DIR, demoTicketToRecord, generateDemoTickets } from '../demo/index.ts';
import { buildKnowledgeIndex, readArticles, serialiseKnowledgeIndex } from '../kb/index.ts';
import {
  DEFAULT_TRAIN_OPTIONS,
  type IntentModel,
  serialiseModel,
  trainIntentModel,
  trainingExamplesFromStore,
} from '../nlu/index.ts';
import type { Clock, Logger } from '../shared/index.ts';
import { type Deployment, openDeployment } from './deployment.ts';
import { loadEntityPatternsFile } from './nlu-config.ts';
import { openStore } from './open-store.ts';
import type { SimulateProps } from './simulate.ts';

/** An intent model trained on 1,200 demo tickets (seed 3) through a store, with the demo's entity patterns. */
export async function trainDemoIntentModel(): Promise<IntentModel> {
  const training = await openStore({ db: ':memory:' });
  try {
    await training.upsertTickets(
      Array.from(generateDemoTickets({ tickets: 1200, seed: 3 }), demoTicketToRecord),
      { origin: 'demo' },
    );
    const data = await trainingExamplesFromStore({ store: training, minExamples: 5 });
    return {
      ...trainIntentModel(data.examples, DEFAULT_TRAIN_OPTIONS),
      entities: loadEntityPatternsFile(fileURLToPath(DEMO_ENTITIES_FILE)),
    };
  } finally {
    await training.close();
  }
}

/**
 * The demo deployment on a fresh store (SQLite in memory unless `db` names one): the demo workflows, the demo shop
 * in process, `model` as the active NLU version and the demo knowledge base. For tests of the surfaces.
 */
export async function openDemoDeployment(props: {
  model: IntentModel;
  db?: string;
  server?: Partial<ServerConfig>;
  jobs?: Partial<JobsConfig>;
  connectors?: Record<string, unknown>;
  /** Helpdesk channels (their secrets in `env`). */
  channels?: Record<string, unknown>;
  clock?: Clock;
  logger?: Logger;
  /** DATABASE_URL and SWITCHBOARD_PG_SCHEMA, for a deployment on PostgreSQL. */
  env?: Record<string, string>;
}): Promise<Deployment> {
  const deployment = await openDeployment({
    config: {
      store: { url: props.db ?? ':memory:' },
      workflows: { demo: true },
      connectors: props.connectors ?? { 'demo-shop': {} },
      ...(props.channels ? { channels: props.channels } : {}),
      ...(props.server ? { server: ServerConfigSchema.parse(props.server) } : {}),
      ...(props.jobs ? { jobs: JobsConfigSchema.parse(props.jobs) } : {}),
    },
    baseDir: process.cwd(),
    ...(props.clock ? { clock: props.clock } : {}),
    ...(props.logger ? { logger: props.logger } : {}),
    ...(props.env ? { env: props.env } : {}),
  });
  const at = Date.now();
  await deployment.store.saveArtifact({
    kind: 'nlu-model',
    content: serialiseModel(props.model),
    by: 'test',
    activate: true,
    at,
  });
  const index = buildKnowledgeIndex(readArticles(fileURLToPath(DEMO_KB_DIR)), 0);
  await deployment.store.saveArtifact({
    kind: 'kb-index',
    content: serialiseKnowledgeIndex(index),
    by: 'test',
    activate: true,
    at,
  });
  await deployment.reload();
  return deployment;
}

/**
 * `simulate`'s `open` on the demo deployment with `model`: on `db`, or on PostgreSQL when `env` names
 * DATABASE_URL and SWITCHBOARD_PG_SCHEMA.
 *
 * @example
 * await simulate({ open: openDemoForSimulation({ model, db: 'sim.db' }), serve, days: 3, seed: 1, perDay: 8, now });
 */
export function openDemoForSimulation(props: {
  model: IntentModel;
  db: string;
  env?: Record<string, string>;
}): SimulateProps['open'] {
  return ({ clock, patch, env }) =>
    openDemoDeployment({
      model: props.model,
      db: props.db,
      clock,
      channels: patch.channels,
      server: patch.server,
      jobs: patch.jobs,
      env: { ...env, ...props.env },
    });
}
