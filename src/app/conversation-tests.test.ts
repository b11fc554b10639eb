import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConversationTests, replyMatches } from '../conversation-tests/index.ts';
import type { IntentModel } from '../nlu/index.ts';
import { runConversationTests } from './conversation-tests.ts';
import type { Deployment } from './deployment.ts';
import { openDemoDeployment, trainDemoIntentModel } from './testing.ts';

const EXAMPLES = fileURLToPath(new URL('../../examples/conversation-tests', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'sb-ctests-'));
let model: IntentModel;
let deployment: Deployment;
beforeAll(async () => {
  model = await trainDemoIntentModel();
  deployment = await openDemoDeployment({ model });
}, 120_000);
afterAll(async () => {
  await deployment.close();
  rmSync(dir, { recursive: true, force: true });
});

function write(name: string, text: string): string {
  const folder = mkdtempSync(join(dir, 't-'));
  writeFileSync(join(folder, name), text);
  return folder;
}

describe('conversation tests', () => {
  it('the demo set passes: every demo workflow, its happy path and its deviations', async () => {
    const tests = loadConversationTests(EXAMPLES);
    expect(tests.length).toBeGreaterThanOrEqual(15);
    const results = await runConversationTests({ deployment, tests });
    expect(
      results
        .filter((r) => !r.passed)
        .map((r) => [r.name, ...r.turns.flatMap((t) => t.failures), ...r.failures]),
    ).toEqual([]);
    const workflows = new Set(results.flatMap((r) => r.turns.map((t) => t.workflow)).filter(Boolean));
    expect([...workflows].sort()).toEqual([
      'address-change',
      'billing-faq',
      'invoice-request',
      'order-cancellation',
      'order-status',
      'password-reset',
      'refund-request',
    ]);
  });

  it('says what was expected and what came, turn by turn', async () => {
    const folder = write(
      'wrong.yaml',
      [
        'name: wrong on purpose',
        'customer: { email: olivia.okafor@example.net, name: Olivia Okafor, plan: pro }',
        'turns:',
        '  - say: Hi, I would like a refund for order SB-100001 please.',
        '    expect: { intent: order_status, step: ask_amount, reply: refund approved, slots: { order_number: SB-999999 } }',
        'expect: { status: resolved, steps: [ask_scope, done] }',
      ].join('\n'),
    );
    const [result] = await runConversationTests({ deployment, tests: loadConversationTests(folder) });
    expect(result?.passed).toBe(false);
    expect(result?.turns[0]?.failures).toEqual([
      'intent: expected order_status, got refund_request',
      'step: expected ask_amount, got ask_scope',
      'slot order_number: expected SB-999999, got SB-100001',
      expect.stringMatching(
        /^reply: expected "refund approved", the bot said "Order SB-100001 came to 89.99 EUR/,
      ),
    ]);
    expect(result?.failures).toEqual([
      'status: expected resolved, got open',
      expect.stringMatching(
        /^steps: done not passed through \(after the earlier ones\); passed: .*ask_scope$/,
      ),
    ]);
  });

  it('answers connector calls from the stubs (the shop down: the workflow asks for the number instead)', async () => {
    const stubbed = write(
      'stubbed.yaml',
      [
        'name: the shop is down',
        'customer: { email: olivia.okafor@example.net, name: Olivia Okafor, plan: pro }',
        'stubs:',
        '  demo-shop.listOrders: { error: http_503, retryable: false }',
        'turns:',
        '  - say: Hi, where is my order? It has been a week.',
        '    expect: { reply: order number SB-123456 }',
      ].join('\n'),
    );
    const [down] = await runConversationTests({ deployment, tests: loadConversationTests(stubbed) });
    expect(down?.turns[0]?.failures).toEqual([]);
    expect(down?.passed).toBe(true);
  });

  it('lists every problem of every file with its line, and matches replies loosely', () => {
    const folder = write(
      'bad.yaml',
      ['name: bad', 'turns:', '  - say: hi', '    expect: { intent: 3, colour: red }'].join('\n'),
    );
    writeFileSync(join(folder, 'empty.yaml'), 'name: no turns\nturns: []\n');
    expect(() => loadConversationTests(folder)).toThrow(
      /3 problems:[\s\S]*bad\.yaml:4: turns\.0\.expect\.intent: [^\n]*string[\s\S]*bad\.yaml:4: turns\.0\.expect: Unrecognized key: "colour"[\s\S]*empty\.yaml:2: turns: a test has at least one customer turn/,
    );
    expect(replyMatches('SHIPPED northpost', 'Order SB-1 has shipped with NorthPost')).toBe(true);
    expect(replyMatches('shipped tomorrow', 'Order SB-1 has shipped')).toBe(false);
    expect(replyMatches('/^order sb-\\d+/i', 'Order SB-1 has shipped')).toBe(true);
  });
});
