import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { ConnectorCatalogue } from '../connectors/connector.ts';
import { checkWorkflows, formatDiagnostic, triggerOverlap } from './check.ts';
import { type Diagnostic, loadWorkflowDir, loadWorkflowFile, parseWorkflow } from './load.ts';

const FIXTURES = fileURLToPath(new URL('./fixtures/check/', import.meta.url));

/** The deployment the fixtures are checked against: a shop and a helpdesk, as the demo has. */
const catalogue: ConnectorCatalogue = {
  connectors: [
    {
      name: 'demo-shop',
      version: 1,
      operations: [
        {
          name: 'getOrder',
          inputFields: ['orderNumber'],
          requiredInputFields: ['orderNumber'],
          outputFields: ['found', 'order'],
        },
        {
          name: 'listOrders',
          inputFields: ['email'],
          requiredInputFields: ['email'],
          outputFields: ['orders', 'count'],
        },
      ],
    },
    {
      name: 'helpdesk',
      version: 1,
      operations: [
        {
          name: 'addNote',
          inputFields: ['ticketId', 'body'],
          requiredInputFields: ['ticketId', 'body'],
          outputFields: [],
        },
      ],
    },
  ],
};

/** Loads the fixtures and checks them: load diagnostics first, then the checks', as the CLI does. */
function check(names: string[], knownIntents?: string[]): Diagnostic[] {
  const loaded = names.map((name) =>
    name.endsWith('/') ? loadWorkflowDir(join(FIXTURES, name)) : loadWorkflowFile(join(FIXTURES, name)),
  );
  const workflows = loaded.flatMap((l) => l.workflows);
  return [
    ...loaded.flatMap((l) => l.diagnostics),
    ...checkWorkflows({ workflows, catalogue, ...(knownIntents ? { knownIntents } : {}) }),
  ];
}

/** `line:column code` for each diagnostic: the whole finding but the wording. */
const where = (ds: Diagnostic[]) => ds.map((d) => `${d.line}:${d.column} ${d.code}`);

describe('checkWorkflows', () => {
  it('finds nothing wrong in good workflows (.yaml and .yml alike)', () => {
    const found = check(['good/']);
    expect(found).toEqual([]);
    expect(loadWorkflowDir(join(FIXTURES, 'good')).workflows.map((w) => w.definition.id)).toEqual([
      'order-status',
      'password-reset',
    ]);
  });

  it('reports an unknown step type at the type, listing the types', () => {
    const [d, ...rest] = check(['unknown-step-type.yaml']);
    expect(rest).toEqual([]);
    expect(d).toMatchObject({ line: 6, column: 11, code: 'workflow.unknown_step_type', severity: 'error' });
    expect(d?.message).toBe(
      'unknown step type "say" (expected one of ask, call, branch, reply, answer, confirm, resolve, escalate, goto)',
    );
  });

  it('reports undefined slots in ask steps and in templates', () => {
    const found = check(['undefined-slot.yaml']);
    expect(where(found)).toEqual(['10:11 workflow.undefined_slot', '16:11 workflow.undefined_slot']);
    expect(found[0]?.message).toBe('undefined slot "order_number" (declared: email)');
    expect(found[1]?.message).toContain('"order"');
  });

  it('reports variables out of scope in templates and conditions', () => {
    const found = check(['undefined-variable.yaml']);
    expect(where(found)).toEqual([
      '9:13 workflow.undefined_variable',
      '17:69 workflow.undefined_variable',
      '22:11 workflow.undefined_variable',
      '22:11 workflow.undefined_variable',
    ]);
    const messages = found.map((d) => d.message).join('\n');
    expect(messages).toContain('"conversation.language" is not defined');
    expect(messages).toContain('"vars.stock" is not set by the output of any call step (set: none)');
    expect(messages).toContain("item is only defined in a slot's choiceLabel");
    expect(messages).toContain('unknown variable "order.status"');
  });

  it('reports template syntax errors', () => {
    const found = check(['template-syntax.yaml']);
    expect(where(found)).toEqual([
      '7:11 workflow.template_syntax',
      '10:11 workflow.template_syntax',
      '13:11 workflow.template_syntax',
    ]);
    expect(found[0]?.message).toMatch(/^steps\[0\]\.text: template error: .*not closed/);
    // An unknown filter fails as the engine would fail at run time.
    expect(found[1]?.message).toMatch(/shout/);
  });

  it('reports every reference to a step that does not exist', () => {
    const found = check(['unknown-step.yaml']);
    expect(found.every((d) => d.code === 'workflow.unknown_step')).toBe(true);
    expect(found.map((d) => d.message.split(':')[0])).toEqual([
      'start',
      'next',
      'onFail',
      'onError',
      'fallback',
      'cases[0].goto',
      'else',
      'target',
      'yes',
      'no',
    ]);
    expect(found[1]).toMatchObject({ line: 13, column: 11 });
    expect(found[1]?.message).toContain('"nowhere" is not a step of this workflow');
  });

  it('reports duplicate step ids at the second one', () => {
    expect(where(check(['duplicate-step-id.yaml']))).toEqual(['8:9 workflow.duplicate_step_id']);
  });

  it('reports steps that cannot be reached from the start', () => {
    const found = check(['unreachable-step.yaml']);
    expect(where(found)).toEqual(['9:5 workflow.unreachable_step']);
    expect(found[0]?.message).toBe('step "forgotten" is never reached from the start ("hello")');
  });

  it('reports a branch without an else', () => {
    expect(where(check(['branch-without-else.yaml']))).toEqual(['5:5 workflow.branch_without_else']);
  });

  it('reports a loop from which no resolve or escalate step can be reached', () => {
    const found = check(['loop-without-exit.yaml']);
    expect(where(found)).toEqual(['13:5 workflow.loop_without_exit']);
    expect(found[0]?.message).toContain('"listen", "echo", "again"');
  });

  it('reports a loop that never waits for anything', () => {
    const found = check(['loop-never-waits.yaml']);
    expect(where(found)).toEqual(['6:5 workflow.loop_never_waits']);
    expect(found[0]?.message).toContain('"hello", "route"');
  });

  it('reports a step that would run off the end of the list', () => {
    const found = check(['dead-end.yaml']);
    expect(where(found)).toEqual(['16:5 workflow.dead_end']);
    expect(found[0]?.message).toContain('reply step "bye" is the last step and has no next');
  });

  it('reports an unknown connector in the connectors map and in a call', () => {
    const found = check(['unknown-connector.yaml']);
    expect(where(found)).toEqual(['4:15 workflow.unknown_connector', '8:16 workflow.unknown_connector']);
    expect(found[0]?.message).toBe(
      'unknown connector "crm": this deployment does not configure it (configured: demo-shop, helpdesk; add it under connectors: in switchboard.yaml)',
    );
  });

  it('reports a connector the workflow does not declare', () => {
    const found = check(['connector-not-declared.yaml']);
    expect(where(found)).toEqual(['7:16 workflow.connector_not_declared']);
    expect(found[0]?.message).toContain('add connectors: { demo-shop: 1 }');
  });

  it('reports a connector declared at another version than the deployment has', () => {
    const found = check(['connector-version.yaml']);
    expect(where(found)).toEqual(['5:14 workflow.connector_version']);
    expect(found[0]?.message).toBe('written for demo-shop v2, but this deployment has demo-shop v1');
  });

  it('reports an unknown operation', () => {
    const found = check(['unknown-operation.yaml']);
    expect(where(found)).toEqual(['9:16 workflow.unknown_operation']);
    expect(found[0]?.message).toBe(
      'demo-shop has no operation "teleportOrder" (operations: getOrder, listOrders)',
    );
  });

  it('reports input fields the operation does not take, missing required ones and unknown outputs', () => {
    const found = check(['input-fields.yaml']);
    expect(where(found)).toEqual([
      '11:7 workflow.unknown_input_field',
      '11:7 workflow.missing_input_field',
      '12:7 workflow.unknown_input_field',
      '13:57 workflow.unknown_output_field',
    ]);
    expect(found.map((d) => d.message)).toEqual([
      'demo-shop.getOrder takes no input "order" (inputs: orderNumber)',
      'demo-shop.getOrder needs input "orderNumber"',
      'demo-shop.getOrder takes no input "verbose" (inputs: orderNumber)',
      'demo-shop.getOrder has no output "delivery" (outputs: found, order)',
    ]);
  });

  it('reports an entity slot without an entity type', () => {
    expect(where(check(['slot-without-entity.yaml']))).toEqual(['6:11 workflow.slot_without_entity']);
  });

  it('reports a choice slot without choices', () => {
    expect(where(check(['slot-without-choices.yaml']))).toEqual(['6:11 workflow.slot_without_choices']);
  });

  it('reports a slot pattern that is not a valid regular expression', () => {
    const found = check(['invalid-pattern.yaml']);
    expect(where(found)).toEqual(['7:14 workflow.invalid_pattern']);
    expect(found[0]?.message).toMatch(/^slot "code": invalid pattern: /);
  });

  it('reports slot rules on a slot that is not text, bad rule patterns and bad reason templates', () => {
    const found = check(['slot-rules.yaml']);
    expect(where(found)).toEqual([
      '9:21 workflow.invalid_pattern',
      '15:7 workflow.rules_not_text',
      '16:17 workflow.undefined_slot',
    ]);
  });

  it('reports overlapping triggers on both workflows, and keeps disjoint segments or channels apart', () => {
    const found = check(['overlap/']);
    expect(found.every((d) => d.code === 'workflow.trigger_overlap')).toBe(true);
    const pairs = found.map(
      (d) => `${d.file.split('/').pop()} ~ ${/workflow "([^"]+)"/.exec(d.message)?.[1]}`,
    );
    expect(pairs.sort()).toEqual([
      'refunds-free-email.yaml ~ refunds-small',
      'refunds-small.yaml ~ refunds',
      'refunds-small.yaml ~ refunds-free-email',
      'refunds.yaml ~ refunds-small',
    ]);
    // Points at the shared intent in each file.
    const inRefunds = found.find((d) => d.file.endsWith('/refunds.yaml'));
    expect(inRefunds).toMatchObject({ line: 4, column: 13 });
  });

  it('treats entity conditions as never separating two triggers (all listed entities are required)', () => {
    const base = (id: string, entities: string) =>
      parseWorkflow(
        `id: ${id}\nversion: 1\ntrigger: { intents: [x], entities: [${entities}] }\nsteps: [{ id: s, type: resolve }]\n`,
        `${id}.yaml`,
      ).workflows[0]?.definition;
    const a = base('a', 'order_number');
    const b = base('b', 'email');
    expect(a && b && triggerOverlap(a, b)).toBe('x');
  });

  it('reports two workflows with the same id in both files', () => {
    const found = check(['duplicate-workflow-id/']);
    expect(where(found)).toEqual([
      '1:5 workflow.duplicate_workflow_id',
      '1:5 workflow.duplicate_workflow_id',
    ]);
    expect(found.map((d) => d.file.split('/').pop())).toEqual(['one.yaml', 'two.yaml']);
  });

  it('warns about intents the NLU model does not know, only when told which it knows', () => {
    expect(check(['good/'])).toEqual([]);
    const found = check(['good/'], ['order_status', 'refund_request']);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({
      code: 'workflow.unknown_intent',
      severity: 'warning',
      line: 4,
      column: 13,
    });
    expect(found[0]?.file.endsWith('password-reset.yml')).toBe(true);
  });

  it('formats a diagnostic as file:line:column: severity code: message', () => {
    const [d] = check(['branch-without-else.yaml']);
    expect(d && formatDiagnostic(d, 'branch-without-else.yaml')).toBe(
      'branch-without-else.yaml:5:5: error workflow.branch_without_else: branch "route" has no else: say where the conversation goes when no case matches',
    );
  });
});

describe('size limits: no stack overflow, a clear message', () => {
  /** `count` reply steps in a chain, then a resolve: the longest path a graph walk can meet. */
  const chain = (count: number): string =>
    [
      'id: long',
      'version: 1',
      'trigger: { intents: [order_status] }',
      'steps:',
      ...Array.from({ length: count }, (_, i) => `  - { id: s${i}, type: reply, text: hi }`),
      '  - { id: done, type: resolve }',
      '',
    ].join('\n');

  it('refuses a workflow of more than 1,000 steps at the steps key', () => {
    const { workflows, diagnostics } = parseWorkflow(chain(5000), 'long.yaml');
    expect(workflows).toEqual([]);
    expect(diagnostics.map((d) => `${d.line}:${d.column} ${d.code}: ${d.message}`)).toEqual([
      '5:3 workflow.invalid: steps: a workflow has at most 1000 steps: split it into several workflows',
    ]);
  });

  it('checks a workflow of 1,000 steps, and walks a 20,000-step graph without recursion', () => {
    const loaded = parseWorkflow(chain(999), 'long.yaml');
    expect(loaded.diagnostics).toEqual([]);
    expect(checkWorkflows({ workflows: loaded.workflows, catalogue })).toEqual([]);
    // Past the schema's limit, built in code: the checks themselves must not recurse once per step.
    const [workflow] = loaded.workflows;
    if (!workflow) throw new Error('no workflow');
    const steps = Array.from({ length: 20_000 }, (_, i) => ({
      id: `s${i}`,
      type: 'reply' as const,
      text: 'hi',
    }));
    const huge = {
      ...workflow,
      definition: { ...workflow.definition, steps: [...steps, { id: 'done', type: 'resolve' as const }] },
    };
    expect(checkWorkflows({ workflows: [huge], catalogue })).toEqual([]);
  });
});

describe('template loops', () => {
  it('warns about a template whose literal loops run more than 1,000 times', () => {
    const text = [
      'id: loops',
      'version: 1',
      'trigger: { intents: [order_status] }',
      'steps:',
      "  - { id: say, type: reply, text: '{% for i in (1..100) %}{% for j in (1..100) %}x{% endfor %}{% endfor %}' }",
      "  - { id: fine, type: reply, text: '{% for i in (1..10) %}x{% endfor %}' }",
      '  - { id: done, type: resolve }',
      '',
    ].join('\n');
    const loaded = parseWorkflow(text, 'loops.yaml');
    expect(
      checkWorkflows({ workflows: loaded.workflows, catalogue }).map((d) => formatDiagnostic(d)),
    ).toEqual([
      'loops.yaml:5:35: warning workflow.template_large_loop: steps[0].text: its loops run 10000 times (more than 1000); at run time a template that takes longer than 250 ms fails the turn',
    ]);
  });
});
