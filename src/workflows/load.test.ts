import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { UserError } from '../shared/index.ts';
import { loadWorkflowDir, loadWorkflowFile, parseWorkflow } from './load.ts';

const FIXTURES = fileURLToPath(new URL('./fixtures/check/', import.meta.url));

const messages = (text: string) =>
  parseWorkflow(text, 'w.yaml').diagnostics.map((d) => `${d.line}:${d.column} ${d.code}: ${d.message}`);

describe('loadWorkflowFile', () => {
  it('loads a valid file with defaults applied and a way back to positions', () => {
    const { workflows, diagnostics } = loadWorkflowFile(join(FIXTURES, 'good/order-status.yaml'));
    expect(diagnostics).toEqual([]);
    const [w] = workflows;
    expect(w?.definition.id).toBe('order-status');
    expect(w?.definition.slots.chosen_order?.retries).toBe(2);
    // The value of `operation` of the second step, and its key.
    expect(w?.positionOf(['steps', 1, 'operation'])).toEqual({ line: 45, column: 16 });
    expect(w?.positionOf(['steps', 1, 'operation'], 'key')).toEqual({ line: 45, column: 5 });
    // A field that is not written points at the nearest thing that is: the step.
    expect(w?.positionOf(['steps', 1, 'timeoutMs'])).toEqual({ line: 42, column: 5 });
    expect(w?.positionOf(['nothing', 'here'])).toEqual({ line: 3, column: 1 });
  });

  it('reports every schema problem of a file at the offending node, in file order', () => {
    const { workflows, diagnostics } = loadWorkflowFile(join(FIXTURES, 'schema-errors.yaml'));
    expect(workflows).toEqual([]);
    expect(diagnostics.map((d) => `${d.line}:${d.column} ${d.code}: ${d.message}`)).toEqual([
      '4:1 workflow.unknown_field: unknown field "colour" (allowed: id, version, name, description, trigger, connectors, slots, guardrails, start, steps)',
      '6:5 workflow.missing_field: steps[0]: missing required field "slot"',
      '11:35 workflow.invalid: steps[1].cases[0].when.op: "bigger" is not one of eq, ne, gt, gte, lt, lte, in, contains, matches, exists, missing',
      '16:5 workflow.unknown_field: steps[2]: unknown field "priority" (allowed: id, title, type, text, summary)',
    ]);
  });

  it('names an unknown step type plainly instead of the union noise', () => {
    expect(
      messages('id: w\nversion: 1\ntrigger: { intents: [a] }\nsteps:\n  - id: s\n    type: sya\n'),
    ).toEqual([
      '6:11 workflow.unknown_step_type: unknown step type "sya" (expected one of ask, call, branch, reply, answer, confirm, resolve, escalate, goto)',
    ]);
    expect(messages('id: w\nversion: 1\ntrigger: { intents: [a] }\nsteps:\n  - id: s\n')).toEqual([
      '5:5 workflow.unknown_step_type: steps[0]: a step needs a type (one of ask, call, branch, reply, answer, confirm, resolve, escalate, goto)',
    ]);
  });

  it('explains a value of the wrong kind, and a missing top-level field', () => {
    const text =
      'id: w\ntrigger: { intents: [a] }\nconnectors: { demo-shop: 1 }\nsteps:\n' +
      '  - id: c\n    type: call\n    connector: demo-shop\n    operation: getOrder\n    input: { orderNumber: [1] }\n';
    expect(messages(text)).toEqual([
      '1:1 workflow.missing_field: missing required field "version"',
      '9:27 workflow.invalid: steps[0].input.orderNumber: expected string, number, boolean or null',
    ]);
  });

  it('reports a YAML syntax error with its line, once', () => {
    const { diagnostics } = loadWorkflowFile(join(FIXTURES, 'yaml-syntax.yml'));
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0]).toMatchObject({ code: 'workflow.yaml_syntax', line: 4, severity: 'error' });
  });

  it('reports an empty file and an unreadable one', () => {
    expect(messages('# nothing yet\n')).toEqual(['1:1 workflow.empty: the file holds no workflow']);
    const missing = loadWorkflowFile(join(FIXTURES, 'no-such-file.yaml'));
    expect(missing.diagnostics[0]?.code).toBe('workflow.unreadable');
  });

  it('rejects duplicate keys', () => {
    expect(messages('id: w\nid: v\n')[0]).toMatch(/^2:1 workflow.yaml_syntax: .*unique/);
  });
});

describe('loadWorkflowDir', () => {
  it('loads the good files and collects the problems of the bad ones; other files are ignored', () => {
    const dir = mkdtempSync(join(tmpdir(), 'workflows-'));
    writeFileSync(
      join(dir, 'a.yaml'),
      'id: a\nversion: 1\ntrigger: { intents: [a] }\nsteps: [{ id: s, type: resolve }]\n',
    );
    writeFileSync(
      join(dir, 'b.YML'),
      'id: b\nversion: 1\ntrigger: { intents: [b] }\nsteps: [{ id: s, type: resolve }]\n',
    );
    writeFileSync(join(dir, 'c.yml'), 'id: c\nversion: 0\ntrigger: { intents: [c] }\nsteps: []\n');
    writeFileSync(join(dir, 'd.yaml'), 'id: [\n');
    writeFileSync(join(dir, 'notes.txt'), 'not a workflow');
    const { workflows, diagnostics } = loadWorkflowDir(dir);
    expect(workflows.map((w) => w.definition.id)).toEqual(['a', 'b']);
    expect(diagnostics.map((d) => `${d.file.slice(dir.length + 1)}:${d.line} ${d.code}`)).toEqual([
      'c.yml:2 workflow.invalid',
      'c.yml:4 workflow.invalid',
      'd.yaml:2 workflow.yaml_syntax',
    ]);
  });

  it('throws a UserError for a directory that does not exist', () => {
    expect(() => loadWorkflowDir(join(FIXTURES, 'missing'))).toThrow(UserError);
  });
});

describe('reserved names', () => {
  it('refuses constructor, __proto__ and toString as slot or variable names, saying why', () => {
    const text = [
      'id: t',
      'version: 1',
      'trigger: { intents: [t] }',
      'slots:',
      '  constructor: { type: text, prompt: Which? }',
      'steps:',
      '  - { id: ask, type: ask, slot: constructor }',
      '  - { id: ask2, type: ask, slot: __proto__ }',
      '  - { id: c, type: call, connector: demo-shop, operation: getOrder, output: { toString: x } }',
      '',
    ].join('\n');
    const why = 'is a reserved name (a property of every JavaScript object): choose another';
    expect(messages(text)).toEqual([
      `5:16 workflow.invalid: slots.constructor: "constructor" ${why}`,
      `7:33 workflow.invalid: steps[0].slot: "constructor" ${why}`,
      `8:34 workflow.invalid: steps[1].slot: "__proto__" ${why}`,
      `9:89 workflow.invalid: steps[2].output.toString: "toString" ${why}`,
    ]);
  });
});
