import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../access/index.ts';
import type { Deployment } from '../app/index.ts';
import { openDemoDeployment, trainDemoIntentModel } from '../app/testing.ts';
import { createServerApp } from './app.ts';
import { inboxSession, TEST_PASSWORD } from './inbox-testing.ts';

/** Shadow mode seen by the customer's API and by agents in the inbox (docs/pilots.md). */
const PASSWORD = TEST_PASSWORD;

let deployment: Deployment;
let app: ReturnType<typeof createServerApp>['app'];
let secret = '';
let agentId = '';

beforeAll(async () => {
  deployment = await openDemoDeployment({ model: await trainDemoIntentModel() });
  app = createServerApp({ deployment, widget: async () => null }).app;
  agentId = (
    await deployment.people.addUser({
      email: 'agent@shop.example',
      role: 'agent',
      name: 'Ana Agent',
      password: PASSWORD,
      by: 'test',
    })
  ).id;
  secret = (
    await createApiKey({
      store: deployment.store,
      name: 'backend',
      scopes: ['conversations'],
      by: 'test',
      at: Date.now(),
    })
  ).secret;
  await deployment.pilots.set({
    workflowId: 'order-status',
    settings: { mode: 'shadow' },
    by: 'user:lead',
    why: 'measure before going live',
  });
  await deployment.reload();
}, 120_000);
afterAll(async () => {
  await deployment.close();
});

/** A conversation about an order, through the API, played by the deployment's jobs. */
async function orderConversation(id: string) {
  await deployment.conversations.start({ id, customer: { name: 'Liam', attributes: {} }, channel: 'api' });
  await deployment.conversations.receive({ conversationId: id, text: 'Where is my order?' });
  await deployment.createRunner().drain();
}

const agentSession = () => inboxSession(app, 'agent@shop.example');

/** What a server-sent event stream sends until `done` holds (or 5 s pass). */
async function readUntil(res: Response, done: (text: string) => boolean): Promise<string> {
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let text = '';
  const deadline = Date.now() + 5000;
  try {
    while (!done(text) && Date.now() < deadline) {
      const chunk = await Promise.race([
        reader.read(),
        new Promise<{ done: true; value: undefined }>((resolve) =>
          setTimeout(() => resolve({ done: true, value: undefined }), Math.max(1, deadline - Date.now())),
        ),
      ]);
      if (chunk.done) break;
      text += decoder.decode(chunk.value, { stream: true });
    }
  } finally {
    await reader.cancel();
  }
  return text;
}

const draftsOf = async (id: string) =>
  (await deployment.store.listEvents({ limit: 100, conversationId: id, type: 'shadow.draft' })).map((e) => ({
    draftId: String(e.payload.draftId),
    text: String(e.payload.text),
  }));

describe('shadow mode in the API and the inbox', () => {
  it('keeps the drafts out of the API, and shows them to agents with three choices', async () => {
    await orderConversation('shadow-1');
    const drafts = await draftsOf('shadow-1');
    expect(drafts.length).toBeGreaterThan(0);
    const draft = drafts[0] as { draftId: string; text: string };
    expect(draft.text).toMatch(/order/i);

    const api = await app.request('/v1/conversations/shadow-1', {
      headers: { authorization: `Bearer ${secret}` },
    });
    expect(api.status).toBe(200);
    const body = (await api.json()) as { owner: string; messages: { role: string; text: string }[] };
    expect(body.owner).toBe('human');
    expect(JSON.stringify(body)).not.toContain(draft.text);
    expect(body.messages.map((m) => m.role)).toEqual(['customer', 'bot']);

    // The stream, replayed from the conversation's first event: the hand-off line, never a draft.
    const [started] = await deployment.store.listEvents({ limit: 1, conversationId: 'shadow-1' });
    const stream = await app.request('/v1/conversations/shadow-1/events', {
      headers: { authorization: `Bearer ${secret}`, 'last-event-id': String(started?.id) },
    });
    expect(stream.status).toBe(200);
    const sent = await readUntil(stream, (text) => text.includes('event: turn'));
    expect(sent).toContain('passing you to a colleague');
    expect(sent).not.toContain(draft.text);

    const { get } = await agentSession();
    const page = await (await get('/inbox/c/shadow-1')).text();
    expect(page).toContain('Drafts from the bot (shadow mode)');
    expect(page).toContain('value="as_is">Send as is</button>');
    expect(page).toContain('value="edited">Send edited</button>');
    expect(page).toContain('value="discarded">Discard</button>');
    expect(page).toContain(`name="draftId" value="${draft.draftId}"`);
    expect(page).toMatch(
      /Answer the order_status request yourself: the bot&#39;s drafts are on the conversation page/,
    );
  });

  it('sends a draft as is or edited through the reply path, or discards it, recording each choice once', async () => {
    const { post, get } = await agentSession();
    const cases = [
      { id: 'shadow-as-is', how: 'as_is', text: 'ignored', sent: (draft: string) => draft },
      {
        id: 'shadow-edited',
        how: 'edited',
        text: 'Could you give me your order number, please?',
        sent: () => 'Could you give me your order number, please?',
      },
      { id: 'shadow-discarded', how: 'discarded', text: '', sent: () => null },
    ] as const;
    for (const c of cases) {
      await orderConversation(c.id);
      const [draft] = await draftsOf(c.id);
      if (!draft) throw new Error('no draft');
      const res = await post(`/inbox/c/${c.id}/draft`, { draftId: draft.draftId, how: c.how, text: c.text });
      expect(res.status).toBe(303);
      expect(res.headers.get('location')).toMatch(/\?done=/);
      const stored = await deployment.store.getConversation(c.id);
      const agentLines = stored?.messages.filter((m) => m.role === 'agent').map((m) => m.text) ?? [];
      const sent = c.sent(draft.text);
      expect(agentLines).toEqual(sent === null ? [] : [sent]);
      const used = await deployment.store.listEvents({
        limit: 10,
        conversationId: c.id,
        type: 'shadow.draft_used',
      });
      expect(used.map((e) => e.payload)).toEqual([{ draftId: draft.draftId, how: c.how, by: agentId }]);
      const replies = await deployment.store.listEvents({
        limit: 10,
        conversationId: c.id,
        type: 'agent.reply',
      });
      expect(replies.length).toBe(sent === null ? 0 : 1);
      // Once only: a second use is refused and changes nothing.
      const again = await post(`/inbox/c/${c.id}/draft`, { draftId: draft.draftId, how: 'as_is', text: '' });
      expect(decodeURIComponent(again.headers.get('location') ?? '')).toContain(
        'this draft has been used already',
      );
      expect(
        await deployment.store.listEvents({ limit: 10, conversationId: c.id, type: 'shadow.draft_used' }),
      ).toHaveLength(1);
      const page = await (await get(`/inbox/c/${c.id}`)).text();
      expect(page).toContain({ as_is: 'Sent as is', edited: 'Sent edited', discarded: 'Discarded' }[c.how]);
      expect(page).toContain('by Ana Agent');
    }
  });

  it('refuses an edit without text and a draft of another conversation', async () => {
    await orderConversation('shadow-bad');
    await orderConversation('shadow-other');
    const [draft] = await draftsOf('shadow-other');
    const user = (await deployment.store.findUser({ email: 'agent@shop.example' }))!;
    await expect(
      deployment.inbox.useDraft({
        conversationId: 'shadow-bad',
        user,
        draftId: draft!.draftId,
        how: 'as_is',
      }),
    ).rejects.toMatchObject({ code: 'inbox.draft_not_found', location: { field: 'draftId' } });
    const [own] = await draftsOf('shadow-bad');
    await expect(
      deployment.inbox.useDraft({
        conversationId: 'shadow-bad',
        user,
        draftId: own!.draftId,
        how: 'edited',
        text: ' ',
      }),
    ).rejects.toMatchObject({ code: 'inbox.empty', location: { field: 'text' } });
    expect(
      await deployment.store.listEvents({
        limit: 10,
        conversationId: 'shadow-bad',
        type: 'shadow.draft_used',
      }),
    ).toEqual([]);
  });
});
