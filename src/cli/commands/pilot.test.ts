import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '../../app/index.ts';
import { runCommand } from '../testing.ts';
import { registerPilot } from './pilot.ts';

const dir = mkdtempSync(join(tmpdir(), 'sb-pilot-'));
const db = join(dir, 'pilots.db');
writeFileSync(join(dir, 'switchboard.yaml'), 'workflows:\n  demo: true\n');
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const pilot = (args: string[]) => runCommand(registerPilot, ['pilot', ...args, '--db', db], dir);

async function pilotEvents() {
  const store = await openStore({ db });
  try {
    return await store.listPilotEvents();
  } finally {
    await store.close();
  }
}

describe('switchboard pilot', () => {
  it('lists every workflow live for everyone before any pilot', async () => {
    const listed = await pilot(['list']);
    expect(listed.code).toBe(0);
    expect(listed.stdout.split('\n')[0]).toBe('all automation: running');
    expect(listed.stdout).toMatch(/^refund-request\s+live for everyone \(no pilot\)$/m);
    expect(listed.stdout).toMatch(/^order-status\s+live for everyone \(no pilot\)$/m);
  });

  it('refuses bad settings with exit code 2 naming the field, and changes nothing', async () => {
    const cases: [string[], RegExp][] = [
      [
        ['set', 'refund-request', '--mode', 'sometimes', '--why', 'x'],
        /mode: must be one of off, shadow, live/,
      ],
      [
        ['set', 'refund-request', '--mode', 'live', '--percent', '150', '--why', 'x'],
        /percent: must be a number from 0 to 100/,
      ],
      [['set', 'refund-request', '--mode', 'live', '--percent', 'half', '--why', 'x'], /percent/],
      [['set', 'refunds', '--mode', 'live', '--why', 'x'], /workflow: no workflow "refunds"/],
      [['set', 'refund-request', '--mode', 'live', '--why', ' '], /why: say why/],
      [['set', 'refund-request', '--mode', 'live'], /--why/],
      [['kill', '--why', 'x'], /workflow: name a workflow or give --all/],
      [['kill', 'refund-request', '--all', '--why', 'x'], /name a workflow or give --all/],
    ];
    for (const [args, message] of cases) {
      const result = await pilot(args);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr, args.join(' ')).toMatch(message);
    }
    expect(await pilotEvents()).toEqual([]);
  });

  it('sets a pilot, shows it in the list and the history with who and why', async () => {
    const set = await pilot([
      'set',
      'refund-request',
      '--mode',
      'shadow',
      '--segments',
      'vip, pro',
      '--percent',
      '10',
      '--why',
      'first week',
      '--by',
      'lea',
    ]);
    expect(set).toMatchObject({
      code: 0,
      stdout:
        'refund-request: shadow for 10% of customers in segments vip, pro (was: live for everyone (no pilot))\n',
    });
    const listed = await pilot(['list']);
    expect(listed.stdout).toMatch(
      /^refund-request\s+shadow for 10% of customers in segments vip, pro {2}\(\d{4}-\d\d-\d\dT[\d:]+Z by lea: first week\)$/m,
    );
    const events = await pilotEvents();
    expect(events.map((e) => e.payload)).toEqual([
      {
        workflowId: 'refund-request',
        before: null,
        after: { mode: 'shadow', segments: ['vip', 'pro'], channels: [], categories: [], percent: 10 },
        by: 'lea',
        why: 'first week',
      },
    ]);
    const history = await pilot(['history', 'refund-request']);
    expect(history.stdout).toMatch(
      /Z {2}refund-request: live for everyone \(no pilot\) -> shadow for 10% of customers in segments vip, pro {2}by lea: first week\n$/,
    );
  });

  it('kills and resumes all automation once, and a workflow, with the reason in the history', async () => {
    const killed = await pilot(['kill', '--all', '--why', 'carrier outage', '--by', 'ops']);
    expect(killed).toMatchObject({ code: 0, stdout: expect.stringMatching(/^all automation: stopped\./) });
    expect((await pilot(['kill', '--all', '--why', 'again'])).stdout).toBe(
      'all automation: already stopped, nothing changed\n',
    );
    expect((await pilot(['list'])).stdout).toMatch(
      /^ALL AUTOMATION STOPPED since .+ by ops: carrier outage\n/,
    );
    expect((await pilot(['kill', 'order-status', '--why', 'wrong dates'])).code).toBe(0);
    expect((await pilot(['list'])).stdout).toMatch(
      /^order-status\s+live for everyone \(no pilot\) {2}STOPPED since .+: wrong dates$/m,
    );
    expect((await pilot(['resume', '--all', '--why', 'carrier fixed'])).stdout).toBe(
      'all automation: resumed on the next turn in every process.\n',
    );
    const history = await pilot(['history', '--json']);
    const items = history.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(items.map((i) => [i.type, i.workflowId, i.why])).toEqual([
      ['pilot.changed', 'refund-request', 'first week'],
      ['automation.killed', null, 'carrier outage'],
      ['automation.killed', 'order-status', 'wrong dates'],
      ['automation.resumed', null, 'carrier fixed'],
    ]);
  });
});
