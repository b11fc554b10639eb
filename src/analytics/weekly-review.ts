import { discoverTopics } from '../audit/index.ts';
import { markdownCell } from '../shared/markdown.ts';
import type { Store } from '../store/index.ts';
import type { WorkflowDefinition } from '../workflows/index.ts';
import { type AnswerConsistency, answerConsistency, type Reply } from './answer-consistency.ts';
import { answerSpace } from './answer-similarity.ts';
import { computeMetrics, matchesFilter } from './metrics.ts';
import { type ConversationFacts, isAutomated, type Outcome, outcomeOf } from './outcomes.ts';
import { readConversationFacts } from './read-facts.ts';
import { buildReport, costInputsOf, reportDays } from './report.ts';
import { workflowAnswersOf } from './workflow-answers.ts';

/** Below this many texts a group is not clustered: it is shown as one group. */
const MIN_TO_CLUSTER = 6;
/** A workflow is judged on at least this many decided conversations in the week. */
const MIN_DECIDED = 10;
/** The quality bar: automation resolves at least this share (the seed's 80%). */
const QUALITY_BAR = 0.8;
/** Under this resolution rate a workflow is worth retiring rather than fixing. */
const RETIRE_BELOW = 0.4;
/** A pilot is ready to widen when its days met the bars on at least this many of the week's days. */
const READY_DAYS = 5;

export interface ReviewCluster {
  /** A phrase of the cluster's own texts (the audit's topic discovery), or the group's name. */
  name: string;
  size: number;
  /** Of the group the cluster comes from (escalations, people-handled conversations, knowledge gaps). */
  share: number;
  /** Conversations to open, the most central first. */
  examples: string[];
  /** Where they failed: workflow and step, most frequent first. */
  steps: Array<{ workflow: string | null; step: string | null; count: number }>;
}

/** A topic people handled with no workflow, with how alike their answers were: what to automate next. */
export interface AutomationCandidate extends ReviewCluster {
  /** The first agent reply of each conversation, compared (docs/metrics.md, "Candidates for new automation"). */
  answers: AnswerConsistency;
  /** size x consistency (0 without one): the ranking. */
  score: number;
  /** What it means, with the numbers. */
  advice: string;
}

export interface WeeklyReview {
  from: string;
  to: string;
  asOf: string;
  /** Escalated automated conversations, clustered by what the customer said last. */
  failurePatterns: ReviewCluster[];
  /** Conversations people handled with no workflow: topics to automate next, by size x consistency of answers. */
  newAutomation: AutomationCandidate[];
  /** Workflows under the quality bar, with the evidence. */
  fixOrRetire: Array<{
    workflow: string;
    decided: number;
    resolutionRate: number | null;
    escalationRate: number | null;
    falsePositives: number;
    recommendation: 'fix' | 'retire';
    why: string;
  }>;
  /** Pilots (shadow, or a share of customers) whose days met the bars: widen them. */
  readyToWiden: Array<{
    workflow: string;
    mode: string;
    percent: number;
    daysMeetingBars: number;
    why: string;
  }>;
  /**
   * Questions the knowledge base had no good answer for, clustered: escalated `no_answer`, or at the step an
   * answer step falls back to when no passage scores high enough (the demo's billing-faq hands over there).
   */
  knowledgeGaps: ReviewCluster[];
}

interface Escalated {
  facts: ConversationFacts;
  outcome: Outcome;
  text: string;
  workflow: string | null;
  step: string | null;
}

/** A conversation people handled with no workflow: what the customer asked first, and the first agent reply. */
interface PeopleOnly extends Escalated {
  reply: Reply | null;
}

/** The customer's last message at or before `at`, and the workflow step the turn before it left. */
function failingTurn(
  facts: ConversationFacts,
  at: number | null,
): { text: string; workflow: string | null; step: string | null } {
  const limit = at ?? Number.POSITIVE_INFINITY;
  const customer = facts.messages.filter((m) => m.role === 'customer' && m.at <= limit).at(-1);
  const turn = facts.events.filter((e) => e.type === 'conversation.turn' && e.at <= limit).at(-1);
  return {
    text: customer?.text ?? '',
    workflow: typeof turn?.payload.workflow === 'string' ? turn.payload.workflow : facts.workflow,
    step: typeof turn?.payload.step === 'string' ? turn.payload.step : null,
  };
}

function cluster(items: readonly Escalated[], total: number, fallback: string): ReviewCluster[] {
  return clusterWithMembers(items, total, fallback).map(({ members: _, ...c }) => c);
}

/** The clusters of the audit's topic discovery, each with its members (the most central first). */
function clusterWithMembers<T extends Escalated>(
  items: readonly T[],
  total: number,
  fallback: string,
): Array<ReviewCluster & { members: T[] }> {
  if (items.length === 0) return [];
  const groups: T[][] = [];
  const names: string[] = [];
  if (items.length < MIN_TO_CLUSTER) {
    groups.push([...items]);
    names.push(fallback);
  } else {
    const { assignments, topics } = discoverTopics(
      items.map((i) => i.text),
      { k: 'auto', seed: 1, minTopicSize: 2 },
    );
    for (const topic of topics) {
      const members = items.filter((_, i) => assignments[i] === topic.id);
      const central = items[topic.representative];
      groups.push(central ? [central, ...members.filter((m) => m !== central)] : members);
      names.push(topic.name);
    }
    const other = items.filter((_, i) => assignments[i] === -1);
    if (other.length > 0) {
      groups.push(other);
      names.push('other');
    }
  }
  return groups
    .map((members, i) => {
      const steps = new Map<string, { workflow: string | null; step: string | null; count: number }>();
      for (const m of members) {
        const key = `${m.workflow}\u0000${m.step}`;
        const entry = steps.get(key) ?? { workflow: m.workflow, step: m.step, count: 0 };
        entry.count++;
        steps.set(key, entry);
      }
      return {
        name: names[i] ?? fallback,
        size: members.length,
        share: members.length / Math.max(1, total),
        examples: members.slice(0, 5).map((m) => m.facts.id),
        steps: [...steps.values()].sort((a, b) => b.count - a.count),
        members,
      };
    })
    .sort((a, b) => b.size - a.size);
}

/**
 * The weekly review a lead acts on (issue 18, section 6), from the same event log as the metrics: failure patterns
 * (escalated automated conversations clustered by the customer's last message, with the workflow step where they
 * failed), topics people handled with no workflow (what to automate next, ranked by size x how alike people's
 * first answers were), workflows under the quality bar (fix,
 * or retire under 40%), pilots whose days met the bars (widen), and knowledge-base gaps. Each item carries its
 * numbers and example conversations.
 *
 * @example
 * const review = await weeklyReview({ store, day: '2026-12-07', now: Date.now(), pilots });
 */
export async function weeklyReview(props: {
  store: Store;
  /** The last day of the week (YYYY-MM-DD, UTC). */
  day: string;
  now: number;
  /** Workflows in a pilot that is not fully live: mode and share of customers. */
  pilots?: ReadonlyMap<string, { mode: string; percent: number }>;
  /** The deployment's workflows: agents' answers alike count as false negatives (docs/metrics.md). */
  workflows?: readonly WorkflowDefinition[];
}): Promise<WeeklyReview> {
  const { store, now } = props;
  const workflows = workflowAnswersOf(props.workflows ?? []);
  const days = reportDays('weekly', props.day);
  const from = Date.parse(`${days[0]}T00:00:00Z`);
  const to = Date.parse(`${days.at(-1)}T00:00:00Z`) + 86_400_000;
  const facts = await readConversationFacts({ store, from, to });
  const escalated: Escalated[] = [];
  const peopleOnly: PeopleOnly[] = [];
  for (const f of facts) {
    const outcome = outcomeOf(f, { now, workflows });
    const automated = isAutomated(f);
    if (outcome?.kind === 'escalated' && automated && outcome.code !== 'no_workflow') {
      escalated.push({ facts: f, outcome, ...failingTurn(f, outcome.at) });
    } else if (!f.workflow && (!automated || outcome?.code === 'no_workflow')) {
      const first = f.messages.find((m) => m.role === 'customer');
      const answer = first && f.messages.find((m) => m.role === 'agent' && m.at >= first.at && m.text.trim());
      const reply = answer
        ? { conversation: f.id, text: answer.text, customerName: f.customerName ?? null }
        : null;
      if (first && outcome)
        peopleOnly.push({ facts: f, outcome, text: first.text, workflow: null, step: null, reply });
      else if (first) {
        peopleOnly.push({
          facts: f,
          outcome: {
            kind: 'escalated',
            code: null,
            at: null,
            firstCustomerAt: null,
            falsePositive: [],
            falseNegative: false,
            falseNegativeWhy: null,
          },
          text: first.text,
          workflow: null,
          step: null,
          reply,
        });
      }
    }
  }
  const fallbacks = knowledgeFallbacks(props.workflows ?? []);
  const gaps = escalated.filter(
    (e) => e.outcome.code === 'no_answer' || fallbacks.has(`${e.workflow}\u0000${e.step}`),
  );
  const report = await buildReport({
    store,
    kind: 'weekly',
    day: props.day,
    now,
    ...(props.workflows ? { workflows: props.workflows } : {}),
  });
  const fixOrRetire: WeeklyReview['fixOrRetire'] = [];
  for (const w of report.byWorkflow) {
    if (w.key === 'none' || w.metrics.decided < MIN_DECIDED) continue;
    const rate = w.metrics.resolutionRate.total;
    if (rate === null || rate >= QUALITY_BAR) continue;
    const recommendation = rate < RETIRE_BELOW ? 'retire' : 'fix';
    const top = w.metrics.escalationsByReason[0];
    fixOrRetire.push({
      workflow: w.key,
      decided: w.metrics.decided,
      resolutionRate: rate,
      escalationRate: w.metrics.escalationRate,
      falsePositives: w.metrics.falsePositives.count,
      recommendation,
      why: `resolves ${(rate * 100).toFixed(0)}% of ${w.metrics.decided} decided conversations (the bar is ${QUALITY_BAR * 100}%)${top ? `; most escalations: ${top.code} (${top.count})` : ''}`,
    });
  }
  const readyToWiden: WeeklyReview['readyToWiden'] = [];
  for (const [workflow, pilot] of props.pilots ?? new Map()) {
    if (pilot.mode === 'off' || (pilot.mode === 'live' && pilot.percent >= 100)) continue;
    let met = 0;
    for (const day of days) {
      // The week's facts, read once above, cut by day and workflow.
      const start = Date.parse(`${day}T00:00:00Z`);
      const m = computeMetrics(
        facts.filter(
          (f) => f.startedAt >= start && f.startedAt < start + 86_400_000 && matchesFilter(f, { workflow }),
        ),
        { now, costs: costInputsOf({}) },
      );
      const ok =
        pilot.mode === 'shadow'
          ? m.drafts.asIs + m.drafts.edited + m.drafts.discarded >= 3 &&
            m.drafts.asIs / (m.drafts.asIs + m.drafts.edited + m.drafts.discarded) >= QUALITY_BAR
          : m.decided >= 3 && (m.resolutionRate.total ?? 0) >= QUALITY_BAR && m.falsePositives.count === 0;
      if (ok) met++;
    }
    if (met >= READY_DAYS) {
      readyToWiden.push({
        workflow,
        mode: pilot.mode,
        percent: pilot.percent,
        daysMeetingBars: met,
        why:
          pilot.mode === 'shadow'
            ? `agents sent at least 80% of its drafts as they were on ${met} of 7 days: try it live for a share of customers`
            : `it resolved at least 80% with no false positive on ${met} of 7 days: widen past ${pilot.percent}%`,
      });
    }
  }
  return {
    from: days[0] as string,
    to: days.at(-1) as string,
    asOf: new Date(now).toISOString(),
    failurePatterns: cluster(escalated, escalated.length, 'escalations'),
    newAutomation: automationCandidates(peopleOnly),
    fixOrRetire,
    readyToWiden,
    knowledgeGaps: cluster(gaps, gaps.length, 'no good article'),
  };
}

/**
 * The topics people handled with no workflow, each with how alike the people's first replies were (TF-IDF with
 * the IDF of all the week's replies, so a topic's shared words count), ranked by size x consistency: a big topic
 * answered alike is the best next workflow; one answered case by case is not one, however big.
 */
function automationCandidates(items: readonly PeopleOnly[]): AutomationCandidate[] {
  const space = answerSpace(items.flatMap((i) => (i.reply ? [i.reply.text] : [])));
  return clusterWithMembers(items, items.length, 'handled by people')
    .map(({ members, ...c }) => {
      const answers = answerConsistency(
        members.flatMap((m) => (m.reply ? [m.reply] : [])),
        space,
      );
      return { ...c, answers, score: c.size * (answers.consistency ?? 0), advice: adviceOf(answers) };
    })
    .sort((a, b) => b.score - a.score || b.size - a.size || a.name.localeCompare(b.name));
}

function adviceOf(a: AnswerConsistency): string {
  const shown = a.representative ? `"${a.representative.text}" (${a.representative.conversation})` : '';
  switch (a.verdict) {
    case 'consistent':
      return `consistent answers (${a.consistency?.toFixed(2)} over ${a.answered} replies): a workflow could send ${shown}`;
    case 'varied':
      return `answers vary (${a.consistency?.toFixed(2)} over ${a.answered} replies): people decide case by case; e.g. ${shown}`;
    case 'too_few':
      return `one agent reply only: too few to tell whether answers agree; ${shown}`;
    case 'no_answer':
      return 'no agent reply in these conversations: nothing to learn the answer from yet';
  }
}

/** The steps a workflow goes to when its knowledge-base answer found nothing good enough: `workflow\0step`. */
function knowledgeFallbacks(workflows: readonly WorkflowDefinition[]): Set<string> {
  const steps = new Set<string>();
  for (const w of workflows) {
    for (const step of w.steps) {
      if (step.type === 'answer' && step.fallback) steps.add(`${w.id}\u0000${step.fallback}`);
    }
  }
  return steps;
}

/** The review as Markdown: each recommendation with its numbers and the conversations to open. */
export function weeklyReviewMarkdown(review: WeeklyReview): string {
  const pct = (v: number | null) => (v === null ? '-' : `${(v * 100).toFixed(1)}%`);
  const clusters = (title: string, list: ReviewCluster[], none: string) => [
    `## ${title}`,
    '',
    ...(list.length === 0
      ? [none, '']
      : list.flatMap((c) => [
          `- **${markdownCell(c.name)}**: ${c.size} (${pct(c.share)}); ${c.steps
            .slice(0, 3)
            .map((s) => `${s.workflow ?? 'no workflow'}${s.step ? ` at ${s.step}` : ''} ${s.count}`)
            .join(', ')}; see ${c.examples.join(', ')}`,
        ])),
    '',
  ];
  return [
    `# Weekly review ${review.from} to ${review.to}`,
    '',
    `As of ${review.asOf}.`,
    '',
    ...clusters('Failure patterns', review.failurePatterns, 'No automated conversation was escalated.'),
    '## Candidates for new automation',
    '',
    ...(review.newAutomation.length === 0
      ? ['People handled nothing without a workflow.', '']
      : [
          ...review.newAutomation.map(
            (c) =>
              `- **${markdownCell(c.name)}**: ${c.size} (${pct(c.share)}); ${markdownCell(c.advice)}; see ${c.examples.join(', ')}`,
          ),
          '',
        ]),
    '## Workflows to fix or retire',
    '',
    ...(review.fixOrRetire.length === 0
      ? ['Every workflow with enough conversations meets the quality bar.', '']
      : [...review.fixOrRetire.map((w) => `- **${w.workflow}**: ${w.recommendation}: ${w.why}`), '']),
    '## Pilots ready to widen',
    '',
    ...(review.readyToWiden.length === 0
      ? ['None yet.', '']
      : [...review.readyToWiden.map((p) => `- **${p.workflow}** (${p.mode}, ${p.percent}%): ${p.why}`), '']),
    ...clusters('Knowledge-base gaps', review.knowledgeGaps, 'No question went without a good article.'),
  ].join('\n');
}
