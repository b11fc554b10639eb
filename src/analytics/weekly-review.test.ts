import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Deployment } from '../app/index.ts';
import { openDemoDeployment, trainDemoIntentModel } from '../app/testing.ts';
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
