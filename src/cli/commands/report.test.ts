import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReportSchema } from '../../analytics/index.ts';
import { aConversation, DAY0, HOUR } from '../../analytics/metrics-testing.ts';
import { openStore } from '../../app/open-store.ts';
import { runCommand } from '../testing.ts';
import { registerReport } from './report.ts';

const HOSTILE = '<script>alert(1)</script>"><img src=x onerror=alert(2)>';
const AS_OF = '2026-12-06T12:00:00Z';
let dir: string;

/** 2026-12-01: a confirmed, b assumed (segment with markup), c escalated on a channel with markup; 2026-12-03: d reopened. */
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'report-cli-'));
  const store = await openStore({ db: join(dir, 'sb.db') });
  const a = await aConversation(store, { id: 'a', at: DAY0 + HOUR, segment: 'pro' });
  await a.turn({ at: DAY0 + HOUR, bot: ['resolve'], resolve: true, workflow: 'order-status' });
  await a.feedback({ at: DAY0 + 2 * HOUR, resolved: true, rating: 5 });
  const b = await aConversation(store, { id: 'b', at: DAY0 + 2 * HOUR, segment: HOSTILE });
  await b.turn({ at: DAY0 + 2 * HOUR, bot: ['reply', 'confirm'], workflow: HOSTILE });
  const c = await aConversation(store, { id: 'c', at: DAY0 + 3 * HOUR, channel: HOSTILE });
  await c.turn({ at: DAY0 + 3 * HOUR, bot: ['escalate'], escalate: 'human_requested' });
  const d = await aConversation(store, { id: 'd', at: DAY0 + 50 * HOUR });
  await d.turn({ at: DAY0 + 50 * HOUR, bot: ['resolve'], resolve: true, workflow: 'order-status' });
  await d.turn({ at: DAY0 + 60 * HOUR, bot: ['reply'] });
  await store.appendPilotEvent({
    type: 'automation.killed',
    payload: { workflowId: 'order-status', by: 'cli', why: HOSTILE },
    at: DAY0 + 5 * HOUR,
  });
  await store.appendPilotEvent({
    type: 'automation.resumed',
    payload: { workflowId: 'order-status', by: 'cli', why: 'fixed' },
    at: DAY0 + 30 * HOUR,
  });
  await store.close();
  writeFileSync(
    join(dir, 'goals.yaml'),
    `baseline: { firstResponseMedianSeconds: 3600, csatMean: 0.7, handleTimeMedianSeconds: 720 }
targets: { firstResponseMedianSeconds: 1800, automationRate: 0.5, reviewOn: 2026-12-15, dueBy: 2027-02-01 }
qualityBars: { automatedResolutionRate: 0.8, csatNoWorseThanPeople: 0.7 }
escalationBars: { maxExchangesBeforeHandoff: 3, negativeSentiment: true, explicitRequestForPerson: true, exclusionRules: [legal] }
costs: { costPerHumanConversation: 6, currency: EUR }
`,
  );
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const run = (args: string[]) =>
  runCommand(registerReport, ['report', ...args, '--db', 'sb.db', '--as-of', AS_OF], dir);

describe('switchboard report', () => {
  it('daily: writes Markdown, HTML, JSON and the JSON Schema, against the goals', async () => {
    const r = await run(['daily', '--day', '2026-12-01', '--out', 'out', '--goals', 'goals.yaml']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(readdirSync(join(dir, 'out')).sort()).toEqual([
      'daily-2026-12-01.html',
      'daily-2026-12-01.json',
      'daily-2026-12-01.md',
      'report.schema.json',
    ]);
    const json = ReportSchema.parse(
      JSON.parse(readFileSync(join(dir, 'out', 'daily-2026-12-01.json'), 'utf8')),
    );
    expect(json.total).toMatchObject({
      conversations: 3,
      automated: 3,
      outcomes: { confirmed_resolved: 1, assumed_resolved: 1, escalated: 1 },
      escalationsByReason: [{ code: 'human_requested', count: 1 }],
      // c was handed over: 1 x EUR 6 over 3 conversations; a and b resolved x 12 min.
      cost: { peopleHandled: 1, costPerConversation: 2, hoursSaved: 0.4, costSaved: 12 },
    });
    expect(json.costs).toMatchObject({
      costPerHumanConversation: 6,
      currency: 'EUR',
      handleTimeSeconds: 720,
    });
    expect(json.goals?.checks.find((g) => g.id === 'automated_resolution_rate')).toMatchObject({
      value: 0.6667,
      target: 0.8,
      status: 'off_track',
    });
    const schema = JSON.parse(readFileSync(join(dir, 'out', 'report.schema.json'), 'utf8'));
    expect(schema.properties.total.properties.outcomes.required).toContain('assumed_resolved');
    const md = readFileSync(join(dir, 'out', 'daily-2026-12-01.md'), 'utf8');
    expect(md).toContain('# Daily report, 2026-12-01');
    expect(md).toMatch(
      /\| Automation resolves \(confirmed \+ assumed\) \| 66\.7% \| >= 80% \| - \| off track \|/,
    );
    expect(md).not.toContain('<script>');
    // The kill switch of the day (the resume came the next day).
    expect(json.killSwitch).toEqual([
      { at: '2026-12-01T05:00:00.000Z', action: 'killed', workflow: 'order-status', by: 'cli', why: HOSTILE },
    ]);
    expect(md).toContain('## Kill switch');
  });

  it('escapes every string in the HTML page, which loads nothing', async () => {
    await run(['daily', '--day', '2026-12-01', '--out', 'out']);
    const html = readFileSync(join(dir, 'out', 'daily-2026-12-01.html'), 'utf8');
    expect(html).not.toContain('<script');
    expect(html).not.toContain('<img');
    expect(html).toContain('&#60;script&#62;alert(1)&#60;/script&#62;');
    expect(html).toContain('<h2>Kill switch</h2>');
    expect(html).not.toMatch(/<(link|a|iframe|object|svg)\b|url\(|@import/i);
    expect(html).toContain('From goals.yaml'); // found without --goals: ./goals.yaml
  });

  it('weekly: the 7 days ending with --day, each with its figures, and the week', async () => {
    const r = await run(['weekly', '--day', '2026-12-07', '--json']);
    expect(r.code).toBe(0);
    const report = ReportSchema.parse(JSON.parse(r.stdout));
    expect(report.days.map((d) => d.day)).toEqual([
      '2026-12-01',
      '2026-12-02',
      '2026-12-03',
      '2026-12-04',
      '2026-12-05',
      '2026-12-06',
      '2026-12-07',
    ]);
    expect(report.days.map((d) => d.metrics.conversations)).toEqual([3, 0, 1, 0, 0, 0, 0]);
    expect(report.days[2]?.metrics.outcomes.reopened).toBe(1);
    expect(report.total).toMatchObject({ conversations: 4, outcomes: { reopened: 1 } });
    expect(report.killSwitch.map((k) => k.action)).toEqual(['killed', 'resumed']);
    await run(['weekly', '--day', '2026-12-07', '--out', 'week']);
    const html = readFileSync(join(dir, 'week', 'weekly-2026-12-07.html'), 'utf8');
    expect(html).toContain('<title>2026-12-01: confirmed 1</title>');
    expect(html).toContain('<title>2026-12-03: reopened 1</title>');
    expect(html).not.toContain('<script');
  });

  it('filters by channel, segment and workflow', async () => {
    const json = async (args: string[]) =>
      ReportSchema.parse(JSON.parse((await run(['daily', '--day', '2026-12-01', '--json', ...args])).stdout));
    expect((await json(['--segment', 'pro'])).total.conversations).toBe(1);
    expect((await json(['--channel', 'widget'])).total.conversations).toBe(2);
    expect((await json(['--workflow', 'order-status'])).total.outcomes.confirmed_resolved).toBe(1);
  });

  it('exits 2 naming the field for a bad --day, --as-of or goals file, and writes nothing', async () => {
    const bad = await run(['daily', '--day', '2026-02-30', '--out', 'none']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--day: expected a day as YYYY-MM-DD, got "2026-02-30"/);
    expect(readdirSync(dir)).not.toContain('none');
    const moment = await runCommand(
      registerReport,
      ['report', 'daily', '--as-of', 'yesterday', '--db', 'sb.db'],
      dir,
    );
    expect(moment.code).toBe(2);
    expect(moment.stderr).toMatch(/--as-of/);
    writeFileSync(join(dir, 'broken.yaml'), 'targets: {}\n');
    const goals = await run(['daily', '--goals', 'broken.yaml']);
    expect(goals.code).toBe(2);
    expect(goals.stderr).toMatch(/broken\.yaml:1: baseline/);
    expect((await run(['monthly'])).code).toBe(2);
  });
});
