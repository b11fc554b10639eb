import type { AuditResult } from './run-audit.ts';

/**
 * The goals of the next phase, filled from the baselines: first response target half the team's median,
 * automation rate from the measured categories, the three to start with, fixed quality and escalation bars,
 * review and due dates. goals.yaml holds them; the report shows them next to the baselines they come from.
 */
export function goalsOf(result: AuditResult, now: Date) {
  const day = (offsetDays: number) =>
    new Date(now.getTime() + offsetDays * 86_400_000).toISOString().slice(0, 10);
  const frMedian = result.team.firstResponseSeconds.median;
  const automatable = result.categories.reduce(
    (s, c) => s + c.automatableMonthlyVolume * (c.expectedAutomationRate ?? 0),
    0,
  );
  const automationRate = result.team.monthlyVolume ? automatable / result.team.monthlyVolume : 0;
  return {
    generatedAt: now.toISOString(),
    baseline: {
      tickets: result.team.tickets,
      monthlyVolume: result.team.monthlyVolume,
      firstResponseMedianSeconds: frMedian,
      firstResponseP90Seconds: result.team.firstResponseSeconds.p90,
      resolutionMedianSeconds: result.team.resolutionSeconds.median,
      csatMean: result.team.csat.mean,
      /** Median handle time of a ticket (the audit's assumption when the export has none): what a person spends. */
      handleTimeMedianSeconds:
        result.team.handleTimeSeconds.median ?? result.assumptions.assumedHandleTimeSeconds,
    },
    /** What a conversation handled by a person costs: handle time x the agent hour cost (edit to your own figure). */
    costs: {
      costPerHumanConversation:
        Math.round(
          ((result.team.handleTimeSeconds.median ?? result.assumptions.assumedHandleTimeSeconds) / 3600) *
            result.assumptions.costs.agentHourCost *
            100,
        ) / 100,
      agentHourCost: result.assumptions.costs.agentHourCost,
      currency: result.assumptions.costs.currency,
    },
    targets: {
      firstResponseMedianSeconds: frMedian === null ? null : Math.round(frMedian / 2),
      automationRate: Math.round(automationRate * 1000) / 1000,
      startWith: result.categories
        .filter((c) => c.potential !== 'unknown')
        .slice(0, 3)
        .map((c) => c.category),
      reviewOn: day(30),
      dueBy: day(90),
    },
    qualityBars: {
      automatedResolutionRate: 0.8,
      csatNoWorseThanPeople: result.team.csat.mean,
    },
    escalationBars: {
      maxExchangesBeforeHandoff: 3,
      negativeSentiment: true,
      explicitRequestForPerson: true,
      exclusionRules: result.exclusionRules.map((r) => r.id),
    },
  };
}
export type Goals = ReturnType<typeof goalsOf>;
