import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../access/index.ts';
import { computeMetrics, readConversationFacts } from '../analytics/index.ts';
import type { Deployment } from '../app/index.ts';
import { openDemoDeployment, trainDemoIntentModel } from '../app/testing.ts';
import type { JobRunner } from '../jobs/index.ts';
import type { IntentModel } from '../nlu/index.ts';
import { MAX_SURVEY_COMMENT_LENGTH } from '../web/widget/chat-state.ts';
import { createServerApp } from './app.ts';
import type { ServerApp } from './context.ts';
import { FEEDBACK_COMMENT_MAX_LENGTH } from './schemas.ts';

/** The feedback route as the widget's survey after close uses it: a 1-5 rating and a comment, CSAT in the metrics. */

let model: IntentModel;
beforeAll(async () => {
  model = await trainDemoIntentModel();
}, 120_000);

interface Harness {
  deployment: Deployment;
  app: ServerApp;
  runner: JobRunner;
  backend: string;
}

const open: Harness[] = [];
afterEach(async () => {
  for (const h of open.splice(0)) {
    await h.runner.stop(1000);
    await h.deployment.close();
  }
});

async function harness(): Promise<Harness> {
  const deployment = await openDemoDeployment({ model });
  const { app } = createServerApp({ deployment, widget: async () => ({ code: '', etag: '"w"' }) });
  const runner = deployment.createRunner({ concurrency: 2 });
  runner.start();
  const backend = await createApiKey({
    store: deployment.store,
    name: 'backend',
    scopes: ['conversations'],
    by: 'test',
    at: Date.now(),
  });
  const h = { deployment, app, runner, backend: backend.secret };
  open.push(h);
  return h;
}

function post(h: Harness, path: string, token: string, body: unknown, headers: Record<string, string> = {}) {
  return h.app.request(path, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
}

/** A conversation the bot answered ("where is my order?", answered within the wait): its id and token. */
async function answered(h: Harness): Promise<{ id: string; token: string }> {
  const res = await post(h, '/v1/conversations', h.backend, {
    customer: { email: 'olivia.okafor@example.net', name: 'Olivia Okafor' },
  });
  expect(res.status).toBe(201);
  const { conversation, token } = (await res.json()) as { conversation: { id: string }; token: string };
  const sent = await post(
    h,
    `/v1/conversations/${conversation.id}/messages`,
    token,
    { text: 'where is my order?' },
    { prefer: 'wait=8' },
  );
  expect(sent.status).toBe(200);
  return { id: conversation.id, token };
}

const feedback = (h: Harness, c: { id: string; token: string }, body: unknown) =>
  post(h, `/v1/conversations/${c.id}/feedback`, c.token, body);

describe('POST /v1/conversations/{id}/feedback: the survey after close', () => {
  it('refuses a rating that is not a whole number from 1 to 5, or a comment too long, naming the field', async () => {
    const h = await harness();
    const c = await answered(h);
    const cases: Array<[unknown, string]> = [
      [{ rating: 0 }, 'rating'],
      [{ rating: 6 }, 'rating'],
      [{ rating: 4.5 }, 'rating'],
      [{ rating: '4' }, 'rating'],
      [{ rating: null }, 'rating'],
      [{ rating: 4, comment: 'x'.repeat(FEEDBACK_COMMENT_MAX_LENGTH + 1) }, 'comment'],
      [{ rating: 4, stars: 5 }, '(body)'],
      [{}, '(body)'],
    ];
    for (const [body, field] of cases) {
      const res = await feedback(h, c, body);
      expect(res.status, JSON.stringify(body).slice(0, 40)).toBe(400);
      const problem = (await res.json()) as {
        code: string;
        errors: Array<{ field: string; message: string }>;
      };
      expect(problem.code).toBe('request.invalid');
      expect(problem.errors.map((e) => e.field)).toEqual([field]);
      if (field === 'rating')
        expect(problem.errors[0]?.message).toBe('a rating is a whole number from 1 to 5');
    }
    expect(await h.deployment.store.listFeedback({ conversationId: c.id })).toEqual([]);

    // The widget's textarea allows what the server takes, and no more.
    expect(MAX_SURVEY_COMMENT_LENGTH).toBe(FEEDBACK_COMMENT_MAX_LENGTH);
    const longest = await feedback(h, c, { rating: 5, comment: 'y'.repeat(FEEDBACK_COMMENT_MAX_LENGTH) });
    expect(longest.status).toBe(201);
  });

  it('takes a rating without "resolved" and leaves the conversation with the bot', async () => {
    const h = await harness();
    const c = await answered(h);
    const before = await h.deployment.store.findConversation(c.id);
    expect(before).toMatchObject({ owner: 'bot' });
    const res = await feedback(h, c, { rating: 2, comment: 'slow' });
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({ feedback: { resolved: null, rating: 2 } });
    await h.runner.drain();
    const after = await h.deployment.store.findConversation(c.id);
    expect(after).toMatchObject({ owner: 'bot', status: before!.status });
    expect(await h.deployment.store.listHandoffs({ conversationId: c.id })).toEqual([]);
  });

  it('stores the rating of a closed conversation; a second answer is kept too and the newest counts', async () => {
    const h = await harness();
    const c = await answered(h);
    const { store } = h.deployment;
    await store.closeConversation({ conversationId: c.id, by: 'agent:ana', at: Date.now() });
    expect((await feedback(h, c, { rating: 2, comment: 'first thought' })).status).toBe(201);
    expect((await feedback(h, c, { rating: 4 })).status).toBe(201);
    const stored = await store.listFeedback({ conversationId: c.id });
    expect(stored.map((f) => [f.rating, f.comment, f.source])).toEqual([
      [2, 'first thought', 'api'],
      [4, null, 'api'],
    ]);
    const view = await h.app.request(`/v1/conversations/${c.id}`, {
      headers: { authorization: `Bearer ${c.token}` },
    });
    expect(await view.json()).toMatchObject({
      status: 'closed',
      outcome: { feedback: { resolved: null, rating: 4 } },
    });
  });

  it("counts the bot's closed conversation's rating as automated CSAT, the one a person took as people's", async () => {
    const h = await harness();
    const { store } = h.deployment;
    const bot = await answered(h);
    const people = await answered(h);
    const at = Date.now();
    // The bot's: no person ever took it. The people's: an agent took it over, then closed it.
    await store.closeConversation({ conversationId: bot.id, by: 'bot', at });
    await store.setConversationOwner({ conversationId: people.id, owner: 'human', by: 'agent:ana', at });
    await store.closeConversation({ conversationId: people.id, by: 'agent:ana', at: at + 1 });

    expect((await feedback(h, bot, { rating: 5, comment: 'fast' })).status).toBe(201);
    expect((await feedback(h, people, { rating: 1 })).status).toBe(201);
    expect((await feedback(h, people, { rating: 3, comment: 'on second thought' })).status).toBe(201);

    const facts = await readConversationFacts({ store, from: at - 3_600_000, to: at + 3_600_000 });
    expect(facts.map((f) => f.id).sort()).toEqual([bot.id, people.id].sort());
    const metrics = computeMetrics(facts, {
      now: Date.now() + 1000,
      costs: { handleTimeSeconds: 600, costPerHumanConversation: 10, currency: 'EUR', source: 'test' },
    });
    expect(metrics.csat).toEqual({
      automated: { mean: 5, score: 1, count: 1 },
      people: { mean: 3, score: 0.5, count: 1 },
    });
  });
});
