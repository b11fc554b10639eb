import { describe, expect, it } from 'vitest';
import { describeCondition, escalateNode, guardrailNote, RESOLVE_NODE, workflowGraph } from './graph.ts';
import { parseWorkflow } from './load.ts';

const definitionOf = (yaml: string) => {
  const loaded = parseWorkflow(`id: w\nversion: 1\ntrigger: { intents: [x] }\n${yaml}`, 'w.yaml');
  const w = loaded.workflows[0];
  if (!w) throw new Error(JSON.stringify(loaded.diagnostics));
  return w.definition;
};

describe('workflowGraph', () => {
  it('lists every edge with its kind and label, and the automatic exits as pseudo-nodes', () => {
    const definition = definitionOf(`
slots: { email: { prompt: Email? } }
connectors: { demo-shop: 1 }
steps:
  - { id: ask, type: ask, slot: email }
  - { id: look, type: call, connector: demo-shop, operation: listOrders, onError: sorry }
  - id: route
    type: branch
    cases:
      - { when: { var: vars.count, op: gt, value: 1 }, goto: kb, label: several }
      - { when: { any: [{ var: slots.email, op: missing }, { not: { var: customer.plan, op: in, value: [a, b] } }] }, goto: sorry }
    else: ok
  - { id: kb, type: answer, next: ok }
  - { id: ok, type: confirm, no: sorry }
  - { id: hop, type: goto, target: ask }
  - { id: sorry, type: escalate, reason: sorry }
`);
    const graph = workflowGraph(definition);
    expect(graph.start).toBe('ask');
    expect(graph.edges.map((e) => `${e.from} -${e.kind}-> ${e.to} [${e.label}]`)).toEqual([
      'ask -next-> look []',
      `ask -on_fail-> ${escalateNode('slot_retries_exhausted')} [retries run out]`,
      'look -next-> route []',
      'look -on_error-> sorry [call fails]',
      'route -case-> kb [several]',
      'route -case-> sorry [slots.email is missing or (not customer.plan in ["a","b"])]',
      'route -else-> ok [else]',
      'kb -next-> ok []',
      `kb -fallback-> ${escalateNode('no_answer')} [no answer]`,
      `ok -yes-> ${RESOLVE_NODE} [yes]`,
      'ok -no-> sorry [no]',
      'hop -goto-> ask []',
    ]);
    // Explicit edges carry the field that names their target; implied ones do not.
    expect(graph.edges[0]?.path).toBeUndefined();
    expect(graph.edges.find((e) => e.kind === 'else')?.path).toEqual(['steps', 2, 'else']);
    expect(graph.edges.find((e) => e.to === RESOLVE_NODE)?.automatic).toEqual({
      outcome: 'resolve',
      failure: false,
    });
  });

  it('describes conditions in words', () => {
    expect(describeCondition({ var: 'slots.amount', op: 'gte', value: 100 })).toBe('slots.amount ≥ 100');
    expect(
      describeCondition({ all: [{ var: 'a', op: 'exists' }, { any: [{ var: 'b', op: 'eq', value: 'x' }] }] }),
    ).toBe('a exists and (b = "x")');
  });
});

describe('guardrailNote', () => {
  it('states the guardrails with the workflow overrides applied', () => {
    const note = guardrailNote(
      definitionOf(`guardrails: { maxSameIntent: 4, escalateOnHumanRequest: false, allowExclusions: [legal] }
steps: [{ id: s, type: resolve }]`),
    );
    expect(note[0]).toBe('Any customer turn can escalate:');
    expect(note).toContain('the same intent 4 times');
    expect(note).toContain('an exclusion rule (except legal)');
    expect(note).not.toContain('a request for a person');
  });
});
