import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '../app/open-store.ts';
import { goalsYaml, loadExclusionRules, runAudit } from '../audit/index.ts';
import { aTicket, T0 } from '../store/test-builders.ts';
import { checkGoals, type GoalsFile, readGoalsFile } from './goals.ts';
import { computeMetrics, type Metrics } from './metrics.ts';

const dir = mkdtempSync(join(tmpdir(), 'goals-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const GOALS = `# edited by a lead
generatedAt: 2026-11-01T00:00:00.000Z
baseline:
  tickets: 3000
  firstResponseMedianSeconds: 3600
  csatMean: 0.7
  handleTimeMedianSeconds: 480
targets:
  firstResponseMedianSeconds: 1800
  automationRate: 0.3
  reviewOn: 2026-12-01
  dueBy: 2027-01-30
qualityBars:
  automatedResolutionRate: 0.8
  csatNoWorseThanPeople: 0.7
escalationBars:
  maxExchangesBeforeHandoff: 3
  negativeSentiment: true
  explicitRequestForPerson: true
  exclusionRules: [legal]
costs:
  costPerHumanConversation: 4.5
  currency: EUR
`;

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

/** Metrics with the figures the goals compare set by hand. */
function metrics(overrides: Partial<Metrics>): Metrics {
  return {
    ...computeMetrics([], {
      now: 0,
      costs: { handleTimeSeconds: 0, costPerHumanConversation: 0, currency: 'EUR', source: 't' },
    }),
    ...overrides,
  };
}

describe('goals', () => {
  it('reads goals.yaml as the audit writes it', async () => {
    const store = await openStore({ db: ':memory:' });
    await store.upsertTickets([aTicket()], { origin: 'test' });
    const audit = await runAudit({ store, exclusions: loadExclusionRules() });
    await store.close();
    const goals = readGoalsFile(file('audit-goals.yaml', goalsYaml(audit, new Date(T0))));
    expect(goals.qualityBars.automatedResolutionRate).toBe(0.8);
    expect(goals.baseline.handleTimeMedianSeconds).toBe(360); // the export has no handle time: the audit's 6 min
    expect(goals.costs).toEqual({ costPerHumanConversation: 3.5, agentHourCost: 35, currency: 'USD' });
    expect(goals.targets.dueBy).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it('refuses a bad goals file with its line and field', () => {
    const bad = file('bad.yaml', GOALS.replace('automationRate: 0.3', 'automationRate: lots'));
    expect(() => readGoalsFile(bad)).toThrow(
      expect.objectContaining({
        code: 'goals.invalid',
        location: expect.objectContaining({ line: 10, field: 'targets.automationRate' }),
      }),
    );
    expect(() => readGoalsFile(join(dir, 'missing.yaml'))).toThrow(
      expect.objectContaining({ code: 'goals.unreadable' }),
    );
  });

  it('shows every KPI against its target and baseline: on track, off track, no data', () => {
    const goals: GoalsFile = readGoalsFile(file('goals.yaml', GOALS));
    const m = metrics({
      automated: 10,
      automationRate: 0.35,
      resolutionRate: { confirmed: 0.5, assumed: 0.25, total: 0.75 },
      firstResponseSeconds: {
        bot: { median: 2, p90: 3, count: 10 },
        people: { median: 900, p90: 2000, count: 4 },
        all: { median: 2, p90: 1200, count: 14 },
      },
      csat: { automated: { mean: 4, score: 0.75, count: 3 }, people: { mean: 4.6, score: 0.9, count: 5 } },
      escalationBars: {
        humanRequestNotHandedOver: 0,
        exclusionNotHandedOver: 1,
        negativeSentimentNotHandedOver: 0,
        overMaxExchanges: 0,
      },
    });
    const checks = Object.fromEntries(checkGoals(goals, m).map((c) => [c.id, c]));
    expect(checks.automation_rate).toMatchObject({
      value: 0.35,
      target: 0.3,
      baseline: 0,
      status: 'on_track',
      dueBy: '2027-01-30',
    });
    expect(checks.first_response_median).toMatchObject({
      value: 2,
      target: 1800,
      baseline: 3600,
      status: 'on_track',
    });
    // The quality bars: 75% < 80%; CSAT 0.75 against this period's people (0.9), not the audit's 0.7.
    expect(checks.automated_resolution_rate).toMatchObject({ target: 0.8, status: 'off_track' });
    expect(checks.csat_automated).toMatchObject({
      value: 0.75,
      target: 0.9,
      baseline: 0.7,
      status: 'off_track',
    });
    expect(checks.exclusion_rules).toMatchObject({
      value: 1,
      target: 0,
      status: 'off_track',
      kind: 'escalation_bar',
    });
    expect(checks.explicit_request?.status).toBe('on_track');
    expect(checks.max_exchanges?.goal).toMatch(/More than 3 turns/);
    // Without people's ratings this period, the audit's baseline is the bar.
    const noPeople = checkGoals(goals, {
      ...m,
      csat: { ...m.csat, people: { mean: null, score: null, count: 0 } },
    });
    expect(noPeople.find((c) => c.id === 'csat_automated')).toMatchObject({
      target: 0.7,
      status: 'on_track',
    });
    // Nothing automated: no data, never "on track".
    expect(checkGoals(goals, metrics({})).every((c) => c.status === 'no_data')).toBe(true);
  });
});
