import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { openStore } from '../../app/index.ts';
import { DEMO_WORKFLOWS_DIR } from '../../app/workflows-dir.ts';
import { DEFAULT_TRAIN_OPTIONS, serialiseModel, trainIntentModel, writeModelFile } from '../../nlu/index.ts';
import { runCommand } from '../testing.ts';
import { registerWorkflows } from './workflows.ts';

const FIXTURES = fileURLToPath(new URL('../../workflows/fixtures/check/', import.meta.url));
const CONNECTORS = {
  'demo-shop': {},
  helpdesk: {
    baseUrl: 'https://example.zendesk.com',
    email: 'bot@example.com',
    apiToken: 'not-a-real-token',
  },
};

/** Runs `switchboard workflows ...` in-process with its own program (main.ts wires the command in separately). */
async function run(args: string[], cwd: string) {
  return runCommand((program, io) => registerWorkflows(program, io), args, cwd);
}

/**
 * A project folder whose `workflows/` holds copies of the named fixtures, and whose switchboard.yaml configures
 * the connectors they call (the demo shop, a Zendesk-shaped helpdesk).
 */
function project(fixtures: string[], connectors: Record<string, unknown> = CONNECTORS): string {
  const dir = mkdtempSync(join(tmpdir(), 'workflows-cli-'));
  writeFileSync(join(dir, 'switchboard.yaml'), `connectors: ${JSON.stringify(connectors)}\n`);
  mkdirSync(join(dir, 'workflows'));
  for (const name of fixtures)
    copyFileSync(join(FIXTURES, name), join(dir, 'workflows', name.split('/').pop() as string));
  return dir;
}

describe('switchboard workflows check', () => {
  it('passes good workflows with exit 0 and a summary', async () => {
    const dir = project(['good/order-status.yaml', 'good/password-reset.yml']);
    const r = await run(['workflows', 'check'], dir);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('0 errors and 0 warnings in 2 workflow files of workflows: ok\n');
  });

  it('prints file:line:column: error code: message for each problem and exits 2', async () => {
    const dir = project([
      'good/order-status.yaml',
      'branch-without-else.yaml',
      'yaml-syntax.yml',
      'unknown-step.yaml',
    ]);
    const r = await run(['workflows', 'check', 'workflows'], dir);
    expect(r.code).toBe(2);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toBe(
      'workflows/branch-without-else.yaml:5:5: error workflow.branch_without_else: branch "route" has no else: say where the conversation goes when no case matches',
    );
    expect(
      lines.every((l) => /^workflows\/[\w-]+\.ya?ml:\d+:\d+: (error|warning) workflow\.\w+: /.test(l)),
    ).toBe(true);
    expect(lines.some((l) => l.startsWith('workflows/yaml-syntax.yml:4:'))).toBe(true);
    expect(lines.filter((l) => l.includes('workflow.unknown_step:'))).toHaveLength(10);
    expect(r.stderr).toBe('error: 12 errors and 0 warnings in 4 workflow files of workflows\n');
  });

  it('fails a workflow whose connector the deployment does not configure, saying where to add it', async () => {
    const dir = project(['good/order-status.yaml'], {});
    const r = await run(['workflows', 'check'], dir);
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(
      /^workflows\/order-status\.yaml:\d+:\d+: error workflow\.unknown_connector: unknown connector "demo-shop": this deployment does not configure it \(configured: none; add it under connectors: in switchboard\.yaml\)$/m,
    );
  });

  it("checks connectors against the deployment's", async () => {
    const dir = project(['unknown-operation.yaml']);
    const r = await run(['workflows', 'check'], dir);
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(
      /unknown-operation\.yaml:9:16: error workflow\.unknown_operation: demo-shop has no operation "teleportOrder" \(operations: .*getOrder.*\)/,
    );
  });

  it('prints warnings for intents the NLU does not know but exits 0', async () => {
    const dir = project(['good/order-status.yaml', 'good/password-reset.yml']);
    const r = await run(['workflows', 'check', '--intents', 'order_status, refund_request'], dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      'workflows/password-reset.yml:4:13: warning workflow.unknown_intent: intent "password_reset" is not one the NLU model knows, so this trigger never fires\n' +
        '0 errors and 1 warning in 2 workflow files of workflows: ok\n',
    );
  });

  it('takes the known intents from an NLU model file', async () => {
    const dir = project(['good/order-status.yaml', 'good/password-reset.yml']);
    const examples = [
      'where is my order',
      'track my parcel',
      'order status please',
      'reset my password',
      'forgot password',
      'cannot log in',
    ].map((text, i) => ({ text, label: i < 3 ? 'order_status' : 'password_reset' }));
    writeModelFile(join(dir, 'm.json'), trainIntentModel(examples, { ...DEFAULT_TRAIN_OPTIONS, folds: 2 }));
    const r = await run(['workflows', 'check', '--model', 'm.json'], dir);
    expect(r.stdout).toBe('0 errors and 0 warnings in 2 workflow files of workflows: ok\n');
    expect(r.code).toBe(0);
  });

  it("checks the triggers against the store's active model when no --model is given", async () => {
    const dir = project(['good/order-status.yaml', 'good/password-reset.yml']);
    const examples = ['where is my order', 'track my parcel', 'refund me', 'money back please'].map(
      (text, i) => ({ text, label: i < 2 ? 'order_status' : 'refund_request' }),
    );
    const store = await openStore({ db: join(dir, 'switchboard.db') });
    await store.saveArtifact({
      kind: 'nlu-model',
      content: serialiseModel(trainIntentModel(examples, { ...DEFAULT_TRAIN_OPTIONS, folds: 2 })),
      by: 'test',
      activate: true,
      at: 0,
    });
    await store.close();
    const r = await run(['workflows', 'check'], dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('warning workflow.unknown_intent: intent "password_reset"');
  });

  it('exits 2 with a clear message for a folder without workflows or without existence', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'workflows-cli-'));
    mkdirSync(join(dir, 'empty'));
    const empty = await run(['workflows', 'check', 'empty'], dir);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain('no .yaml or .yml workflow files in empty');
    const missing = await run(['workflows', 'check', 'nowhere'], dir);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('no workflow directory at');
  });
});

describe('switchboard workflows init', () => {
  it('copies the demo workflows as a starting point and says what to do next', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'workflows-init-'));
    writeFileSync(join(dir, 'switchboard.yaml'), 'connectors: { demo-shop: {} }\n');
    const r = await run(['workflows', 'init'], dir);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const demo = readdirSync(DEMO_WORKFLOWS_DIR).sort();
    expect(readdirSync(join(dir, 'workflows')).sort()).toEqual(demo);
    for (const f of demo) {
      expect(readFileSync(join(dir, 'workflows', f), 'utf8')).toBe(
        readFileSync(join(DEMO_WORKFLOWS_DIR, f), 'utf8'),
      );
    }
    expect(r.stdout).toContain(
      `wrote 7 workflows to workflows, the demo shop's, as a starting point:\n  workflows/${demo[0]}\n`,
    );
    expect(r.stdout).toContain('switchboard workflows check workflows');
    expect(r.stdout).toContain('set `workflows: { dir: workflows }` in switchboard.yaml');
    // What it wrote passes the check it points to.
    expect((await run(['workflows', 'check', 'workflows'], dir)).code).toBe(0);
  });

  it('never overwrites: one file already there and nothing is written', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'workflows-init-'));
    mkdirSync(join(dir, 'flows'));
    writeFileSync(join(dir, 'flows', 'order-status.yaml'), 'mine\n');
    const r = await run(['workflows', 'init', 'flows'], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'error: flows: order-status.yaml already there: nothing written (move them away, or name another folder)\n',
    );
    expect(readdirSync(join(dir, 'flows'))).toEqual(['order-status.yaml']);
    expect(readFileSync(join(dir, 'flows', 'order-status.yaml'), 'utf8')).toBe('mine\n');
  });
});

describe('the workflow folder', () => {
  it("is the one named, else the configuration's, else ./workflows; never the demo workflows unasked", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'workflows-dir-'));
    const none = await run(['workflows', 'check'], dir);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('no workflows here');
    writeFileSync(
      join(dir, 'switchboard.yaml'),
      'workflows: { demo: true }\nconnectors: { demo-shop: {} }\n',
    );
    const demo = await run(['workflows', 'check'], dir);
    expect(demo.code).toBe(0);
    expect(demo.stdout).toMatch(/^0 errors and 0 warnings in 7 workflow files of .*workflows\/?: ok\n$/);
  });
});

describe('switchboard workflows schema', () => {
  it('prints the JSON Schema of a workflow file', async () => {
    const r = await run(['workflows', 'schema'], tmpdir());
    expect(r.code).toBe(0);
    const schema = JSON.parse(r.stdout);
    expect(schema.type).toBe('object');
    expect(schema.required).toEqual(expect.arrayContaining(['id', 'version', 'trigger', 'steps']));
    expect(Object.keys(schema.properties)).toContain('slots');
    // Free-text validation rules, with the built-in formats an editor can complete.
    const rules = schema.properties.slots.additionalProperties.properties.rules;
    expect(rules.items.anyOf[0].properties.format.enum).toEqual(['address']);
    expect(rules.items.anyOf.map((r: { required: string[] }) => r.required)).toEqual([
      ['format'],
      ['matches', 'reason'],
      ['notMatches', 'reason'],
      ['minWords', 'reason'],
    ]);
  });

  it('writes it to --out', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'workflows-cli-'));
    const r = await run(['workflows', 'schema', '--out', 'workflow.schema.json'], dir);
    expect(r.stdout).toBe('wrote workflow.schema.json\n');
    expect(JSON.parse(readFileSync(join(dir, 'workflow.schema.json'), 'utf8')).properties.steps.type).toBe(
      'array',
    );
  });
});

describe('switchboard workflows draw', () => {
  it('prints Mermaid text of a workflow found by id', async () => {
    const dir = project(['good/order-status.yaml', 'good/password-reset.yml']);
    const r = await run(['workflows', 'draw', 'password-reset', '--format', 'mermaid'], dir);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('flowchart TD');
    for (const id of ['explain', 'show', 'check', 'hand_over']) expect(r.stdout).toContain(`"${id}<br/>`);
    expect(r.stdout).toContain('"escalate<br/>no_answer"');
  });

  it('writes an SVG with --out, from --dir', async () => {
    const dir = project(['good/order-status.yaml']);
    const r = await run(
      ['workflows', 'draw', 'order-status', '--dir', 'workflows', '--format', 'svg', '--out', 'os.svg'],
      dir,
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('wrote os.svg\n');
    const svg = readFileSync(join(dir, 'os.svg'), 'utf8');
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg).toContain('data-id="check_found"');
  });

  it('exits 2 for an unknown id (naming the files that did not load), a missing or a bad format', async () => {
    const dir = project(['good/password-reset.yml']);
    writeFileSync(join(dir, 'workflows', 'broken.yaml'), 'id: [\n');
    const unknown = await run(['workflows', 'draw', 'order-status', '--format', 'svg'], dir);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain(
      'no workflow "order-status" in workflows (found: password-reset); 1 file did not load: run `switchboard workflows check`',
    );
    expect((await run(['workflows', 'draw', 'password-reset'], dir)).code).toBe(2);
    const bad = await run(['workflows', 'draw', 'password-reset', '--format', 'png'], dir);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('Allowed choices are mermaid, svg');
  });
});
