import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoTicketToRecord, generateDemoTickets } from '../demo/index.ts';
import { reviewCandidates } from '../learning/index.ts';
import { trainingExamplesFromStore } from '../nlu/index.ts';
import { fakeClock } from '../shared/index.ts';
import type { Deployment } from './deployment.ts';
import { gateReportOf, retrainDeployment } from './retrain.ts';
import { openDemoDeployment, trainDemoIntentModel } from './testing.ts';

const TESTS = fileURLToPath(new URL('../../examples/conversation-tests', import.meta.url));
const T0 = Date.parse('2026-12-07T10:00:00Z');
let deployment: Deployment;

beforeAll(async () => {
  deployment = await openDemoDeployment({ model: await trainDemoIntentModel() });
  // The base data: the same demo history the active model learnt from.
  await deployment.store.upsertTickets(
    Array.from(generateDemoTickets({ tickets: 1200, seed: 3 }), demoTicketToRecord),
    {
      origin: 'demo',
    },
  );
}, 120_000);
afterAll(async () => {
  await deployment.close();
});

/** Agents' corrections, accepted by a lead: `texts` labelled `label`. */
async function acceptCorrections(texts: string[], label: string) {
  const store = deployment.store;
  const ids: number[] = [];
  for (const [i, text] of texts.entries()) {
    const id = `poison-${label}-${i}`;
    await store.createConversation({ id, customer: { attributes: {} }, channel: 'widget', at: T0 });
    const { message } = await store.receiveMessage({ conversationId: id, text, at: T0 });
    await store.changeConversation({
      conversationId: id,
      events: [{ type: 'agent.judgement', payload: { seq: message.seq, intent: label, by: 'u_mallory' } }],
      by: 'user:u_mallory',
      at: T0,
    });
    ids.push((await store.listEvents({ type: 'agent.judgement', conversationId: id, limit: 1 }))[0]?.id ?? 0);
  }
  await reviewCandidates({ store, clock: fakeClock(T0), ids, decision: 'accepted', by: 'cli' });
}

describe('nlu retrain and its gate', () => {
  it('promotes a candidate trained on the same data, and refuses one poisoned by relabelled corrections', async () => {
    const before = deployment.versions().nlu;
    const clean = await retrainDeployment({ deployment, testsDir: TESTS, by: 'test' });
    expect(clean.result.report.reasons).toEqual([]);
    expect(clean.result.report.tests).toEqual({ passed: 15, failed: [] });
    expect(clean.stored).toMatchObject({ active: true, note: expect.stringContaining('gate: promoted') });
    expect(clean.result.training.base + clean.result.evaluation.base).toBeGreaterThan(1000);
    expect(
      clean.result.evaluation.base / (clean.result.training.base + clean.result.evaluation.base),
    ).toBeCloseTo(0.2, 1);
    expect(clean.stored.version).not.toBe(before);

    // One intent's examples relabelled: the order-status messages agents saw, all said to be refunds.
    const base = await trainingExamplesFromStore({ store: deployment.store, minExamples: 5 });
    const orderStatus = base.examples.filter((e) => e.label === 'order_status').map((e) => e.text);
    expect(orderStatus.length).toBeGreaterThan(100);
    await acceptCorrections(orderStatus, 'refund_request');
    await deployment.reload();
    const poisoned = await retrainDeployment({ deployment, testsDir: TESTS, by: 'test' });
    expect(poisoned.result.report.promote).toBe(false);
    expect(poisoned.result.report.reasons.join('\n')).toMatch(
      /order_status fell from|conversation test failed/,
    );
    expect(poisoned.stored).toMatchObject({
      active: false,
      note: expect.stringContaining('gate: kept the active model'),
    });
    expect(poisoned.result.training.corrections).toBeGreaterThan(100);
    expect(poisoned.result.fingerprint).not.toBe(clean.result.fingerprint);
    // Each version keeps the gate's whole report, with its fingerprint.
    expect(await gateReportOf(deployment, clean.stored.version)).toMatchObject({
      promoted: true,
      fingerprint: clean.result.fingerprint,
    });
    expect((await gateReportOf(deployment, poisoned.stored.version))?.report.reasons).toEqual(
      poisoned.result.report.reasons,
    );
    expect(await gateReportOf(deployment, 999)).toBeUndefined();
  }, 180_000);
});
