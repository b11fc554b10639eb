/** Sentences the Markdown and HTML reports share: the headline, the window, savings, costs and goals. */
import { categoryTitle, duration, money, percent } from './format.ts';
import { goalsOf } from './goals.ts';
import type { AuditResult } from './run-audit.ts';

/** The top line: the predictable share, or what could not be measured and why. */
export function headline(result: AuditResult): string {
  const p = `${percent(result.predictableShare)} of tickets are predictable (in high-potential categories)`;
  if (result.unmeasuredShare === 0) return `${p}; ${percent(1 - result.predictableShare)} need judgement.`;
  const measured = 1 - result.unmeasuredShare;
  const why = result.categories.find((c) => c.unmeasured)?.unmeasured ?? '';
  if (measured < 0.05)
    return `Automation potential could not be measured for ${percent(result.unmeasuredShare)} of tickets: in most categories ${why}.`;
  return `${p}; ${percent(measured - result.predictableShare)} need judgement; ${percent(result.unmeasuredShare)} could not be measured (${why}).`;
}

/** Where the tickets come from in time, and how far the monthly rate can be trusted. */
export function windowLine(result: AuditResult): string {
  const w = result.window;
  const t = result.team;
  const core = `${t.tickets - w.outsideCore} tickets from ${w.coreFrom ?? '-'} to ${w.coreTo ?? '-'} (${t.months} months, ${t.monthlyVolume} a month)`;
  const strays = w.outsideCore
    ? `, plus ${w.outsideCore} outside those days left out of the rate (from ${w.from?.slice(0, 10)} to ${w.to?.slice(0, 10)})`
    : '';
  const burst =
    w.busiestDay && w.busiestDay.share >= 0.25
      ? `; ${percent(w.busiestDay.share)} of them came on ${w.busiestDay.day}, so the monthly rate is a guess unless the export holds every ticket of those months`
      : '';
  return `${core}${strays}${burst}`;
}

/** Hours saved as agents and money, for the top three and in total. */
export function savingsLine(result: AuditResult): string {
  const s = result.savings;
  const cur = result.assumptions.costs.currency;
  const one = (x: typeof s.total) =>
    `${x.hoursPerMonth} hours a month = ${x.agents} agents = ${money(x.costPerMonth, cur)} a month`;
  const missing = s.notEstimated
    ? ` (${s.notEstimated} ${s.notEstimated === 1 ? 'category' : 'categories'} not estimated: potential not measurable)`
    : '';
  return `the top three opportunities ${one(s.top3)}; every estimated category ${one(s.total)}${missing}.`;
}

/** The settings behind the money figures, as stated on every report. */
export function costLine(result: AuditResult): string {
  const c = result.assumptions.costs;
  return `Agents and cost: ${c.hoursPerAgentMonth} working hours per agent-month and ${money(c.agentHourCost, c.currency)} per agent hour (change with --hours-per-agent-month and --agent-hour-cost).`;
}

export function potentialWord(p: string): string {
  return p === 'unknown' ? 'not measurable' : p;
}

/** Each goal with its target and the baseline it comes from, for the reports. */
export function goalRows(
  result: AuditResult,
  now: Date,
): { goal: string; target: string; baseline: string }[] {
  const g = goalsOf(result, now);
  const team = result.team;
  return [
    {
      goal: 'First response, median',
      target: duration(g.targets.firstResponseMedianSeconds),
      baseline: `${duration(team.firstResponseSeconds.median)} today; the target halves it`,
    },
    {
      goal: 'Share of tickets automated',
      target: percent(g.targets.automationRate),
      baseline: `expected rates of the measured categories over ${team.monthlyVolume} tickets a month`,
    },
    {
      goal: 'Start with',
      target: g.targets.startWith.map(categoryTitle).join(', ') || '-',
      baseline: 'the best-ranked categories whose potential was measured',
    },
    {
      goal: 'Automated conversations resolved',
      target: percent(g.qualityBars.automatedResolutionRate),
      baseline: 'a fixed bar',
    },
    {
      goal: 'CSAT of automated conversations',
      target: team.csat.mean === null ? 'no worse than people' : `at least ${percent(team.csat.mean)}`,
      baseline:
        team.csat.mean === null
          ? 'no CSAT in this data'
          : `${percent(team.csat.mean)} today (${team.csat.count} ratings)`,
    },
    {
      goal: 'Hand to a person',
      target: `after ${g.escalationBars.maxExchangesBeforeHandoff} exchanges, on negative sentiment, on request, and always for: ${result.exclusionRules.map((r) => r.label).join(', ')}`,
      baseline: `${team.excluded} tickets (${percent(team.exclusionRate)}) matched an always-to-people rule`,
    },
    { goal: 'Review / due', target: `${g.targets.reviewOn} / ${g.targets.dueBy}`, baseline: 'goals.yaml' },
  ];
}
