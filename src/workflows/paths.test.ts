import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { type WorkflowDefinition, type WorkflowInput, WorkflowSchema } from './definition.ts';
import type { Effect } from './effects.ts';
import { step } from './engine.ts';
import type { EngineEvent } from './events.ts';
import { explorePaths } from './paths.ts';
import { type WorkflowState, WorkflowStateSchema } from './state.ts';

const DEMO_DIR = new URL('../demo/workflows/', import.meta.url);
const demoFiles = readdirSync(DEMO_DIR).filter((file) => /\.ya?ml$/.test(file));

const load = (file: string): WorkflowDefinition =>
  WorkflowSchema.parse(parse(readFileSync(new URL(file, DEMO_DIR), 'utf8')));

/** Runs events from a state; the effects of every event, concatenated. */
function replay(definition: WorkflowDefinition, from: WorkflowState | null, events: readonly EngineEvent[]) {
  let state = from;
  const effects: Effect[] = [];
  for (const event of events) {
    const result = step(definition, state, event);
    state = result.state;
    effects.push(...result.effects);
  }
  return { state, effects };
}

const throughJson = (state: WorkflowState | null): WorkflowState =>
  WorkflowStateSchema.parse(JSON.parse(JSON.stringify(state)));

it('finds the shipped workflows', () => {
  expect(demoFiles).toEqual(expect.arrayContaining(['order-status.yaml', 'password-reset.yaml']));
});

describe.each(demoFiles)('%s', (file) => {
  const definition = load(file);
  const explored = explorePaths(definition);
  const { paths } = explored;

  it('explores every path within the bounds', () => {
    expect(explored.truncated).toBe(false);
    expect(paths.length).toBeGreaterThan(0);
  });

  it('visits every step', () => {
    const visited = new Set(paths.flatMap((p) => p.steps));
    expect(definition.steps.map((s) => s.id).filter((id) => !visited.has(id))).toEqual([]);
  });

  it('takes every edge, automatic exits included', () => {
    const covered = new Set(paths.flatMap((p) => p.edges));
    expect(explored.edges.filter((edge) => !covered.has(edge))).toEqual([]);
  });

  it('ends every path resolved or escalated', () => {
    expect(paths.filter((p) => p.end === 'cut').map((p) => p.events.map((e) => e.type))).toEqual([]);
  });

  it('resumes from a JSON copy of the state after any prefix of any path with the same result', () => {
    for (const path of paths) {
      const whole = replay(definition, null, path.events);
      expect(whole.state?.status).toBe(path.end);
      let state: WorkflowState | null = null;
      const effects: Effect[] = [];
      for (let cut = 1; cut < path.events.length; cut++) {
        const prefix = step(definition, state, path.events[cut - 1] as EngineEvent);
        state = prefix.state;
        effects.push(...prefix.effects);
        const resumed = replay(definition, throughJson(state), path.events.slice(cut));
        expect(resumed.state).toEqual(whole.state);
        expect([...effects, ...resumed.effects]).toEqual(whole.effects);
      }
    }
  });
});

describe('explorePaths', () => {
  const workflow = (input: Omit<WorkflowInput, 'id' | 'version' | 'trigger'>) =>
    WorkflowSchema.parse({ id: 'test', version: 1, trigger: { intents: ['test'] }, ...input });

  it('synthesises call outputs for numeric, list-length and membership conditions', () => {
    const definition = workflow({
      connectors: { shop: 1 },
      steps: [
        {
          id: 'cart',
          type: 'call',
          connector: 'shop',
          operation: 'cart',
          output: { total: 'cart.total', items: 'cart.items', tier: 'tier' },
        },
        {
          id: 'route',
          type: 'branch',
          cases: [
            { when: { var: 'vars.items.length', op: 'eq', value: 0 }, goto: 'empty' },
            {
              when: {
                all: [
                  { var: 'vars.total', op: 'gt', value: 100 },
                  { var: 'vars.tier', op: 'in', value: ['gold', 'silver'] },
                ],
              },
              goto: 'vip',
            },
            { when: { var: 'vars.total', op: 'gte', value: 100 }, goto: 'big' },
          ],
          else: 'small',
        },
        { id: 'empty', type: 'resolve', summary: 'empty' },
        { id: 'vip', type: 'resolve', summary: 'vip' },
        { id: 'big', type: 'resolve', summary: 'big' },
        { id: 'small', type: 'resolve', summary: 'small' },
      ],
    });
    const explored = explorePaths(definition);
    const covered = new Set(explored.paths.flatMap((p) => p.edges));
    expect(explored.edges.filter((edge) => !covered.has(edge))).toEqual([]);
    const vip = explored.paths.find((p) => p.steps.includes('vip'));
    expect(vip?.events[1]).toMatchObject({
      type: 'callResult',
      ok: true,
      output: { cart: { total: 101, items: [{}] }, tier: 'gold' },
    });
  });

  it('tries each choice and yes/no value a branch reads, and reports an edge no answer can take', () => {
    const definition = workflow({
      slots: {
        size: { type: 'choice', choices: ['small', 'large'], prompt: 'Size?' },
        gift: { type: 'yes_no', prompt: 'Gift?' },
      },
      steps: [
        { id: 'ask_size', type: 'ask', slot: 'size' },
        { id: 'ask_gift', type: 'ask', slot: 'gift' },
        {
          id: 'route',
          type: 'branch',
          cases: [
            { when: { var: 'slots.size', op: 'eq', value: 'large' }, goto: 'large' },
            { when: { var: 'slots.gift', op: 'eq', value: 'maybe' }, goto: 'never' },
          ],
          else: 'other',
        },
        { id: 'large', type: 'resolve' },
        { id: 'never', type: 'resolve' },
        { id: 'other', type: 'resolve' },
      ],
    });
    const explored = explorePaths(definition);
    const covered = new Set(explored.paths.flatMap((p) => p.edges));
    expect(explored.edges.filter((edge) => !covered.has(edge))).toEqual(['route -case[1]-> never']);
    expect(explored.paths.every((p) => p.end !== 'cut')).toBe(true);
  });

  it('cuts a path that goes round without end at maxEvents', () => {
    const definition = workflow({
      slots: { again: { type: 'yes_no', prompt: 'Again?' } },
      steps: [{ id: 'check', type: 'confirm', yes: 'check', no: 'check' }],
    });
    const explored = explorePaths(definition, { maxEvents: 5 });
    expect(explored.paths.length).toBeGreaterThan(0);
    expect(explored.paths.every((p) => p.end === 'cut')).toBe(true);
  });
});
