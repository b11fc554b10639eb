import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Deployment } from '../app/index.ts';
import { openStore } from '../app/open-store.ts';
import { openDemoDeployment, trainDemoIntentModel } from '../app/testing.ts';
import { DEMO_WORKFLOWS_DIR } from '../app/workflows-dir.ts';
import type { Store } from '../store/index.ts';
import { loadWorkflowDir } from '../workflows/index.ts';
import { aConversation } from './metrics-testing.ts';
import { weeklyReview, weeklyReviewMarkdown } from './weekly-review.ts';

const DAY = '2026-12-07';
const T0 = Date.parse(`${DAY}T09:00:00Z`);
let deployment: Deployment;
let clock = T0;

beforeAll(async () => {
  deployment = await openDemoDeployment({ model: await trainDemoIntentModel(), clock: { now: () => clock } });
}, 120_000);
afterAll(async () => {
  await deployment.close();
});

/** A conversation played through the deployment's runtime, a minute apart per message. */
async function play(id: string, email: string | null, texts: string[]) {
  await deployment.conversations.start({
    id,
    customer: { ...(email ? { email } : {}), attributes: {} },
    channel: 'api',
  });
  for (const text of texts) {
    clock += 60_000;
    await deployment.conversations.receive({ conversationId: id, text });
    await deployment.createRunner().drain();
  }
}

describe('the weekly review', () => {
  it('finds the failure pattern, the workflow to retire and the conversations to open', async () => {
    // Order status, answered but "no, it did not help" every time: the workflow fails its bar.
    for (let i = 0; i < 12; i++) {
      await play(`fail-${i}`, 'olivia.okafor@example.net', [
        'where is my order?',
        `no, the tracking page says nothing ${i}`,
      ]);
    }
    // Requests for a person, and a few resolved ones.
    for (let i = 0; i < 3; i++) await play(`human-${i}`, null, ['I want to talk to a person please']);
    const review = await weeklyReview({
      store: deployment.store,
      day: DAY,
      now: clock + 3_600_000,
      // A pilot on half the customers, failing its bar every day: not ready to widen.
      pilots: new Map([['order-status', { mode: 'live', percent: 50 }]]),
    });
    expect(review.readyToWiden).toEqual([]);
    expect(review).toMatchObject({ from: '2026-12-01', to: DAY });
    const failed = review.failurePatterns.reduce((sum, c) => sum + c.size, 0);
    expect(failed).toBe(15);
    const tracking = review.failurePatterns.find((c) => c.examples.some((id) => id.startsWith('fail-')));
    expect(tracking?.steps[0]).toMatchObject({ workflow: 'order-status' });
    expect(tracking?.size).toBeGreaterThanOrEqual(10);
    expect(review.fixOrRetire).toEqual([
      expect.objectContaining({
        workflow: 'order-status',
        decided: 12,
        resolutionRate: 0,
        recommendation: 'retire',
        why: expect.stringMatching(
          /^resolves 0% of 12 decided conversations \(the bar is 80%\); most escalations: not_resolved \(12\)$/,
        ),
      }),
    ]);
    const markdown = weeklyReviewMarkdown(review);
    expect(markdown).toMatch(/^# Weekly review 2026-12-01 to 2026-12-07/);
    expect(markdown).toContain('**order-status**: retire: resolves 0% of 12');
    expect(markdown).toMatch(/see fail-\d+/);
  });
});

describe('candidates for new automation, by how alike people answered', () => {
  let store: Store;
  afterAll(async () => {
    await store.close();
  });

  /** 8 conversations on changing the delivery address, answered alike; 8 on damaged parcels, decided case by case. */
  const ADDRESS_QUESTIONS = [
    'How do I change my delivery address?',
    'I need to change the delivery address on my order',
    'can I change the address for delivery',
    'Wrong delivery address, how do I change it?',
    'I moved, how can I change the delivery address of my order?',
    'please help me change delivery address',
    'Is it possible to change the delivery address after ordering?',
    'change delivery address for my order please',
  ];
  const ADDRESS_ANSWERS = [
    'Hi Ada, you can change the delivery address in your account under Orders > Edit address, as long as the order has not shipped yet. Write to ada.lovelace@example.com if not.',
    'Hi! To change the delivery address, go to your account, open Orders and choose Edit address. This works until the order ships.',
    'Sure, you can edit the delivery address yourself: account, Orders, Edit address. Only possible before the order has shipped.',
    'The delivery address can be changed from your account (Orders, then Edit address) until the order is shipped.',
    'Hello, please open your account, go to Orders and click Edit address to change where we deliver. Once it has shipped it cannot be changed.',
    'You can update the delivery address in your account: Orders > Edit address. After shipping this is no longer possible.',
    'Go to Orders in your account and pick Edit address to change the delivery address; it can be done until the order ships.',
    'Thanks for asking! Change the delivery address from your account page, Orders, Edit address, any time before it has shipped.',
  ];
  const DAMAGED_QUESTIONS = [
    'My parcel arrived damaged',
    'the box was broken when the parcel arrived',
    'item arrived damaged, what now?',
    'Parcel came damaged and the item is broken',
    'received a damaged parcel today',
    'my order arrived broken and damaged',
    'The parcel was crushed, item damaged',
    'damaged item in the parcel',
  ];
  const DAMAGED_ANSWERS = [
    'I am so sorry. I have sent a replacement by express today.',
    'Could you send a photo of the box and the label? Then I can open a claim with the carrier.',
    'I refunded the full amount to your card; no need to send it back.',
    'Please keep the packaging: the courier will collect it on Thursday.',
    'Our warehouse team will call you to arrange an exchange.',
    'That model is out of stock, so I offered a voucher of 20 pounds instead.',
    'As the seal is intact we cannot take it back, but the manufacturer gives a two-year warranty.',
    'I have escalated this to quality control, who will investigate the batch.',
  ];

  beforeAll(async () => {
    store = await openStore({ db: ':memory:' });
    const start = Date.parse('2026-12-02T08:00:00Z');
    const people = async (id: string, i: number, question: string, answer: string | null) => {
      const at = start + i * 3_600_000;
      const c = await aConversation(store, { id, at, name: 'Ada Lovelace' });
      await c.turn({ at, text: question });
      if (answer !== null) await c.agentReply(at + 600_000, answer);
    };
    for (const [i, q] of DAMAGED_QUESTIONS.entries())
      await people(`damaged-${i}`, i, q, DAMAGED_ANSWERS[i] ?? '');
    for (const [i, q] of ADDRESS_QUESTIONS.entries())
      await people(`address-${i}`, 10 + i, q, ADDRESS_ANSWERS[i] ?? '');
  });

  it('a topic answered alike is consistent and ranked above one answered case by case; personal data masked', async () => {
    const review = await weeklyReview({ store, day: DAY, now: Date.parse(`${DAY}T23:00:00Z`) });
    const [first, second] = review.newAutomation;
    expect(review.newAutomation).toHaveLength(2);
    expect(first?.examples.every((id) => id.startsWith('address-'))).toBe(true);
    expect(first).toMatchObject({ size: 8, answers: { answered: 8, verdict: 'consistent' } });
    expect(first?.answers.consistency).toBeGreaterThanOrEqual(0.35);
    expect(second?.examples.every((id) => id.startsWith('damaged-'))).toBe(true);
    expect(second).toMatchObject({ size: 8, answers: { answered: 8, verdict: 'varied' } });
    expect(second?.answers.consistency).toBeLessThan(0.1);
    expect(first?.score).toBeGreaterThan(second?.score ?? Infinity);
    expect(first?.answers.representative?.conversation).toMatch(/^address-\d$/);
    expect(first?.answers.representative?.text).toMatch(/Edit address/);
    expect(first?.advice).toMatch(/^consistent answers \(0\.\d\d over 8 replies\): a workflow could send "/);
    expect(second?.advice).toMatch(/^answers vary \(0\.\d\d over 8 replies\): people decide case by case/);
    const markdown = weeklyReviewMarkdown(review);
    expect(markdown).toMatch(
      /## Candidates for new automation\n\n- \*\*.+\*\*: 8 \(50\.0%\); consistent answers/,
    );
    expect(markdown).toContain('answers vary');
    expect(markdown).not.toMatch(/ada|lovelace|example\.com/i);
  });
});

describe('knowledge-base gaps', () => {
  it("counts the escalations at an answer step's fallback, not only the engine's own no_answer", async () => {
    const store = await openStore({ db: ':memory:' });
    try {
      const start = Date.parse('2026-12-02T08:00:00Z');
      const workflows = loadWorkflowDir(DEMO_WORKFLOWS_DIR).workflows.map((w) => w.definition);
      for (let i = 0; i < 3; i++) {
        const c = await aConversation(store, { id: `gap-${i}`, at: start + i * 3_600_000 });
        await c.turn({
          at: start + i * 3_600_000,
          text: `Do you take payment by cheque ${i}?`,
          bot: ['escalate'],
          workflow: 'billing-faq',
          step: 'no_answer',
          escalate: 'workflow_escalated',
        });
      }
      const review = await weeklyReview({ store, day: '2026-12-07', now: start + 7 * 86_400_000, workflows });
      expect(review.knowledgeGaps.reduce((n, c) => n + c.size, 0)).toBe(3);
      expect(review.knowledgeGaps[0]?.steps[0]).toMatchObject({ workflow: 'billing-faq', step: 'no_answer' });
    } finally {
      await store.close();
    }
  });
});
