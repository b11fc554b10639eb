import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../app/index.ts';
import { anAnalysis } from '../../store/test-builders.ts';
import { runCommand } from '../testing.ts';
import { registerCorrections } from './corrections.ts';

const dir = mkdtempSync(join(tmpdir(), 'sb-corrections-'));
const db = join(dir, 'store.db');
const T0 = Date.parse('2026-12-07T10:00:00Z');
let id = 0;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

beforeAll(async () => {
  const store = await openStore({ db });
  await store.createConversation({ id: 'c1', customer: { attributes: {} }, channel: 'widget', at: T0 });
  const { message } = await store.receiveMessage({
    conversationId: 'c1',
    text: 'my parcel is late again',
    at: T0,
  });
  await store.recordTurn({
    conversationId: 'c1',
    expectedRevision: 0,
    messages: [],
    handled: [
      { seq: message.seq, analysis: anAnalysis('my parcel is late again', { intent: 'order_status' }) },
    ],
    at: T0,
  });
  await store.changeConversation({
    conversationId: 'c1',
    events: [
      { type: 'agent.judgement', payload: { seq: message.seq, intent: 'shipping_delay', by: 'u_ana' } },
    ],
    by: 'user:u_ana',
    at: T0,
  });
  id = (await store.listEvents({ type: 'agent.judgement', limit: 1 }))[0]?.id ?? 0;
  await store.close();
});

const run = (args: string[]) => runCommand(registerCorrections, ['corrections', ...args, '--db', db], dir);

describe('switchboard corrections', () => {
  it('lists candidates with provenance, accepts with another label, and lists them by status', async () => {
    const listed = await run(['list']);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain(`${id}  candidate shipping_delay  (the bot said order_status)`);
    expect(listed.stdout).toContain('"my parcel is late again"');
    expect(listed.stdout).toContain('c1 #0, by u_ana, 2026-12-07 10:00 UTC');
    expect((await run(['accept', String(id), '--label', 'late_delivery'])).stdout).toBe(
      `${id}: accepted as late_delivery\n`,
    );
    expect((await run(['list'])).stdout).toBe('no candidate examples\n');
    const accepted = await run(['list', '--status', 'accepted', '--json']);
    expect(JSON.parse(accepted.stdout)).toMatchObject({
      id,
      label: 'late_delivery',
      proposed: 'shipping_delay',
      status: 'accepted',
    });
  });

  it('refuses a bad id, an unknown one or a bad status with exit code 2', async () => {
    expect(await run(['accept', 'x1'])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('not a candidate id: x1'),
    });
    expect(await run(['reject', '99999'])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('no candidate example 99999'),
    });
    expect(await run(['list', '--status', 'maybe'])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('--status is one of'),
    });
  });
});
