/**
 * Test helpers of app/ (not a test file, and free of any test framework): the demo deployment's intent model, as
 * `npm start` trains it, smaller for speed.
 */
import { fileURLToPath } from 'node:url';
import { DEMO_ENTITIES_FILE, demoTicketToRecord, generateDemoTickets } from '../demo/index.ts';
import {
  DEFAULT_TRAIN_OPTIONS,
  type IntentModel,
  trainIntentModel,
  trainingExamplesFromStore,
} from '../nlu/index.ts';
import { loadEntityPatternsFile } from './nlu-config.ts';
import { openStore } from './open-store.ts';

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
