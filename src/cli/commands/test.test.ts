import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { openDemoDeployment, trainDemoIntentModel } from '../../app/testing.ts';
import { runCommand } from '../testing.ts';
import { registerTest } from './test.ts';

const EXAMPLES = fileURLToPath(new URL('../../../examples/conversation-tests', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'sb-test-cmd-'));
const config = join(dir, 'switchboard.yaml');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

beforeAll(async () => {
  const db = join(dir, 'store.db');
  const deployment = await openDemoDeployment({ model: await trainDemoIntentModel(), db });
  await deployment.close();
  writeFileSync(
    config,
    stringify({ store: { url: db }, workflows: { demo: true }, connectors: { 'demo-shop': {} } }),
  );
}, 120_000);

const run = (args: string[]) =>
  runCommand(registerTest, ['test', 'conversations', ...args, '--config', config], dir);

describe('switchboard test conversations', () => {
  it('passes the demo set with exit code 0', async () => {
    const { code, stdout } = await run([EXAMPLES]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^pass {2}an address change is confirmed and done/m);
    expect(stdout).toMatch(/\n15 passed, 0 failed\n$/);
  });

  it('exits 1 when a test fails, saying what was expected; 2 for a file that is not a test', async () => {
    const failing = join(dir, 'failing');
    mkdirSync(failing);
    writeFileSync(
      join(failing, 'a.yaml'),
      'name: expects the wrong intent\nturns:\n  - say: where is my order?\n    expect: { intent: refund_request }\n',
    );
    const failed = await run([failing]);
    expect(failed.code).toBe(1);
    expect(failed.stdout).toContain('FAIL  expects the wrong intent');
    expect(failed.stdout).toContain(
      'turn 1 "where is my order?": intent: expected refund_request, got order_status',
    );
    expect(failed.stderr).toContain('1 of 1 conversation tests failed');
    const json = await run([failing, '--json']);
    expect(JSON.parse(json.stdout)).toMatchObject({ passed: 0, failed: 1, results: [{ passed: false }] });

    const broken = join(dir, 'broken');
    mkdirSync(broken);
    writeFileSync(join(broken, 'b.yaml'), 'name: x\nturns: nope\n');
    const bad = await run([broken]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/b\.yaml:2: turns: /);
    expect((await run([join(dir, 'missing')])).code).toBe(2);
  });
});
