/**
 * Test helpers of conversations/ (not a test file): an analyser that reads every message as one accepted intent,
 * and a tiny workflow that asks a name, greets and resolves.
 */
import type { TurnAnalysis } from '../domain/index.ts';
import { type WorkflowDefinition, WorkflowSchema } from '../workflows/index.ts';

/** Every message read as an accepted `intent` (0.99), neutral, no entity, no exclusion. */
export const analyseAs =
  (intent: string) =>
  (text: string): TurnAnalysis => ({
    text,
    intent,
    confidence: 0.99,
    outOfScope: false,
    reason: 'accepted',
    entities: [],
    sentiment: { score: 0, label: 'neutral', frustration: 0, cues: [] },
    humanRequested: false,
    exclusions: [],
  });

/** Asks a name, greets, resolves: triggered by the intent `greeting`. */
export const GREETING_WORKFLOW: WorkflowDefinition = WorkflowSchema.parse({
  id: 'greeting',
  version: 1,
  trigger: { intents: ['greeting'] },
  slots: { name: { type: 'text', prompt: 'Hello! What is your name?' } },
  steps: [
    { id: 'ask_name', type: 'ask', slot: 'name' },
    { id: 'hi', type: 'reply', text: 'Nice to meet you, {{ slots.name }}.' },
    { id: 'done', type: 'resolve' },
  ],
});
