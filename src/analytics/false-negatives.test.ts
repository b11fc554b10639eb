import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../app/open-store.ts';
import type { Store } from '../store/index.ts';
import { type WorkflowDefinition, WorkflowSchema } from '../workflows/index.ts';
import { computeMetrics } from './metrics.ts';
import { aConversation, DAY0, HOUR } from './metrics-testing.ts';
import { type ConversationFacts, outcomeOf } from './outcomes.ts';
import { readConversationFacts } from './read-facts.ts';
import { buildReport } from './report.ts';
import { reportHtml, reportMarkdown } from './report-render.ts';
import { workflowAnswersOf } from './workflow-answers.ts';

const MIN = 60_000;
const NOW = DAY0 + 3 * 24 * HOUR;
const COSTS = { handleTimeSeconds: 600, costPerHumanConversation: 10, currency: 'EUR', source: 'test' };

/** Two workflows the deployment has, with what they tell the customer (Liquid and all). */
const WORKFLOWS: WorkflowDefinition[] = [
  WorkflowSchema.parse({
    id: 'refund-request',
    version: 1,
    trigger: { intents: ['refund'] },
    steps: [
      { id: 'ask_order', type: 'ask', slot: 'order' },
      {
        id: 'say_refunded',
        type: 'reply',
        text: 'Done: I have refunded {{ vars.amount }} on order {{ slots.order }}. It goes back to the original payment method within 5 to 10 working days.',
      },
      { id: 'done', type: 'resolve', text: 'Glad I could help. Have a good day!' },
    ],
    slots: { order: { type: 'text', prompt: 'What is your order number?' } },
  }),
  WorkflowSchema.parse({
    id: 'password-reset',
    version: 1,
    trigger: { intents: ['password_reset'] },
    steps: [
      {
        id: 'say_sent',
        type: 'reply',
        text: 'I have sent a password reset link to {{ customer.email }}. It works for 30 minutes; check your spam folder if it has not arrived.',
      },
      { id: 'done', type: 'resolve' },
    ],
  }),
];

let store: Store;
let facts: ConversationFacts[];

/**
 * Four escalated conversations (the bot asked, then handed over `no_progress`):
 * - `reworded`: the agent answered with refund-request's answer in their own words -> a false negative, refund-request;
 * - `unrelated`: the agent answered about something the workflows do not say -> not one;
 * - `judged`: an unrelated answer, but the agent marked "could have resolved" -> a false negative, judged;
 * - `both`: the password-reset answer reworded and judged -> one false negative with both reasons.
 */
beforeAll(async () => {
  store = await openStore({ db: ':memory:' });
  const escalated = async (id: string, hour: number, reply: string) => {
    const c = await aConversation(store, { id, at: DAY0 + hour * HOUR });
    await c.turn({ at: DAY0 + hour * HOUR, bot: ['ask'], workflow: 'refund-request', step: 'ask_order' });
    await c.turn({ at: DAY0 + hour * HOUR + MIN, bot: ['escalate'], escalate: 'no_progress' });
    await c.agentReply(DAY0 + hour * HOUR + 5 * MIN, 'Thanks, let me look.');
    await c.agentReply(DAY0 + hour * HOUR + 10 * MIN, reply);
    return c;
  };
  await escalated(
    'reworded',
    1,
    'Hi Sam, all sorted: I refunded the 25.00 for order SB-1234. The money goes back to the card you paid with in 5-10 working days.',
  );
  await escalated(
    'unrelated',
    2,
    'I have changed the delivery address to your office; the parcel will go there tomorrow.',
  );
  const judged = await escalated('judged', 3, 'Our warehouse is closed on Sundays, so it leaves on Monday.');
  await judged.judge(DAY0 + 4 * HOUR, { couldHaveResolved: true });
  const both = await escalated(
    'both',
    5,
    'I sent you a new password reset link; it is valid for 30 minutes, and do look in the spam folder.',
  );
  await both.judge(DAY0 + 6 * HOUR, { couldHaveResolved: true });
  facts = await readConversationFacts({ store, from: DAY0, to: DAY0 + 24 * HOUR });
});
afterAll(async () => {
  await store.close();
});

const outcome = (id: string, workflows = workflowAnswersOf(WORKFLOWS)) =>
  outcomeOf(facts.find((f) => f.id === id) as ConversationFacts, { now: NOW, workflows });

describe("false negatives from the agent's answer", () => {
  it("the workflow's answer reworded by the agent: a false negative, with the workflow, step and similarity", () => {
    const o = outcome('reworded');
    expect(o).toMatchObject({
      kind: 'escalated',
      code: 'no_progress',
      falseNegative: true,
      falseNegativeWhy: {
        judged: false,
        matched: { workflow: 'refund-request', step: 'say_refunded', seq: expect.any(Number) },
      },
    });
    expect(o?.falseNegativeWhy?.matched?.similarity).toBeGreaterThanOrEqual(0.35);
  });

  it('an unrelated answer is not one; without the workflows only judgements count', () => {
    expect(outcome('unrelated')).toMatchObject({ falseNegative: false, falseNegativeWhy: null });
    expect(outcome('reworded', [])).toMatchObject({ falseNegative: false, falseNegativeWhy: null });
    expect(outcome('judged')).toMatchObject({
      falseNegative: true,
      falseNegativeWhy: { judged: true, matched: null },
    });
  });

  it('the metrics count false negatives once, by reason and per workflow matched', () => {
    const m = computeMetrics(facts, { now: NOW, costs: COSTS, workflows: workflowAnswersOf(WORKFLOWS) });
    expect(m.outcomes.escalated).toBe(4);
    expect(m.falseNegatives).toMatchObject({
      count: 3,
      rate: 0.75,
      judged: 2,
      matchedWorkflow: 2,
      byWorkflow: [
        { workflow: 'password-reset', count: 1, examples: [{ conversation: 'both', step: 'say_sent' }] },
        {
          workflow: 'refund-request',
          count: 1,
          examples: [{ conversation: 'reworded', step: 'say_refunded' }],
        },
      ],
    });
    const judgedOnly = computeMetrics(facts, { now: NOW, costs: COSTS });
    expect(judgedOnly.falseNegatives).toMatchObject({
      count: 2,
      judged: 2,
      matchedWorkflow: 0,
      byWorkflow: [],
    });
  });

  it('the report records what was compared and shows the evidence in Markdown and HTML', async () => {
    const report = await buildReport({
      store,
      kind: 'daily',
      day: '2026-12-01',
      now: NOW,
      workflows: WORKFLOWS,
    });
    expect(report.answerMatching).toEqual({
      workflows: ['password-reset', 'refund-request'],
      threshold: 0.35,
      minTerms: 4,
    });
    expect(report.total.falseNegatives.count).toBe(3);
    const markdown = reportMarkdown(report);
    expect(markdown).toContain("## False negatives: agents' answers a workflow had");
    expect(markdown).toMatch(/\| refund-request \| 1 \| reworded say_refunded 0\.\d\d \|/);
    expect(markdown).toContain('an agent said the bot could have resolved it (2)');
    expect(reportHtml(report)).toMatch(
      /<td>refund-request<\/td><td class="num">1<\/td><td>reworded say_refunded 0\.\d\d<\/td>/,
    );
    const without = await buildReport({ store, kind: 'daily', day: '2026-12-01', now: NOW });
    expect(without.answerMatching.workflows).toEqual([]);
    expect(reportMarkdown(without)).toContain("No workflow was given to compare agents' answers with");
  });
});
