import { describe, expect, it } from 'vitest';
import { serialiseModel } from '../nlu/index.ts';
import { openDemoDeployment, trainDemoIntentModel } from './testing.ts';

describe('the model version on every turn', () => {
  it('records the active NLU version on each turn, and the new one after a switch', async () => {
    const model = await trainDemoIntentModel();
    const deployment = await openDemoDeployment({ model });
    try {
      const first = deployment.versions().nlu;
      await deployment.conversations.start({ id: 'm1', customer: { attributes: {} }, channel: 'api' });
      await deployment.conversations.receive({ conversationId: 'm1', text: 'Where is my order?' });
      await deployment.createRunner().drain();
      // Another version becomes active (a retrained model, a rollback): the next turn says so.
      const next = await deployment.store.saveArtifact({
        kind: 'nlu-model',
        content: serialiseModel({
          ...model,
          training: { ...model.training, examples: model.training.examples + 1 },
        }),
        by: 'test',
        activate: true,
        at: Date.now(),
      });
      await deployment.reload();
      await deployment.conversations.receive({ conversationId: 'm1', text: 'I want to talk to a person' });
      await deployment.createRunner().drain();
      const turns = await deployment.store.listEvents({
        limit: 20,
        conversationId: 'm1',
        type: 'conversation.turn',
      });
      expect(turns.map((t) => t.payload.model)).toEqual([first, next.version]);
      expect(next.version).not.toBe(first);
    } finally {
      await deployment.close();
    }
  });
});
