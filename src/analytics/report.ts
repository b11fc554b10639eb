import { z } from 'zod';
import type { Store } from '../store/index.ts';
import type { WorkflowDefinition } from '../workflows/index.ts';
import { checkGoals, GoalCheckSchema, type GoalsFile } from './goals.ts';
import {
  type CostInputs,
  CostInputsSchema,
  computeMetrics,
  DEFAULT_BARS,
  dimensionOf,
  type MetricsFilter,
  MetricsSchema,
  matchesFilter,
} from './metrics.ts';
import { DEFAULT_OUTCOME_WINDOWS, type OutcomeWindows } from './outcomes.ts';
import { allEvents, readConversationFacts } from './read-facts.ts';
import { ANSWER_MATCH_MIN_TERMS, ANSWER_MATCH_THRESHOLD, workflowAnswersOf } from './workflow-answers.ts';

const DAY_MS = 86_400_000;
/** The audit's handle time when it has none (src/audit/run-audit.ts), and its default agent hour cost. */
const ASSUMED_HANDLE_SECONDS = 360;
const DEFAULT_AGENT_HOUR_COST = 35;

const GroupSchema = z.object({ key: z.string(), metrics: MetricsSchema });

/** The report's JSON (written as report JSON, with `report.schema.json` beside it). */
export const ReportSchema = z.object({
  version: z.literal(1),
  kind: z.enum(['daily', 'weekly']),
  /** First and last day covered (UTC, inclusive). */
  from: z.string(),
  to: z.string(),
  /** The moment the events were read up to (ISO): outcomes and rates are as of then. */
  asOf: z.string(),
  filter: z.object({
    workflow: z.string().optional(),
    channel: z.string().optional(),
    segment: z.string().optional(),
  }),
  windows: z.object({ assumeAfterHours: z.number(), reopenWithinHours: z.number() }),
  costs: CostInputsSchema,
  /**
   * What agents' answers were compared with for false negatives: the workflows with reply lines, the least
   * similarity and the least terms of a message (empty `workflows`: only agents' judgements count).
   */
  answerMatching: z.object({
    workflows: z.array(z.string()),
    threshold: z.number(),
    minTerms: z.number(),
  }),
  /** The whole period. */
  total: MetricsSchema,
  /** One entry per day of the period, by the day the conversations started. */
  days: z.array(z.object({ day: z.string(), metrics: MetricsSchema })),
  byWorkflow: z.array(GroupSchema),
  byChannel: z.array(GroupSchema),
  bySegment: z.array(GroupSchema),
  goals: z.object({ file: z.string(), checks: z.array(GoalCheckSchema) }).nullable(),
  /** The kill switch in the period (`automation.killed`, `automation.resumed`): a workflow's, or all (null). */
  killSwitch: z.array(
    z.object({
      at: z.string(),
      action: z.enum(['killed', 'resumed']),
      workflow: z.string().nullable(),
      by: z.string(),
      why: z.string(),
    }),
  ),
});
export type Report = z.infer<typeof ReportSchema>;

export interface ReportProps {
  store: Store;
  kind: 'daily' | 'weekly';
  /** The (last) day, YYYY-MM-DD, UTC. */
  day: string;
  now: number;
  filter?: MetricsFilter;
  goals?: { file: string; goals: GoalsFile } | null;
  /** Overrides the goals' cost of a human-handled conversation. */
  costPerHumanConversation?: number;
  currency?: string;
  windows?: OutcomeWindows;
  /** The deployment's workflows: an escalated conversation whose agent answered as one of them would is a false negative. */
  workflows?: readonly WorkflowDefinition[];
}

/**
 * The cost inputs: the cost of a conversation a person handles (the option, else goals.yaml's `costs`, else
 * handle time x the agent hour cost), the audit's handle time (else its assumed 6 minutes).
 */
export function costInputsOf(
  props: Pick<ReportProps, 'goals' | 'costPerHumanConversation' | 'currency'>,
): CostInputs {
  const goals = props.goals?.goals;
  const handle = goals?.baseline.handleTimeMedianSeconds ?? ASSUMED_HANDLE_SECONDS;
  const hourCost = goals?.costs?.agentHourCost ?? DEFAULT_AGENT_HOUR_COST;
  const fromGoals = goals?.costs?.costPerHumanConversation;
  const perConversation =
    props.costPerHumanConversation ?? fromGoals ?? Math.round((handle / 3600) * hourCost * 100) / 100;
  const source =
    props.costPerHumanConversation !== undefined
      ? '--cost-per-conversation'
      : fromGoals !== undefined
        ? `${props.goals?.file} (costs.costPerHumanConversation)`
        : `handle time x ${hourCost} an agent hour`;
  const handleSource = goals?.baseline.handleTimeMedianSeconds != null ? "the audit's median" : 'assumed';
  return {
    handleTimeSeconds: handle,
    costPerHumanConversation: perConversation,
    currency: props.currency ?? goals?.costs?.currency ?? 'USD',
    source: `cost per human-handled conversation from ${source}; handle time ${Math.round(handle / 6) / 10} min (${handleSource})`,
  };
}

/** The days of a report: the day alone, or the 7 days ending with it. */
export function reportDays(kind: 'daily' | 'weekly', day: string): string[] {
  const last = Date.parse(`${day}T00:00:00Z`);
  const n = kind === 'daily' ? 1 : 7;
  return Array.from({ length: n }, (_, i) =>
    new Date(last - (n - 1 - i) * DAY_MS).toISOString().slice(0, 10),
  );
}

/**
 * A daily or weekly report, computed from the store's event log as of `now`: the period's metrics, each day's,
 * by workflow, channel and segment, and the goals checked against the period's figures. With the deployment's
 * `workflows`, false negatives include escalations whose agent answered as a workflow would have.
 *
 * @example
 * const report = await buildReport({ store, kind: 'weekly', day: '2026-12-07', now: Date.now() });
 * report.days.length; // 7
 */
export async function buildReport(props: ReportProps): Promise<Report> {
  const { store, kind, now } = props;
  const filter = props.filter ?? {};
  const windows = props.windows ?? DEFAULT_OUTCOME_WINDOWS;
  const days = reportDays(kind, props.day);
  const from = Date.parse(`${days[0]}T00:00:00Z`);
  const to = Date.parse(`${days.at(-1)}T00:00:00Z`) + DAY_MS;
  const facts = (await readConversationFacts({ store, from, to })).filter((f) => matchesFilter(f, filter));
  const costs = costInputsOf(props);
  const switches = [
    ...(await allEvents(store, { type: 'automation.killed' })),
    ...(await allEvents(store, { type: 'automation.resumed' })),
  ]
    .filter((e) => e.at >= from && e.at < to && e.at <= now)
    .filter(
      (e) =>
        filter.workflow === undefined ||
        e.payload.workflowId == null ||
        e.payload.workflowId === filter.workflow,
    )
    .sort((a, b) => a.at - b.at || a.id - b.id);
  const bars = {
    ...DEFAULT_BARS,
    ...(props.goals
      ? { maxExchangesBeforeHandoff: props.goals.goals.escalationBars.maxExchangesBeforeHandoff }
      : {}),
  };
  const workflows = workflowAnswersOf(props.workflows ?? []);
  const metricsOf = (list: typeof facts) => computeMetrics(list, { now, costs, windows, bars, workflows });
  const total = metricsOf(facts);
  const groups = (dimension: keyof MetricsFilter) => {
    const keys = [...new Set(facts.map((f) => dimensionOf(f, dimension)))];
    return keys
      .map((key) => ({ key, metrics: metricsOf(facts.filter((f) => dimensionOf(f, dimension) === key)) }))
      .sort((a, b) => b.metrics.conversations - a.metrics.conversations || a.key.localeCompare(b.key));
  };
  return {
    version: 1,
    kind,
    from: days[0] as string,
    to: days.at(-1) as string,
    asOf: new Date(now).toISOString(),
    filter: { ...filter },
    windows: {
      assumeAfterHours: windows.assumeAfterMs / 3_600_000,
      reopenWithinHours: windows.reopenWithinMs / 3_600_000,
    },
    costs,
    answerMatching: {
      workflows: workflows.map((w) => w.workflow),
      threshold: ANSWER_MATCH_THRESHOLD,
      minTerms: ANSWER_MATCH_MIN_TERMS,
    },
    total,
    days: days.map((day) => {
      const start = Date.parse(`${day}T00:00:00Z`);
      return {
        day,
        metrics: metricsOf(facts.filter((f) => f.startedAt >= start && f.startedAt < start + DAY_MS)),
      };
    }),
    byWorkflow: groups('workflow'),
    byChannel: groups('channel'),
    bySegment: groups('segment'),
    goals: props.goals ? { file: props.goals.file, checks: checkGoals(props.goals.goals, total) } : null,
    killSwitch: switches.map((e) => ({
      at: new Date(e.at).toISOString(),
      action: e.type === 'automation.killed' ? ('killed' as const) : ('resumed' as const),
      workflow: typeof e.payload.workflowId === 'string' ? e.payload.workflowId : null,
      by: String(e.payload.by ?? 'unknown'),
      why: String(e.payload.why ?? ''),
    })),
  };
}
