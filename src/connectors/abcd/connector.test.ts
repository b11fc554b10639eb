import { describe, expect, it } from 'vitest';
import type { AbcdAction } from '../../abcd/index.ts';
import { fakeClock, silentLogger, UserError } from '../../shared/index.ts';
import { createConnectorRegistry } from '../registry.ts';
import { type AbcdCall, abcdCatalogueEntry, abcdConnector } from './connector.ts';

// A hand-written pair of actions in the ontology's shape; the full ontology is exercised in src/abcd/.
const actions: AbcdAction[] = [
  { name: 'verify-identity', kind: 'kb_query', slots: ['customer_name', 'zip_code'] },
  { name: 'notify-team', kind: 'interaction', slots: ['company_team'] },
];

function registry(config: unknown, calls: AbcdCall[] = []) {
  return createConnectorRegistry({
    connectors: [{ definition: abcdConnector({ actions, record: (c) => calls.push(c) }), config }],
    clock: fakeClock(),
    logger: silentLogger,
    sleep: async () => {},
  });
}

const call = (operation: string, input: unknown) => ({
  connector: 'abcd',
  version: 1,
  operation,
  input,
  timeoutMs: 1000,
  retries: 0,
});

describe('abcd connector', () => {
  it('records every call in order and answers done', async () => {
    const calls: AbcdCall[] = [];
    const abcd = registry({}, calls);
    const first = await abcd.call(call('notify-team', {}));
    await abcd.call(call('verify-identity', { customer_name: 'Joyce Wu', zip_code: '94110' }));
    expect(first.result).toEqual({ ok: true, value: { done: true, message: 'Done: notify team.' } });
    expect(calls).toEqual([
      { operation: 'notify-team', input: {} },
      { operation: 'verify-identity', input: { customer_name: 'Joyce Wu', zip_code: '94110' } },
    ]);
  });

  it('a kb_query action needs every slot value of its form', async () => {
    const calls: AbcdCall[] = [];
    const outcome = await registry({}, calls).call(call('verify-identity', { customer_name: 'Joyce Wu' }));
    expect(outcome.result.ok).toBe(false);
    expect(calls).toEqual([]);
  });

  it('answers done: false for the actions the config refuses', async () => {
    const outcome = await registry({ refuse: ['notify-team'] }).call(call('notify-team', {}));
    expect(outcome.result).toEqual({ ok: true, value: { done: false, message: 'Refused: notify team.' } });
  });

  it('refuses an unknown config field', () => {
    expect(() => registry({ refuse: [], extra: 1 })).toThrow(UserError);
  });

  it('describes its operations for workflows check', () => {
    expect(abcdCatalogueEntry(actions)).toEqual({
      name: 'abcd',
      version: 1,
      operations: [
        {
          name: 'verify-identity',
          inputFields: ['customer_name', 'zip_code'],
          requiredInputFields: ['customer_name', 'zip_code'],
          outputFields: ['done', 'message'],
        },
        {
          name: 'notify-team',
          inputFields: ['company_team'],
          requiredInputFields: [],
          outputFields: ['done', 'message'],
        },
      ],
    });
  });
});
