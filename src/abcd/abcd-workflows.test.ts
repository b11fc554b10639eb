import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type AbcdCall, abcdCatalogueEntry, abcdConnector } from '../connectors/abcd/index.ts';
import { createConnectorRegistry } from '../connectors/index.ts';
import { fakeClock, silentLogger, UserError } from '../shared/index.ts';
import { sharedData } from '../testing/index.ts';
import {
  checkWorkflows,
  customerTurn,
  type Effect,
  type EngineEvent,
  loadWorkflowDir,
  parseWorkflow,
  step,
  type WorkflowDefinition,
  type WorkflowState,
  WorkflowStateSchema,
} from '../workflows/index.ts';
import { readAbcdData } from './abcd-data.ts';
import { abcdWorkflows, askedSlots, writeAbcdWorkflows } from './abcd-workflows.ts';

// The dataset is not part of the repository (its licence asks for the notice, and we generate from it instead).
// Without it the subflow tests below skip, and their title says why (see docs/abcd.md).
const subflows = sharedData('abcd/subflow_actions.jsonl');
const DATA_DIR = dirname(subflows.path);
const absent = subflows.absent;

const data = absent ? undefined : readAbcdData(DATA_DIR);
const workflows = absent ? [] : abcdWorkflows(DATA_DIR);
const actions = data?.actions ?? [];
const catalogue = { connectors: absent ? [] : [abcdCatalogueEntry(actions)] };

/** A plausible answer to each question, so every pattern and bound holds. */
const SAMPLE_ANSWERS: Record<string, string> = {
  customer_name: 'Joyce Wu',
  account_id: 'QN0XH3LB2P',
  order_id: '8418702963',
  zip_code: '94110',
  username: 'joycewu512',
  email: 'joycewu512@email.com',
  amount: '50',
  reason_slotval: 'The price dropped a day after I bought it.',
  details_slotval: '4478 Lincoln Ave, Monterey, CA 94110',
};

function answerTo(effect: Extract<Effect, { type: 'ask' }>): string {
  return effect.choices?.[0] ?? SAMPLE_ANSWERS[effect.slot] ?? `my ${effect.slot.replaceAll('_', ' ')}`;
}

interface Replay {
  state: WorkflowState;
  calls: AbcdCall[];
  said: string[];
}

/**
 * Plays a whole conversation through the engine: every ask gets a synthesised answer, every confirm a yes,
 * every call goes through the real registry to the `abcd` connector. The state goes through a JSON round
 * trip after every event, as it would through the store.
 */
async function replay(definition: WorkflowDefinition, refuse: string[] = []): Promise<Replay> {
  const calls: AbcdCall[] = [];
  const clock = fakeClock(Date.UTC(2026, 0, 1));
  const registry = createConnectorRegistry({
    connectors: [
      { definition: abcdConnector({ actions, record: (c) => calls.push(c) }), config: { refuse } },
    ],
    clock,
    logger: silentLogger,
  });
  const said: string[] = [];
  let at = clock.now();
  let state: WorkflowState | null = null;
  let queue: EngineEvent[] = [
    {
      type: 'start',
      at,
      turn: customerTurn('I need help with my account', [], definition.trigger.intents[0] ?? null),
      customer: { attributes: {} },
      channel: 'chat',
      conversationId: 'abcd-1',
    },
  ];
  for (let guard = 0; queue.length > 0 && guard < 200; guard++) {
    const event = queue.shift() as EngineEvent;
    const result = step(definition, state, event);
    state = WorkflowStateSchema.parse(JSON.parse(JSON.stringify(result.state)));
    queue = [];
    at += 1000;
    for (const effect of result.effects) {
      if (effect.type === 'reply') said.push(effect.text);
      if (effect.type === 'escalate' && effect.text !== undefined) said.push(effect.text);
      if (effect.type === 'ask') {
        said.push(effect.text);
        queue.push({ type: 'message', at, turn: customerTurn(answerTo(effect)) });
      }
      if (effect.type === 'confirm') queue.push({ type: 'message', at, turn: customerTurn('yes') });
      if (effect.type === 'call') {
        const { result: outcome } = await registry.call(effect);
        queue.push(
          outcome.ok
            ? { type: 'callResult', at, callId: effect.callId, ok: true, output: outcome.value }
            : { type: 'callResult', at, callId: effect.callId, ok: false, error: outcome.error.message },
        );
      }
    }
  }
  if (state === null) throw new Error('the workflow never started');
  return { state, calls, said };
}

describe.skipIf(absent !== undefined)(`ABCD subflows as workflows${absent ? ` (${absent})` : ''}`, () => {
  const outDir = mkdtempSync(join(tmpdir(), 'abcd-workflows-'));
  afterAll(() => rmSync(outDir, { recursive: true, force: true }));

  it('generates one workflow per subflow of the file, triggered by the subflow name', () => {
    const lines = readFileSync(join(DATA_DIR, 'subflow_actions.jsonl'), 'utf8').trim().split('\n');
    expect(workflows).toHaveLength(lines.length);
    expect(workflows).toHaveLength(55);
    expect(workflows.map((w) => w.definition.trigger.intents)).toEqual(
      lines.map((line) => [(JSON.parse(line) as { subflow: string }).subflow]),
    );
  });

  it('passes workflows check once written to a directory and loaded back', () => {
    const paths = writeAbcdWorkflows(DATA_DIR, outDir);
    expect(paths).toHaveLength(55);
    const { workflows: loaded, diagnostics } = loadWorkflowDir(outDir);
    expect(diagnostics).toEqual([]);
    expect(loaded).toHaveLength(55);
    const problems = checkWorkflows({
      workflows: loaded,
      catalogue,
      knownIntents: workflows.map((w) => w.subflow.subflow),
    });
    expect(problems).toEqual([]);
  });

  it('asks the customer for every slot value a kb_query action needs, and passes them to the call', () => {
    const recoverUsername = workflows.find((w) => w.subflow.subflow === 'recover_username');
    const asks = recoverUsername?.definition.steps.filter((s) => s.type === 'ask').map((s) => s.slot);
    expect(asks).toEqual(['customer_name', 'account_id', 'order_id', 'zip_code']);
    const verify = recoverUsername?.definition.steps.find((s) => s.id === 'do_2_verify_identity');
    expect(verify?.type === 'call' && Object.keys(verify.input)).toEqual([
      'customer_name',
      'account_id',
      'order_id',
      'zip_code',
    ]);
  });

  it('a workflows check with a catalogue lacking an action reports it', () => {
    const one = workflows.find((w) => w.subflow.subflow === 'recover_password');
    const loaded = parseWorkflow(one?.yaml ?? '', 'abcd-recover-password.yaml').workflows;
    const entry = abcdCatalogueEntry(actions.filter((a) => a.name !== 'make-password'));
    const codes = checkWorkflows({ workflows: loaded, catalogue: { connectors: [entry] } }).map(
      (d) => d.code,
    );
    expect(codes).toEqual(['workflow.unknown_operation']);
  });

  it.each(workflows.map((w) => [w.subflow.subflow, w] as const))(
    '%s: calls the actions in ABCD order and resolves',
    async (_name, workflow) => {
      const { state, calls } = await replay(workflow.definition);
      expect(calls.map((c) => c.operation)).toEqual(workflow.subflow.actions);
      expect(state.status).toBe('resolved');
    },
  );

  it('sends the answers to the call that needs them', async () => {
    const workflow = workflows.find((w) => w.subflow.subflow === 'recover_username');
    const { calls } = await replay(workflow?.definition as WorkflowDefinition);
    expect(calls).toEqual([
      { operation: 'pull-up-account', input: { customer_name: 'Joyce Wu' } },
      {
        operation: 'verify-identity',
        input: {
          customer_name: 'Joyce Wu',
          account_id: 'QN0XH3LB2P',
          order_id: '8418702963',
          zip_code: '94110',
        },
      },
    ]);
  });

  it('escalates when an action is refused, and calls nothing after it', async () => {
    const workflow = workflows.find((w) => w.subflow.subflow === 'refund_initiate');
    const { state, calls, said } = await replay(workflow?.definition as WorkflowDefinition, [
      'validate-purchase',
    ]);
    expect(calls.map((c) => c.operation)).toEqual(['pull-up-account', 'validate-purchase']);
    expect(state.status).toBe('escalated');
    expect(state.outcome).toMatchObject({
      code: 'workflow_escalated',
      workflowReason: 'validate_purchase_failed',
    });
    expect(said.at(-1)).toBe(
      'I could not complete the step "validate purchase". A colleague will take it from here.',
    );
  });

  it('says the answer of FAQ actions', async () => {
    const workflow = workflows.find((w) => w.subflow.subflow === 'boots');
    const { state, said } = await replay(workflow?.definition as WorkflowDefinition);
    expect(said).toEqual([
      'Done: search faq.',
      'Done: search boots.',
      'Done: select faq.',
      'Glad I could help. Have a nice day!',
    ]);
    expect(state.status).toBe('resolved');
  });

  it('refuses an ontology action without the slot value it is asked for', () => {
    expect(() => askedSlots({ name: 'pull-up-account', kind: 'interaction', slots: ['account_id'] })).toThrow(
      UserError,
    );
  });
});

describe('ABCD data', () => {
  it('a missing data directory is a UserError naming the file', () => {
    expect(() => readAbcdData(join(tmpdir(), 'no-abcd-here'))).toThrow(/ontology\.json/);
  });
});
