import { describe, expect, it } from 'vitest';
import { DEFAULT_GUARDRAILS } from '../domain/index.ts';
import { WorkflowSchema } from '../workflows/index.ts';
import { mergeGuardrails } from './guardrails.ts';

const workflow = (guardrails: Record<string, unknown>) =>
  WorkflowSchema.parse({
    id: 'w',
    version: 1,
    trigger: { intents: ['a'] },
    guardrails,
    steps: [{ id: 'done', type: 'resolve' }],
  });

describe('per-workflow guardrails', () => {
  it('override only the keys they name (no defaults of their own)', () => {
    const w = workflow({ maxExchangesWithoutProgress: 5 });
    expect(w.guardrails).toEqual({ maxExchangesWithoutProgress: 5 });
    const global = { ...DEFAULT_GUARDRAILS, negativeSentimentBelow: -0.7 };
    expect(mergeGuardrails(global, w.guardrails)).toEqual({ ...global, maxExchangesWithoutProgress: 5 });
  });
});
