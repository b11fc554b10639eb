import { describe, expect, it } from 'vitest';
import { openStore } from '../app/open-store.ts';
import { fakeClock } from '../shared/index.ts';
import { createPilots } from './pilot-service.ts';
import { pilotDecisions } from './pilot-state.ts';

const T0 = Date.parse('2026-12-07T10:00:00Z');

async function setup() {
  const store = await openStore({ db: ':memory:' });
  const clock = fakeClock(T0);
  const pilots = createPilots({
    store,
    clock,
    workflows: [
      { id: 'refund', intents: ['refund_request'] },
      { id: 'order-status', intents: ['order_status'] },
    ],
  });
  return { store, clock, pilots };
}

const conversation = { id: 'c1', customer: { id: 'k1', attributes: {} }, channel: 'api' };
const refund = { id: 'refund', intents: ['refund_request'] };

describe('pilots', () => {
  it('lists every workflow live for everyone until a pilot is set, then its settings with who and why', async () => {
    const { pilots, clock } = await setup();
    expect(await pilots.list()).toEqual([
      { workflowId: 'order-status', pilot: null, kill: null },
      { workflowId: 'refund', pilot: null, kill: null },
    ]);
    clock.advance(1000);
    await pilots.set({
      workflowId: 'refund',
      settings: { mode: 'shadow', segments: ['vip'], percent: 20 },
      by: 'user:ana',
      why: '  first week  ',
    });
    const [, item] = await pilots.list();
    expect(item).toEqual({
      workflowId: 'refund',
      pilot: {
        workflowId: 'refund',
        settings: { mode: 'shadow', segments: ['vip'], channels: [], categories: [], percent: 20 },
        at: T0 + 1000,
        by: 'user:ana',
        why: 'first week',
      },
      kill: null,
    });
    expect(
      pilotDecisions(await pilots.state()).pilotFor({ conversation, workflow: refund, category: null }),
    ).toBe('off');
  });

  it.each([
    [{ mode: 'sometimes' }, 'mode', /mode: must be one of off, shadow, live/],
    [{ mode: 'live', percent: 101 }, 'percent', /percent: must be a number from 0 to 100/],
    [{ mode: 'live', percent: -1 }, 'percent', /percent/],
    [{ mode: 'live', percent: 'ten' }, 'percent', /percent/],
    [{ mode: 'live', segments: [''] }, 'segments.0', /segments\.0/],
    [{ mode: 'live', colour: 'red' }, 'settings', /unknown setting\(s\): colour/],
    [{}, 'mode', /mode/],
  ])('refuses %j naming %s, and changes nothing', async (settings, field, message) => {
    const { pilots, store } = await setup();
    const error = await pilots.set({ workflowId: 'refund', settings, by: 'cli', why: 'try' }).catch((e) => e);
    expect(error).toMatchObject({ kind: 'user', code: 'pilot.invalid', location: { field } });
    expect(error.describe()).toMatch(message);
    expect(await store.listPilotEvents()).toEqual([]);
  });

  it('refuses an unknown workflow and a missing reason, and changes nothing', async () => {
    const { pilots, store } = await setup();
    await expect(
      pilots.set({ workflowId: 'refunds', settings: { mode: 'live' }, by: 'cli', why: 'x' }),
    ).rejects.toMatchObject({
      code: 'pilot.unknown_workflow',
      location: { field: 'workflow' },
      message: expect.stringContaining('order-status, refund'),
    });
    await expect(pilots.kill({ workflowId: 'nope', by: 'cli', why: 'x' })).rejects.toMatchObject({
      code: 'pilot.unknown_workflow',
    });
    await expect(
      pilots.set({ workflowId: 'refund', settings: { mode: 'live' }, by: 'cli', why: '   ' }),
    ).rejects.toMatchObject({ code: 'pilot.invalid', location: { field: 'why' } });
    await expect(pilots.kill({ workflowId: null, by: 'cli', why: '' })).rejects.toMatchObject({
      location: { field: 'why' },
    });
    expect(await store.listPilotEvents()).toEqual([]);
  });

  it('kills and resumes a workflow or all automation once each, and keeps the history with before and after', async () => {
    const { pilots, clock } = await setup();
    await pilots.set({ workflowId: 'refund', settings: { mode: 'shadow' }, by: 'cli', why: 'start' });
    clock.advance(10);
    await pilots.set({
      workflowId: 'refund',
      settings: { mode: 'live', percent: 50 },
      by: 'user:lea',
      why: 'good drafts',
    });
    expect(await pilots.kill({ workflowId: 'refund', by: 'cli', why: 'wrong refunds' })).toEqual({
      changed: true,
    });
    expect(await pilots.kill({ workflowId: 'refund', by: 'cli', why: 'again' })).toEqual({ changed: false });
    let decide = pilotDecisions(await pilots.state());
    expect([decide.killed('refund'), decide.killed('order-status')]).toEqual([true, false]);

    expect(await pilots.kill({ workflowId: null, by: 'cli', why: 'outage' })).toEqual({ changed: true });
    decide = pilotDecisions(await pilots.state());
    expect(decide.killed('order-status')).toBe(true);
    expect(await pilots.resume({ workflowId: null, by: 'cli', why: 'back' })).toEqual({ changed: true });
    expect(await pilots.resume({ workflowId: null, by: 'cli', why: 'back' })).toEqual({ changed: false });
    decide = pilotDecisions(await pilots.state());
    // Resuming all automation leaves the workflow's own kill.
    expect([decide.killed('refund'), decide.killed('order-status')]).toEqual([true, false]);
    expect(await pilots.resume({ workflowId: 'refund', by: 'cli', why: 'fixed' })).toEqual({ changed: true });
    expect(pilotDecisions(await pilots.state()).killed('refund')).toBe(false);

    const history = await pilots.history({ workflowId: 'refund' });
    expect(history.map((h) => [h.type, h.workflowId, h.by, h.why])).toEqual([
      ['pilot.changed', 'refund', 'cli', 'start'],
      ['pilot.changed', 'refund', 'user:lea', 'good drafts'],
      ['automation.killed', 'refund', 'cli', 'wrong refunds'],
      ['automation.killed', null, 'cli', 'outage'],
      ['automation.resumed', null, 'cli', 'back'],
      ['automation.resumed', 'refund', 'cli', 'fixed'],
    ]);
    expect(history[1]).toMatchObject({
      at: T0 + 10,
      before: { mode: 'shadow', percent: 100 },
      after: { mode: 'live', percent: 50 },
    });
    expect(history[0]?.before).toBeNull();
    expect((await pilots.history({ workflowId: 'order-status' })).map((h) => h.type)).toEqual([
      'automation.killed',
      'automation.resumed',
    ]);
  });
});
