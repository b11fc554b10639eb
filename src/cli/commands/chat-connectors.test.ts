import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { memoryIo } from '../io.ts';
import { main } from '../main.ts';

const dir = mkdtempSync(join(tmpdir(), 'sb-chat-http-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A deployment whose only connector is `http` with one configured operation, and a workflow calling `operation`. */
function deployment(name: string, operation: string): string {
  const root = join(dir, name);
  mkdirSync(join(root, 'workflows'), { recursive: true });
  writeFileSync(
    join(root, 'switchboard.yaml'),
    [
      'connectors:',
      '  http:',
      '    baseUrl: http://127.0.0.1:1/api',
      '    operations:',
      '      orderStatus: { method: GET, path: "/orders/{{ orderNumber }}", output: { status: order.status } }',
      'workflows: { dir: workflows }',
      '',
    ].join('\n'),
  );
  writeFileSync(
    join(root, 'workflows', 'status.yaml'),
    [
      'id: status',
      'version: 1',
      'trigger: { intents: [order_status] }',
      'connectors: { http: 1 }',
      'steps:',
      `  - { id: look, type: call, connector: http, operation: ${operation}, input: { orderNumber: SB-10001 }, output: { status: status }, onError: sorry }`,
      "  - { id: say, type: reply, text: 'Status {{ vars.status }}', next: done }",
      '  - { id: sorry, type: escalate, reason: shop_down }',
      '  - { id: done, type: resolve }',
      '',
    ].join('\n'),
  );
  writeFileSync(join(root, 'script.txt'), 'where is my order SB-10001\n');
  return root;
}

async function chat(root: string): Promise<{ code: number; stderr: string }> {
  const m = memoryIo({}, root);
  const code = await main(
    [
      'node',
      'switchboard',
      'chat',
      '--config',
      'switchboard.yaml',
      '--db',
      'chat.db',
      '--script',
      'script.txt',
    ],
    m.io,
  );
  return { code, stderr: m.stderr() };
}

describe('chat checks workflows against the deployment’s connectors', () => {
  it('accepts a workflow calling an operation configured on the http connector', async () => {
    const r = await chat(deployment('configured', 'orderStatus'));
    expect(r.stderr).not.toMatch(/workflows\.invalid|has no operation/);
    expect(r.code).toBe(0);
  });

  it('refuses one calling an operation the http connector does not configure, naming those it has', async () => {
    const r = await chat(deployment('missing', 'trackParcel'));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /status\.yaml:\d+:\d+: error workflow\.unknown_operation: http has no operation "trackParcel" \(operations: .*orderStatus/,
    );
  });
});
