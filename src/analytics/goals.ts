import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { loadYaml, UserError } from '../shared/index.ts';
import type { Metrics } from './metrics.ts';

/**
 * The audit's goals.yaml (src/audit/goals.ts writes it), read back as the deployment's targets. Only what the
 * report compares is required; a lead may edit any value (keep the keys).
 */
export const GoalsFileSchema = z.object({
  generatedAt: z.string().optional(),
  baseline: z.object({
    firstResponseMedianSeconds: z.number().nullable(),
    resolutionMedianSeconds: z.number().nullable().optional(),
    csatMean: z.number().min(0).max(1).nullable(),
    handleTimeMedianSeconds: z.number().nonnegative().nullable().optional(),
  }),
  targets: z.object({
    firstResponseMedianSeconds: z.number().nonnegative().nullable(),
    automationRate: z.number().min(0).max(1),
    startWith: z.array(z.string()).optional(),
    reviewOn: z.iso.date(),
    dueBy: z.iso.date(),
  }),
  qualityBars: z.object({
    automatedResolutionRate: z.number().min(0).max(1),
    /** The people's CSAT (0..1) the automation must not fall below; null: compare with this period's people. */
    csatNoWorseThanPeople: z.number().min(0).max(1).nullable(),
  }),
  escalationBars: z.object({
    maxExchangesBeforeHandoff: z.number().int().positive(),
    negativeSentiment: z.boolean(),
    explicitRequestForPerson: z.boolean(),
    exclusionRules: z.array(z.string()),
  }),
  costs: z
    .object({
      costPerHumanConversation: z.number().nonnegative().optional(),
      agentHourCost: z.number().nonnegative().optional(),
      currency: z.string().min(1).max(8).optional(),
    })
    .optional(),
});
export type GoalsFile = z.infer<typeof GoalsFileSchema>;

/**
 * Reads and checks a goals file; every problem is a UserError with the file, line and field.
 *
 * @example
 * const goals = readGoalsFile('audit/goals.yaml');
 * goals.targets.automationRate; // 0.42
 */
export function readGoalsFile(file: string): GoalsFile {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    throw new UserError(
      'goals.unreadable',
      `cannot read the goals file: ${String(cause)}`,
      { file },
      { cause },
    );
  }
  const { doc, value, lineCounter } = loadYaml({ text, file, code: 'goals.syntax' });
  const parsed = GoalsFileSchema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const path = (issue?.path ?? []) as (string | number)[];
  let line: number | undefined;
  for (let n = path.length; n >= 0 && line === undefined; n--) {
    const node = doc.getIn(path.slice(0, n), true) as { range?: [number, number, number] } | undefined;
    if (node?.range) line = lineCounter.linePos(node.range[0]).line;
  }
  throw new UserError(
    'goals.invalid',
    `${issue?.message ?? 'invalid goals file'} (${parsed.error.issues.length} problem(s); goals.yaml is written by \`switchboard audit\`)`,
    { file, ...(line !== undefined ? { line } : {}), field: path.join('.') || '(top level)' },
  );
}

export const GoalCheckSchema = z.object({
  /** Stable id of the goal. */
  id: z.string(),
  goal: z.string(),
  kind: z.enum(['target', 'quality_bar', 'escalation_bar']),
  unit: z.enum(['rate', 'seconds', 'score', 'conversations']),
  comparison: z.enum(['at_least', 'at_most']),
  value: z.number().nullable(),
  target: z.number().nullable(),
  /** The audit's baseline (before automation), when it has one. */
  baseline: z.number().nullable(),
  status: z.enum(['on_track', 'off_track', 'no_data']),
  /** The goals' review and due dates (YYYY-MM-DD). */
  reviewOn: z.string(),
  dueBy: z.string(),
});
export type GoalCheck = z.infer<typeof GoalCheckSchema>;

/**
 * Every KPI the goals name, against its target and the audit's baseline: on track when it meets the target,
 * off track when it does not, no data when the period has nothing to measure. The quality bars (automated
 * resolution, CSAT no worse than people) and the escalation bars (conversations that broke one: 0 is the target)
 * are checked the same way.
 *
 * @example
 * for (const g of checkGoals(goals, metrics)) console.log(g.goal, g.value, g.target, g.status);
 */
export function checkGoals(goals: GoalsFile, m: Metrics): GoalCheck[] {
  const dates = { reviewOn: goals.targets.reviewOn, dueBy: goals.targets.dueBy };
  const check = (c: Omit<GoalCheck, 'status' | 'reviewOn' | 'dueBy'>): GoalCheck => {
    const status =
      c.value === null || c.target === null
        ? 'no_data'
        : (c.comparison === 'at_least' ? c.value >= c.target : c.value <= c.target)
          ? 'on_track'
          : 'off_track';
    return { ...c, status, ...dates };
  };
  const peopleCsat = m.csat.people.count > 0 ? m.csat.people.score : goals.qualityBars.csatNoWorseThanPeople;
  const automatedAny = m.automated > 0;
  const bar = (id: string, goal: string, value: number) =>
    check({
      id,
      goal,
      kind: 'escalation_bar',
      unit: 'conversations',
      comparison: 'at_most',
      value: automatedAny ? value : null,
      target: 0,
      baseline: null,
    });
  const bars = goals.escalationBars;
  return [
    check({
      id: 'automation_rate',
      goal: 'Automation rate (involvement x resolution)',
      kind: 'target',
      unit: 'rate',
      comparison: 'at_least',
      value: m.automationRate,
      target: goals.targets.automationRate,
      baseline: 0,
    }),
    check({
      id: 'first_response_median',
      goal: 'First response, median (bot or person)',
      kind: 'target',
      unit: 'seconds',
      comparison: 'at_most',
      value: m.firstResponseSeconds.all.median,
      target: goals.targets.firstResponseMedianSeconds,
      baseline: goals.baseline.firstResponseMedianSeconds,
    }),
    check({
      id: 'automated_resolution_rate',
      goal: 'Automation resolves (confirmed + assumed)',
      kind: 'quality_bar',
      unit: 'rate',
      comparison: 'at_least',
      value: m.resolutionRate.total,
      target: goals.qualityBars.automatedResolutionRate,
      baseline: null,
    }),
    check({
      id: 'csat_automated',
      goal: 'CSAT of automated conversations no worse than people',
      kind: 'quality_bar',
      unit: 'score',
      comparison: 'at_least',
      value: m.csat.automated.score,
      target: peopleCsat,
      baseline: goals.baseline.csatMean,
    }),
    ...(bars.explicitRequestForPerson
      ? [
          bar(
            'explicit_request',
            'Asked for a person and not handed over',
            m.escalationBars.humanRequestNotHandedOver,
          ),
        ]
      : []),
    ...(bars.negativeSentiment
      ? [
          bar(
            'negative_sentiment',
            'Upset and not handed over',
            m.escalationBars.negativeSentimentNotHandedOver,
          ),
        ]
      : []),
    ...(bars.exclusionRules.length
      ? [
          bar(
            'exclusion_rules',
            'Matched an exclusion rule and not handed over',
            m.escalationBars.exclusionNotHandedOver,
          ),
        ]
      : []),
    bar(
      'max_exchanges',
      `More than ${bars.maxExchangesBeforeHandoff} turns at one step without a hand-off`,
      m.escalationBars.overMaxExchanges,
    ),
  ];
}
