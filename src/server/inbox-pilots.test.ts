import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Deployment } from '../app/index.ts';
import { openDemoDeployment, trainDemoIntentModel } from '../app/testing.ts';
import { createServerApp } from './app.ts';
import { inboxSession, TEST_PASSWORD } from './inbox-testing.ts';

/** Leads change pilots and press the kill switch in the web app (docs/pilots.md). */
const PASSWORD = TEST_PASSWORD;

let deployment: Deployment;
let app: ReturnType<typeof createServerApp>['app'];
let leadId = '';

beforeAll(async () => {
  deployment = await openDemoDeployment({ model: await trainDemoIntentModel() });
  app = createServerApp({ deployment, widget: async () => null }).app;
  leadId = (
    await deployment.people.addUser({
      email: 'lead@shop.example',
      role: 'lead',
      password: PASSWORD,
      by: 'test',
    })
  ).id;
  await deployment.people.addUser({
    email: 'agent@shop.example',
    role: 'agent',
    password: PASSWORD,
    by: 'test',
  });
}, 120_000);
afterAll(async () => {
  await deployment.close();
});

const session = (email: string) => inboxSession(app, email);

const location = (res: Response) => decodeURIComponent(res.headers.get('location') ?? '');

describe('the pilots page', () => {
  it('is for leads: an agent is refused', async () => {
    const agent = await session('agent@shop.example');
    expect((await agent.get('/inbox/pilots')).status).toBe(403);
    expect((await agent.post('/inbox/pilots/kill', { why: 'no' })).status).toBe(403);
    expect(await deployment.store.listPilotEvents()).toEqual([]);
  });

  it('lists the workflows, refuses bad settings naming the field, and saves good ones with who and why', async () => {
    const lead = await session('lead@shop.example');
    const page = await (await lead.get('/inbox/pilots')).text();
    expect(page).toContain('<h1>Pilots and the kill switch</h1>');
    expect(page).toMatch(/<th scope="row">refund-request<\/th>\s*<td>live for everyone \(no pilot\)/);
    expect(page).toContain('Stop all automation</button>');

    const bad = await lead.post('/inbox/pilots/set', {
      workflow: 'refund-request',
      mode: 'shadow',
      percent: '150',
      why: 'try',
    });
    expect(bad.status).toBe(303);
    expect(location(bad)).toContain('percent: must be a number from 0 to 100');
    expect(await deployment.store.listPilotEvents()).toEqual([]);

    const good = await lead.post('/inbox/pilots/set', {
      workflow: 'refund-request',
      mode: 'shadow',
      segments: 'vip, pro',
      channels: '',
      categories: '',
      percent: '10',
      why: 'first week',
    });
    expect(location(good)).toContain('Pilot of refund-request saved.');
    const [changed] = await deployment.store.listPilotEvents();
    expect(changed?.payload).toMatchObject({
      workflowId: 'refund-request',
      after: { mode: 'shadow', segments: ['vip', 'pro'], percent: 10 },
      by: `user:${leadId}`,
      why: 'first week',
    });
    const after = await (await lead.get('/inbox/pilots')).text();
    expect(after).toContain('shadow for 10% of customers in segments vip, pro');
    expect(after).toContain('<option value="shadow" selected>shadow</option>');
  });

  it('stops and resumes all automation or one workflow with one button, and the deployment applies it', async () => {
    const lead = await session('lead@shop.example');
    expect(location(await lead.post('/inbox/pilots/kill', { why: '' }))).toContain('why: say why');
    expect(location(await lead.post('/inbox/pilots/kill', { why: 'carrier outage' }))).toContain(
      'All automation stopped',
    );
    await deployment.reload();
    expect(deployment.pilotState().kills.get(null)).toMatchObject({
      by: `user:${leadId}`,
      why: 'carrier outage',
    });
    const page = await (await lead.get('/inbox/pilots')).text();
    expect(page).toContain('Resume all automation</button>');
    expect(location(await lead.post('/inbox/pilots/resume', { why: 'fixed' }))).toContain(
      'All automation resumed.',
    );
    expect(
      location(await lead.post('/inbox/pilots/kill', { workflow: 'order-status', why: 'wrong dates' })),
    ).toContain('order-status stopped');
    await deployment.reload();
    expect([...deployment.pilotState().kills.keys()]).toEqual(['order-status']);
  });
});
