import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Deployment } from '../app/index.ts';
import { openDemoDeployment, trainDemoIntentModel } from '../app/testing.ts';
import type { UserRole } from '../store/index.ts';
import { createServerApp } from './app.ts';
import { inboxSession, signIn as signInAs, TEST_PASSWORD } from './inbox-testing.ts';
import { INBOX_ROUTES } from './routes/inbox.ts';

const PASSWORD = TEST_PASSWORD;
const XSS = `<script>alert("x")</script><img src=x onerror=alert(1)>`;

let deployment: Deployment;
let app: ReturnType<typeof createServerApp>['app'];
let conversationId = '';

beforeAll(async () => {
  deployment = await openDemoDeployment({ model: await trainDemoIntentModel() });
  app = createServerApp({ deployment, widget: async () => null }).app;
  for (const [email, role, name] of [
    ['agent@shop.example', 'agent', 'Ana Agent'],
    ['other@shop.example', 'agent', 'Otto Other'],
    ['lead@shop.example', 'lead', 'Lea Lead'],
    ['admin@shop.example', 'admin', 'Adam Admin'],
  ] as const) {
    await deployment.people.addUser({ email, role, name, password: PASSWORD, by: 'test' });
  }
  const conversation = await deployment.conversations.start({
    id: 'inbox-1',
    customer: { name: XSS, email: 'mallory@mail.example', attributes: {} },
    channel: 'widget',
  });
  conversationId = conversation.id;
  await deployment.conversations.receive({ conversationId, text: `I want to talk to a person ${XSS}` });
  await deployment.createRunner().drain();
}, 120_000);
afterAll(async () => {
  await deployment.close();
});

const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();

const signIn = (email: string, password = PASSWORD) => signInAs(app, email, password);
const session = (email: string) => inboxSession(app, email);

describe('the agent inbox', () => {
  it('sends a stranger to sign in, refuses a wrong password, and sets a strict session cookie', async () => {
    const res = await app.request('/inbox');
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/inbox/login');
    const login = await app.request('/inbox/login');
    expect(await login.text()).toContain('<form method="post" action="/inbox/login"');
    expect(login.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(login.headers.get('x-frame-options')).toBe('DENY');
    const wrong = await signIn('agent@shop.example', 'not the right password');
    expect(wrong.status).toBe(401);
    expect(await wrong.text()).toContain('Wrong email or password.');
    const right = await signIn('agent@shop.example');
    expect(right.status).toBe(303);
    expect(right.headers.get('set-cookie')).toMatch(
      /^sb_session=[A-Za-z0-9_-]{43}; Max-Age=43200; Path=\/inbox; HttpOnly; SameSite=Strict$/,
    );
    const elsewhere = await app.request('/inbox/login', {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        origin: 'https://evil.example',
        host: 'localhost',
      },
      body: form({ email: 'agent@shop.example', password: PASSWORD }),
    });
    expect(elsewhere.status).toBe(403);
    // Under Referrer-Policy: no-referrer a browser posts Origin: null; its Sec-Fetch-Site says where it came from.
    const post = (site: string) =>
      app.request('/inbox/login', {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          origin: 'null',
          'sec-fetch-site': site,
          host: 'localhost',
        },
        body: form({ email: 'agent@shop.example', password: PASSWORD }),
      });
    expect((await post('same-origin')).status).toBe(303);
    expect((await post('cross-site')).status).toBe(403);
  });

  it('lists the escalated conversation in its queue with the reason, escaping the customer’s name', async () => {
    const ana = await session('agent@shop.example');
    const res = await ana.get('/inbox');
    const text = await res.text();
    expect(res.status).toBe(200);
    expect(text).toContain('Queue support');
    expect(text).toContain('human_requested');
    expect(text).not.toContain('<script>alert');
    expect(text).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    const fragment = await (await ana.get('/inbox?fragment=queue')).text();
    expect(fragment).not.toContain('<html');
    expect(fragment).toContain('human_requested');
    const filtered = await (await ana.get('/inbox?reason=no_workflow')).text();
    expect(filtered).toContain('Nobody is waiting');
  });

  it('shows the packet: why, the transcript with intent and confidence, the customer, the next step', async () => {
    const ana = await session('agent@shop.example');
    const text = await (await ana.get(`/inbox/c/${conversationId}`)).text();
    expect(text).toContain('Why it was escalated');
    expect(text).toContain('human_requested');
    expect(text).toMatch(/intent [a-z_]+ · \d+%/);
    expect(text).toContain('Suggested next step');
    expect(text).not.toContain('<img src=x');
    expect(text).toContain('mallory@mail.example');
  });

  it('lets one agent take a conversation; a second sees who has it; CSRF-less posts change nothing', async () => {
    const ana = await session('agent@shop.example');
    const otto = await session('other@shop.example');
    const forged = await ana.post(`/inbox/c/${conversationId}/take`, {}, false);
    expect(forged.status).toBe(403);
    const [first, second] = await Promise.all([
      ana.post(`/inbox/c/${conversationId}/take`),
      otto.post(`/inbox/c/${conversationId}/take`),
    ]);
    const locations = [first.headers.get('location') ?? '', second.headers.get('location') ?? ''];
    expect(locations.filter((l) => l.includes('done=')).length).toBe(1);
    expect(locations.filter((l) => l.includes('error=')).length).toBe(1);
    const assigned = await deployment.store.listEvents({
      limit: 10,
      conversationId,
      type: 'conversation.assigned',
    });
    expect(assigned).toHaveLength(1);
    const winner =
      assigned[0]?.payload.to === (await deployment.store.findUser({ email: 'agent@shop.example' }))?.id
        ? ana
        : otto;
    const loser = winner === ana ? otto : ana;
    const again = await loser.post(`/inbox/c/${conversationId}/take`);
    expect(decodeURIComponent(again.headers.get('location') ?? '')).toMatch(
      /error=.* has taken this conversation/,
    );
    const queue = await (await loser.get('/inbox?fragment=queue')).text();
    expect(queue).toMatch(/Taken by (Ana Agent|Otto Other)/);
  });

  it('replies, notes, judges, hands back and closes, each an event; notes stay out of the customer’s view', async () => {
    const ana = await session('agent@shop.example');
    expect(
      (await ana.post(`/inbox/c/${conversationId}/reply`, { text: 'Hello, I am Ana. <b>hi</b>' })).status,
    ).toBe(303);
    expect(
      (await ana.post(`/inbox/c/${conversationId}/note`, { text: 'private: refund approved' })).status,
    ).toBe(303);
    const found = await deployment.store.getConversation(conversationId);
    expect(found?.messages.at(-1)).toMatchObject({ role: 'agent', text: 'Hello, I am Ana. <b>hi</b>' });
    expect(JSON.stringify(found?.messages)).not.toContain('refund approved');
    const customerSeq = found?.messages.find((m) => m.role === 'customer')?.seq ?? 0;
    const intent = deployment.nlu()?.model.labels[0] ?? '';
    await ana.post(`/inbox/c/${conversationId}/judge`, { seq: String(customerSeq), intent });
    await ana.post(`/inbox/c/${conversationId}/judge`, { verdict: 'wrong', couldHaveResolved: 'yes' });
    const bad = await ana.post(`/inbox/c/${conversationId}/judge`, {
      seq: String(customerSeq),
      intent: 'no_such_intent',
    });
    expect(decodeURIComponent(bad.headers.get('location') ?? '')).toContain('not one of the model');
    const page = await (await ana.get(`/inbox/c/${conversationId}`)).text();
    expect(page).toContain('private: refund approved');
    expect(page).toContain('could have resolved it');
    expect(page).toContain('Hello, I am Ana. &lt;b&gt;hi&lt;/b&gt;');
    const corrections = await deployment.inbox.corrections();
    expect(corrections).toMatchObject([
      { label: intent, conversationId, seq: customerSeq, text: expect.stringContaining('talk to a person') },
    ]);

    await ana.post(`/inbox/c/${conversationId}/hand-back`, { reason: 'answered the refund question' });
    expect(await deployment.store.findConversation(conversationId)).toMatchObject({
      owner: 'bot',
      status: 'open',
    });
    await ana.post(`/inbox/c/${conversationId}/close`, { resolved: 'yes' });
    expect((await deployment.store.findConversation(conversationId))?.status).toBe('closed');
    const types = (await deployment.store.listEvents({ limit: 100, conversationId })).map((e) => e.type);
    expect(types).toEqual(
      expect.arrayContaining([
        'agent.reply',
        'agent.note',
        'agent.judgement',
        'agent.hand_back',
        'agent.closed',
      ]),
    );
  });

  it('lets a lead accept corrections in bulk with a new label, and make another model version active', async () => {
    const lea = await session('lead@shop.example');
    const ana = await session('agent@shop.example');
    const [customer] =
      (await deployment.store.getConversation(conversationId))?.messages.filter(
        (m) => m.role === 'customer',
      ) ?? [];
    await ana.post(`/inbox/c/${conversationId}/judge`, {
      seq: String(customer?.seq ?? 0),
      intent: '__none__',
    });
    const page = await (await lea.get('/inbox/corrections')).text();
    const ids = [...page.matchAll(/name="id" value="(\d+)"/g)].map((m) => m[1] as string);
    expect(ids.length).toBeGreaterThan(0);
    const body = new URLSearchParams([
      ...ids.map((id): [string, string] => ['id', id]),
      ['decision', 'accepted'],
      ['label', 'talk_to_person'],
      ['_csrf', lea.csrf],
    ]);
    const reviewed = await app.request('/inbox/corrections/review', {
      method: 'POST',
      headers: {
        cookie: `sb_session=${lea.token}`,
        'content-type': 'application/x-www-form-urlencoded',
        origin: 'http://localhost',
        host: 'localhost',
      },
      body: body.toString(),
    });
    expect(decodeURIComponent(reviewed.headers.get('location') ?? '')).toContain(`${ids.length} accepted.`);
    const after = await (await lea.get('/inbox/corrections')).text();
    expect(after).toContain('No candidate waits for a decision.');
    expect(after).toContain('talk_to_person');
    // Roll back to the first version and forward again from the page.
    const active = deployment.versions().nlu as number;
    await deployment.store.saveArtifact({
      kind: 'nlu-model',
      content:
        (await deployment.store.getArtifact('nlu-model', active))?.content.replace(
          '"examples":',
          '"examples" :',
        ) ?? '',
      by: 'test',
      activate: false,
      at: Date.now(),
    });
    const versions = await deployment.store.listArtifacts('nlu-model');
    const other = versions.find((v) => v.version !== active)?.version ?? active;
    const switched = await lea.post(`/inbox/models/${other}/activate`);
    expect(decodeURIComponent(switched.headers.get('location') ?? '')).toContain(
      `Model v${other} is active.`,
    );
    expect(deployment.versions().nlu).toBe(other);
    await lea.post(`/inbox/models/${active}/activate`);
    expect(deployment.versions().nlu).toBe(active);
    // Retraining needs a history: this store has none, and the page says so.
    const retrain = await lea.post('/inbox/retrain');
    expect(retrain.status).toBe(400);
    expect(await retrain.text()).toContain('too little to retrain on');
  });

  it('shows leads the week on a dashboard: figures, workflows with their pilot state, examples to open', async () => {
    const lea = await session('lead@shop.example');
    const res = await lea.get('/inbox/dashboard');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toContain("style-src 'self'");
    const text = await res.text();
    expect(text).toMatch(/<h1>The week \d{4}-\d{2}-\d{2} to \d{4}-\d{2}-\d{2}<\/h1>/);
    expect(text).toContain('No goals.yaml found');
    expect(text).toContain('<svg');
    expect(text).not.toContain('style=');
    expect(text).toContain(`href="/inbox/c/${conversationId}"`);
    expect(text).toMatch(/escalated \(human_requested\)/);
    expect((await lea.get('/inbox/dashboard?day=not-a-day')).status).toBe(200);
  });

  it('gives each role its pages and no other’s, for every route', async () => {
    const sessions = {
      agent: await session('agent@shop.example'),
      lead: await session('lead@shop.example'),
      admin: await session('admin@shop.example'),
    };
    const rank: Record<UserRole, number> = { agent: 1, lead: 2, admin: 3 };
    for (const route of INBOX_ROUTES) {
      const path = route.path.replace(
        ':id',
        route.path.includes('/users/') ? 'u_nobody' : 'no-such-conversation',
      );
      for (const role of ['agent', 'lead', 'admin'] as const) {
        if (route.path === '/inbox/events') continue;
        const s = sessions[role];
        const res =
          route.method === 'GET'
            ? await s.get(path)
            : await s.post(path, { email: 'x', text: 'x', reason: 'x' });
        const allowed = rank[role] >= rank[route.role];
        if (allowed) expect(res.status, `${role} ${route.method} ${path}`).not.toBe(403);
        else expect(res.status, `${role} ${route.method} ${path}`).toBe(403);
      }
    }
  });

  it('locks sign-in after five failures and says until when; sign-out everywhere ends every session', async () => {
    await deployment.people.addUser({
      email: 'locked@shop.example',
      role: 'agent',
      password: PASSWORD,
      by: 'test',
    });
    for (let i = 0; i < 4; i++)
      expect((await signIn('locked@shop.example', `wrong password ${i}`)).status).toBe(401);
    const locked = await signIn('locked@shop.example', 'wrong password 5');
    expect(locked.status).toBe(429);
    expect(await locked.text()).toMatch(
      /Too many failed sign-ins\. Try again after \d\d:\d\d UTC \(in 15 min\)/,
    );

    const one = await session('lead@shop.example');
    const two = await session('lead@shop.example');
    expect((await two.get('/inbox')).status).toBe(200);
    await one.post('/inbox/logout-everywhere');
    expect((await two.get('/inbox')).status).toBe(303);
    expect((await one.get('/inbox')).status).toBe(303);
  });
});
