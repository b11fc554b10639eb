import { describe, expect, it } from 'vitest';
import { buildConnectorRegistry } from '../app/connectors.ts';
import { openStore } from '../app/open-store.ts';
import { DEFAULT_GUARDRAILS } from '../domain/index.ts';
import { createPilots, EMPTY_PILOT_STATE, pilotDecisions } from '../pilots/index.ts';
import { fakeClock, silentLogger } from '../shared/index.ts';
import { WorkflowSchema } from '../workflows/index.ts';
import { HANDOFF_TEXT } from './bot-lines.ts';
import { createConversationService } from './conversation-service.ts';
import { workflowSet } from './plan-turn.ts';
import { analyseAs, GREETING_WORKFLOW as greeting } from './testing.ts';

async function setup() {
  const store = await openStore({ db: ':memory:' });
  const clock = fakeClock(Date.UTC(2026, 11, 7, 9));
  const pilots = createPilots({ store, clock, workflows: [{ id: 'greeting', intents: ['greeting'] }] });
  let decisions = pilotDecisions(EMPTY_PILOT_STATE);
  const service = createConversationService({
    store,
    analyse: analyseAs('greeting'),
    workflows: workflowSet([greeting]),
    connectors: buildConnectorRegistry({ config: { connectors: {} }, clock, logger: silentLogger }),
    guardrails: DEFAULT_GUARDRAILS,
    clock,
    mode: 'inline',
    pilots: () => decisions,
  });
  /** What a deployment does on a change: read the settings again. */
  const reloadPilots = async () => {
    decisions = pilotDecisions(await pilots.state());
  };
  const say = async (conversationId: string, text: string) => {
    await service.receive({ conversationId, text });
    const turns = await service.processPending(conversationId);
    return turns.at(-1);
  };
  let n = 0;
  const start = async (customer: { id?: string; segment?: string } = {}) => {
    const id = `c${++n}`;
    await service.start({ id, customer: { ...customer, attributes: {} }, channel: 'widget' });
    return id;
  };
  return { store, clock, pilots, service, reloadPilots, say, start };
}

describe('pilots in the conversation runtime', () => {
  it('runs a workflow live for everyone when no pilot is set', async () => {
    const { say, start, store } = await setup();
    const id = await start();
    const turn = await say(id, 'hi');
    expect(turn?.bot.map((b) => b.text)).toEqual(['Hello! What is your name?']);
    expect(turn?.owner).toBe('bot');
    await store.close();
  });

  it('does not start a workflow that is off, or that the pilot leaves this customer out of: no_workflow, as today', async () => {
    const { say, start, pilots, reloadPilots, store } = await setup();
    await pilots.set({ workflowId: 'greeting', settings: { mode: 'off' }, by: 'cli', why: 'not yet' });
    await reloadPilots();
    const off = await say(await start(), 'hi');
    expect(off).toMatchObject({ owner: 'human', status: 'escalated', escalation: { code: 'no_workflow' } });
    expect(off?.workflow).toBeNull();

    await pilots.set({
      workflowId: 'greeting',
      settings: { mode: 'live', segments: ['vip'] },
      by: 'cli',
      why: 'vips first',
    });
    await reloadPilots();
    expect((await say(await start({ id: 'k1', segment: 'basic' }), 'hi'))?.escalation?.code).toBe(
      'no_workflow',
    );
    const vip = await say(await start({ id: 'k2', segment: 'vip' }), 'hi');
    expect(vip?.owner).toBe('bot');
    expect(vip?.bot[0]?.text).toBe('Hello! What is your name?');
    await store.close();
  });

  it('in shadow mode, stores the bot’s lines as drafts, tells the customer only the hand-off, and gives people the packet', async () => {
    const { say, start, pilots, reloadPilots, store } = await setup();
    await pilots.set({ workflowId: 'greeting', settings: { mode: 'shadow' }, by: 'cli', why: 'measure' });
    await reloadPilots();
    const id = await start({ id: 'k1' });
    const turn = await say(id, 'hi');
    expect(turn).toMatchObject({ owner: 'human', status: 'escalated', escalation: { code: 'shadow_mode' } });
    expect(turn?.bot).toEqual([{ kind: 'escalate', text: HANDOFF_TEXT }]);
    expect(turn?.handoff?.escalation.code).toBe('shadow_mode');
    expect(turn?.handoff?.workflow?.id).toBe('greeting');

    const stored = await store.getConversation(id);
    expect(stored?.conversation).toMatchObject({ owner: 'human', status: 'escalated' });
    expect(stored?.messages.map((m) => [m.role, m.text])).toEqual([
      ['customer', 'hi'],
      ['bot', HANDOFF_TEXT],
    ]);
    expect(JSON.stringify(stored)).not.toContain('What is your name');
    const drafts = await store.listEvents({ limit: 10, conversationId: id, type: 'shadow.draft' });
    expect(drafts.map((d) => d.payload)).toEqual([
      {
        draftId: `${id}:1:0`,
        text: 'Hello! What is your name?',
        stepId: 'ask_name',
        kind: 'ask',
        workflow: 'greeting',
        seq: 0,
      },
    ]);
    expect((await store.listHandoffs({ conversationId: id }))[0]?.code).toBe('shadow_mode');
    const [turnEvent] = await store.listEvents({ limit: 5, conversationId: id, type: 'conversation.turn' });
    expect(turnEvent?.payload).toMatchObject({
      pilot: 'shadow',
      code: 'shadow_mode',
      drafts: 1,
      workflow: 'greeting',
    });
    // A person owns it now: the next message is theirs, the bot stays quiet.
    const next = await say(id, 'Ada');
    expect(next?.bot).toEqual([]);
    await store.close();
  });

  it('stops a workflow in flight on its next turn with automation_paused, and all automation for new conversations', async () => {
    const { say, start, pilots, reloadPilots, store } = await setup();
    const id = await start();
    expect((await say(id, 'hi'))?.workflow?.stepId).toBe('ask_name');
    await pilots.kill({ workflowId: 'greeting', by: 'cli', why: 'wrong greetings' });
    await reloadPilots();
    const paused = await say(id, 'Ada');
    expect(paused).toMatchObject({
      owner: 'human',
      status: 'escalated',
      escalation: { code: 'automation_paused' },
      bot: [{ kind: 'escalate', text: HANDOFF_TEXT }],
    });
    // The packet carries what the workflow had when it stopped.
    expect(paused?.handoff?.workflow?.id).toBe('greeting');
    expect(paused?.handoff?.suggestedNextStep).toMatch(/automation was stopped/);
    expect((await store.listHandoffs({ conversationId: id }))[0]?.code).toBe('automation_paused');
    // A new conversation on the stopped workflow goes to people too.
    expect((await say(await start(), 'hi'))?.escalation?.code).toBe('automation_paused');

    await pilots.resume({ workflowId: 'greeting', by: 'cli', why: 'fixed' });
    await pilots.kill({ workflowId: null, by: 'cli', why: 'outage' });
    await reloadPilots();
    expect((await say(await start(), 'hi'))?.escalation?.code).toBe('automation_paused');
    await pilots.resume({ workflowId: null, by: 'cli', why: 'over' });
    await reloadPilots();
    expect((await say(await start(), 'hi'))?.bot[0]?.text).toBe('Hello! What is your name?');
    await store.close();
  });

  it('makes no connector call queued before a kill: the turn that follows hands over with automation_paused', async () => {
    const store = await openStore({ db: ':memory:' });
    const clock = fakeClock(Date.UTC(2026, 11, 7, 9));
    const lookup = WorkflowSchema.parse({
      id: 'lookup',
      version: 1,
      trigger: { intents: ['order_status'] },
      connectors: { shop: 1 },
      steps: [
        { id: 'find', type: 'call', connector: 'shop', operation: 'find', input: {}, output: { n: 'n' } },
        { id: 'tell', type: 'reply', text: 'Found {{ vars.n }}.' },
        { id: 'done', type: 'resolve' },
      ],
    });
    const calls: string[] = [];
    const pilots = createPilots({ store, clock, workflows: [{ id: 'lookup', intents: ['order_status'] }] });
    let decisions = pilotDecisions(EMPTY_PILOT_STATE);
    const service = createConversationService({
      store,
      analyse: analyseAs('order_status'),
      workflows: workflowSet([lookup]),
      connectors: {
        call: async (request) => {
          calls.push(request.operation);
          return { result: { ok: true, value: { n: 1 } }, attempts: 1, durationMs: 1 };
        },
      },
      guardrails: DEFAULT_GUARDRAILS,
      clock,
      mode: 'durable',
      pilots: () => decisions,
    });
    await service.start({ id: 'q1', customer: { attributes: {} }, channel: 'api' });
    await service.receive({ conversationId: 'q1', text: 'where is it' });
    const [turn] = await service.processPending('q1');
    const callId = turn?.pendingCall?.callId;
    expect(callId).toBeTruthy();

    await pilots.kill({ workflowId: 'lookup', by: 'cli', why: 'shop API misbehaves' });
    decisions = pilotDecisions(await pilots.state());
    const [after] = await service.runCall('q1', callId as string);
    expect(calls).toEqual([]);
    expect(after).toMatchObject({
      owner: 'human',
      status: 'escalated',
      escalation: { code: 'automation_paused' },
    });
    const [result] = await store.listEvents({
      limit: 5,
      conversationId: 'q1',
      type: 'conversation.call_result',
    });
    expect(result?.payload).toMatchObject({ ok: false, code: 'automation_paused', attempts: 0 });

    // In shadow mode nothing is called either: the drafts stop where the call would be, and the turn says which.
    await pilots.resume({ workflowId: 'lookup', by: 'cli', why: 'fixed' });
    await pilots.set({ workflowId: 'lookup', settings: { mode: 'shadow' }, by: 'cli', why: 'measure' });
    decisions = pilotDecisions(await pilots.state());
    await service.start({ id: 'q2', customer: { attributes: {} }, channel: 'api' });
    await service.receive({ conversationId: 'q2', text: 'where is it' });
    const [shadow] = await service.processPending('q2');
    expect(shadow).toMatchObject({ owner: 'human', pendingCall: null, escalation: { code: 'shadow_mode' } });
    expect(calls).toEqual([]);
    const [turnEvent] = await store.listEvents({ limit: 5, conversationId: 'q2', type: 'conversation.turn' });
    expect(turnEvent?.payload).toMatchObject({ pilot: 'shadow', drafts: 0, notCalled: 'shop.find' });
    await store.close();
  });
});
