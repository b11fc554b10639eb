import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { CustomerProfile, EntityValue } from '../domain/index.ts';
import { BugError } from '../shared/index.ts';
import { type WorkflowDefinition, type WorkflowInput, WorkflowSchema } from './definition.ts';
import type { Effect } from './effects.ts';
import { MAX_TRANSITIONS, step } from './engine.ts';
import type { EngineEvent } from './events.ts';
import { customerTurn } from './paths.ts';
import type { WorkflowState } from './state.ts';

const T0 = Date.UTC(2026, 9, 31, 12, 0, 0);
const anonymous: CustomerProfile = { attributes: {} };
const liam: CustomerProfile = { name: 'Liam Garcia', email: 'liam.garcia@mail.example', attributes: {} };

const demo = (name: string): WorkflowDefinition =>
  WorkflowSchema.parse(
    parse(readFileSync(new URL(`../demo/workflows/${name}.yaml`, import.meta.url), 'utf8')),
  );
const orderStatus = demo('order-status');
const passwordReset = demo('password-reset');

const workflow = (input: Omit<WorkflowInput, 'id' | 'version' | 'trigger'> & Partial<WorkflowInput>) =>
  WorkflowSchema.parse({ id: 'test', version: 1, trigger: { intents: ['test'] }, ...input });

const entity = (type: string, value: string, text: string): EntityValue => {
  const start = text.indexOf(value);
  return { type, value, start, end: start + value.length };
};

const order = (orderNumber: string, status: string, extra: Record<string, unknown> = {}) => ({
  orderNumber,
  status,
  placedAt: '2026-10-28T12:00:00.000Z',
  total: 89.99,
  currency: 'EUR',
  carrier: null,
  trackingNumber: null,
  trackingUrl: null,
  estimatedDelivery: null,
  ...extra,
});

/** Drives one conversation: each call feeds an event at the next second and keeps the state. */
function conversation(definition: WorkflowDefinition) {
  let state: WorkflowState | null = null;
  let clock = T0;
  const tick = () => {
    clock += 1000;
    return clock;
  };
  const pending = () => state?.pendingCallId ?? '';
  const feed = (event: EngineEvent) => {
    const result = step(definition, state, event);
    state = result.state;
    return result.effects;
  };
  return {
    get state(): WorkflowState {
      if (!state) throw new Error('not started');
      return state;
    },
    start(text: string, options: { entities?: EntityValue[]; customer?: CustomerProfile } = {}) {
      return feed({
        type: 'start',
        at: tick(),
        turn: customerTurn(text, options.entities ?? [], definition.trigger.intents[0] ?? null),
        customer: options.customer ?? anonymous,
        channel: 'chat',
        conversationId: 'c1',
      });
    },
    say(text: string, entities: EntityValue[] = []) {
      return feed({ type: 'message', at: tick(), turn: customerTurn(text, entities) });
    },
    callOk(output: unknown, callId = pending()) {
      return feed({ type: 'callResult', at: tick(), callId, ok: true, output });
    },
    callFails(error: string, callId = pending()) {
      return feed({ type: 'callResult', at: tick(), callId, ok: false, error });
    },
    event(event: EngineEvent) {
      return feed(event);
    },
  };
}

const types = (effects: Effect[]) => effects.map((e) => e.type);
const only = <T extends Effect['type']>(effects: Effect[], type: T) =>
  effects.find((e): e is Extract<Effect, { type: T }> => e.type === type);

describe('order-status', () => {
  it('looks up a number given in the first message, tells the status and resolves on yes', () => {
    const run = conversation(orderStatus);
    const text = 'Where is my order SB-100001?';
    const started = run.start(text, { entities: [entity('order_number', 'SB-100001', text)] });
    expect(started).toEqual([
      {
        type: 'call',
        stepId: 'get_order',
        callId: 'c1:0',
        connector: 'demo-shop',
        version: 1,
        operation: 'getOrder',
        input: { orderNumber: 'SB-100001' },
        timeoutMs: 5000,
        retries: 2,
      },
    ]);
    expect(run.state.status).toBe('awaiting_call');
    expect(run.state.slots).toEqual({ order_number: 'SB-100001' });

    const told = run.callOk({
      found: true,
      order: order('SB-100001', 'shipped', {
        carrier: 'NorthPost',
        trackingNumber: 'NP4821937755',
        trackingUrl: 'https://track.sablebramble.example/northpost/NP4821937755',
        estimatedDelivery: '2026-11-03',
      }),
    });
    expect(types(told)).toEqual(['reply', 'confirm']);
    expect(only(told, 'reply')?.text).toBe(
      'Order SB-100001 has shipped with NorthPost, tracking number NP4821937755. You can follow it here: ' +
        'https://track.sablebramble.example/northpost/NP4821937755 It should arrive by 2026-11-03.',
    );
    expect(only(told, 'confirm')).toEqual({
      type: 'confirm',
      stepId: 'did_it_help',
      text: 'Does that answer your question?',
    });

    const closed = run.say('Yep, thanks!');
    expect(closed).toEqual([
      { type: 'reply', stepId: 'done', text: 'Glad I could help. Have a good day!' },
      {
        type: 'resolve',
        stepId: 'done',
        summary: 'Told the customer the status of order SB-100001 (shipped).',
      },
    ]);
    expect(run.state.status).toBe('resolved');
    expect(run.state.outcome).toEqual({
      type: 'resolved',
      summary: 'Told the customer the status of order SB-100001 (shipped).',
    });
    expect(run.state.trail.map((t) => `${t.stepId}:${t.outcome}`)).toEqual([
      'check_known:case:0:get_order',
      'get_order:called',
      'get_order:returned',
      'check_found:case:0:show_status',
      'show_status:case:0:say_shipped_tracked',
      'say_shipped_tracked:replied',
      'did_it_help:asked',
      'did_it_help:yes',
      'done:resolved',
    ]);
    expect(run.state.calls).toEqual([
      expect.objectContaining({
        callId: 'c1:0',
        stepId: 'get_order',
        ok: true,
        input: { orderNumber: 'SB-100001' },
      }),
    ]);
    expect(run.state.turns).toBe(2);
  });

  it('asks for the number when nothing is known, re-asks after an answer that is not one, and accepts a bare number', () => {
    const run = conversation(orderStatus);
    expect(run.start('where is my stuff')).toEqual([
      {
        type: 'ask',
        stepId: 'ask_number',
        slot: 'order_number',
        text: 'What is your order number? It is in your confirmation email and looks like SB-123456.',
      },
    ]);
    const reasked = run.say('no idea, sorry');
    expect(reasked).toEqual([
      {
        type: 'ask',
        stepId: 'ask_number',
        slot: 'order_number',
        text: 'Sorry, that does not look like an order number. It starts with SB- followed by digits, for example SB-123456.',
      },
    ]);
    expect(run.state.attempts).toEqual({ ask_number: 1 });
    expect(run.state.lastProgressTurn).toBe(1);
    expect(run.state.turns).toBe(2);

    const called = run.say(' sb-100002 ');
    expect(only(called, 'call')?.input).toEqual({ orderNumber: 'sb-100002' });
    expect(run.state.lastProgressTurn).toBe(3);
  });

  it('lists a known customer’s orders and asks which one when there are several', () => {
    const run = conversation(orderStatus);
    const listed = run.start('where is my order?', { customer: liam });
    expect(only(listed, 'call')).toMatchObject({
      operation: 'listOrders',
      input: { email: 'liam.garcia@mail.example' },
    });
    const asked = run.callOk({
      orders: [
        order('SB-100002', 'processing'),
        order('SB-100003', 'delivered', { placedAt: '2026-10-01T09:00:00.000Z' }),
        order('SB-100004', 'cancelled'),
      ],
      count: 3,
    });
    expect(asked).toEqual([
      {
        type: 'ask',
        stepId: 'choose_order',
        slot: 'chosen_order',
        text: 'I found several orders for liam.garcia@mail.example. Which one is your question about?',
        choices: [
          'SB-100002 (processing, placed 2026-10-28)',
          'SB-100003 (delivered, placed 2026-10-01)',
          'SB-100004 (cancelled, placed 2026-10-28)',
        ],
      },
    ]);
    const called = run.say('the second one');
    expect(only(called, 'call')).toMatchObject({
      callId: 'c1:1',
      operation: 'getOrder',
      input: { orderNumber: 'SB-100003' },
    });
    expect(run.state.slots.chosen_order).toBe('SB-100003');

    const told = run.callOk({ found: true, order: order('SB-100003', 'delivered') });
    expect(only(told, 'reply')?.text).toMatch(/^Order SB-100003 has been delivered\./);
  });

  it('uses the only order of a known customer without asking', () => {
    const run = conversation(orderStatus);
    run.start('where is my order?', { customer: liam });
    const called = run.callOk({ orders: [order('SB-100001', 'shipped')], count: 1 });
    expect(only(called, 'call')).toMatchObject({
      stepId: 'get_only_order',
      input: { orderNumber: 'SB-100001' },
    });
    const told = run.callOk({ found: true, order: order('SB-100001', 'shipped') });
    expect(only(told, 'reply')?.text).toMatch(
      /^Order SB-100001 has shipped\. The tracking link is not available/,
    );
  });

  it('asks for the number when a known customer has no orders, or the list cannot be read', () => {
    const none = conversation(orderStatus);
    none.start('where is my order?', { customer: liam });
    expect(types(none.callOk({ orders: [], count: 0 }))).toEqual(['ask']);
    expect(none.state.stepId).toBe('ask_number');

    const broken = conversation(orderStatus);
    broken.start('where is my order?', { customer: liam });
    expect(broken.callFails('demo shop unreachable')).toEqual([
      expect.objectContaining({ type: 'ask', stepId: 'ask_number' }),
    ]);
    expect(broken.state.calls[0]).toMatchObject({ ok: false, error: 'demo shop unreachable' });
  });

  it('asks again when the number matches no order, then escalates with order_not_found', () => {
    const run = conversation(orderStatus);
    const text = 'order SB-999999 please';
    run.start(text, { entities: [entity('order_number', 'SB-999999', text)] });
    const reasked = run.callOk({ found: false });
    expect(reasked).toEqual([
      {
        type: 'ask',
        stepId: 'ask_again',
        slot: 'order_number_again',
        text: 'I could not find order SB-999999. Could you check the number and send it again? It is in your confirmation email and looks like SB-123456.',
      },
    ]);
    const called = run.say('sorry, it is order SB-999998', [
      entity('order_number', 'SB-999998', 'sorry, it is order SB-999998'),
    ]);
    expect(only(called, 'call')).toMatchObject({ callId: 'c1:1', input: { orderNumber: 'SB-999998' } });
    const escalated = run.callOk({ found: false });
    expect(escalated).toEqual([
      {
        type: 'escalate',
        stepId: 'not_found',
        code: 'workflow_escalated',
        reason: 'The workflow hands this case to a person by design. Reason: order_not_found.',
        workflowReason: 'order_not_found',
        queue: 'support',
        priority: 'normal',
        text: 'I still cannot find that order, so I am passing your question to a colleague who can look into it. They will reply here.',
      },
      { type: 'setOwner', owner: 'human' },
    ]);
    expect(run.state.status).toBe('escalated');
    expect(run.state.outcome).toEqual({
      type: 'escalated',
      code: 'workflow_escalated',
      reason: 'The workflow hands this case to a person by design. Reason: order_not_found.',
      workflowReason: 'order_not_found',
    });
    expect(run.state.vars).toEqual({ found: false });
  });

  it('escalates with connector_failed and the error when getOrder fails after its retries', () => {
    const run = conversation(orderStatus);
    const text = 'order SB-100001?';
    run.start(text, { entities: [entity('order_number', 'SB-100001', text)] });
    const escalated = run.callFails('timed out after 3 attempts');
    expect(escalated).toEqual([
      {
        type: 'escalate',
        stepId: 'get_order',
        code: 'connector_failed',
        reason:
          'A system the automation needed did not answer, even after retries. demo-shop getOrder failed: timed out after 3 attempts',
        queue: 'support',
        priority: 'normal',
      },
      { type: 'setOwner', owner: 'human' },
    ]);
    expect(run.state.trail.at(-1)).toMatchObject({ stepId: 'get_order', outcome: 'call_failed' });
    expect(run.state.pendingCallId).toBeNull();
  });

  it('escalates with not_resolved when the customer says it did not help', () => {
    const run = conversation(orderStatus);
    const text = 'order SB-100002?';
    run.start(text, { entities: [entity('order_number', 'SB-100002', text)] });
    run.callOk({ found: true, order: order('SB-100002', 'processing', { estimatedDelivery: '2026-11-05' }) });
    const escalated = run.say('not really');
    expect(escalated[0]).toMatchObject({ type: 'escalate', stepId: 'did_it_help', code: 'not_resolved' });
    expect(types(escalated)).toEqual(['escalate', 'setOwner']);
  });
});

describe('password-reset', () => {
  const account = (status: string) => ({
    found: true,
    account: { email: 'amara.nguyen@inbox.example', name: 'Amara Nguyen', plan: 'pro', status },
  });

  it('uses the known customer’s email, sends the link and resolves', () => {
    const run = conversation(passwordReset);
    const called = run.start('I forgot my password', {
      customer: { email: 'amara.nguyen@inbox.example', attributes: {} },
    });
    expect(only(called, 'call')).toMatchObject({
      operation: 'getAccount',
      input: { email: 'amara.nguyen@inbox.example' },
    });
    const sending = run.callOk(account('active'));
    expect(only(sending, 'call')).toMatchObject({ callId: 'c1:1', operation: 'sendPasswordReset' });
    const sent = run.callOk({ sent: true, expiresInMinutes: 30 });
    expect(only(sent, 'reply')?.text).toBe(
      'I have sent a password reset link to amara.nguyen@inbox.example. It works for 30 minutes; if it has not arrived in a few minutes, check your spam folder.',
    );
    expect(types(run.say('yes, done'))).toEqual(['reply', 'resolve']);
  });

  it('sends a locked account to the security queue with high priority', () => {
    const run = conversation(passwordReset);
    expect(only(run.start('cannot log in'), 'ask')?.text).toBe('Which email address do you use to sign in?');
    run.say('amara.nguyen@inbox.example', [
      entity('email', 'amara.nguyen@inbox.example', 'amara.nguyen@inbox.example'),
    ]);
    const escalated = run.callOk(account('locked'));
    expect(escalated[0]).toMatchObject({
      type: 'escalate',
      code: 'workflow_escalated',
      workflowReason: 'account_locked',
      queue: 'security',
      priority: 'high',
    });
  });

  it('asks once more for an unknown address, then escalates', () => {
    const run = conversation(passwordReset);
    const text = 'reset for nobody@example.com';
    run.start(text, { entities: [entity('email', 'nobody@example.com', text)] });
    expect(only(run.callOk({ found: false }), 'ask')?.text).toBe(
      'I could not find an account for nobody@example.com. Could you check the address, or send another one you might have signed up with?',
    );
    const called = run.say('try other@example.com', [
      entity('email', 'other@example.com', 'try other@example.com'),
    ]);
    expect(only(called, 'call')?.input).toEqual({ email: 'other@example.com' });
    expect(run.callOk({ found: false })[0]).toMatchObject({ workflowReason: 'account_not_found' });
  });
});

describe('steps', () => {
  it('runs from `start` when given, and a reply moves to the following step', () => {
    const run = conversation(
      workflow({
        start: 'hello',
        steps: [
          { id: 'never', type: 'escalate', reason: 'wrong_start' },
          { id: 'hello', type: 'reply', text: 'Hello {{ customer.name }} on {{ conversation.channel }}.' },
          { id: 'bye', type: 'resolve' },
        ],
      }),
    );
    expect(run.start('hi', { customer: { name: 'Sam', attributes: {} } })).toEqual([
      { type: 'reply', stepId: 'hello', text: 'Hello Sam on chat.' },
      { type: 'resolve', stepId: 'bye' },
    ]);
    expect(run.state.outcome).toEqual({ type: 'resolved' });
  });

  it('escapes customer-provided slot values in replies', () => {
    const run = conversation(
      workflow({
        slots: { name: { type: 'text', prompt: 'Your name?' } },
        steps: [
          { id: 'ask_name', type: 'ask', slot: 'name' },
          { id: 'greet', type: 'reply', text: 'Thanks, {{ slots.name }}!' },
          { id: 'done', type: 'resolve' },
        ],
      }),
    );
    run.start('hi');
    const effects = run.say('<img src=x onerror="alert(1)"> & co');
    expect(only(effects, 'reply')?.text).toBe(
      'Thanks, &lt;img src=x onerror=&#34;alert(1)&#34;&gt; &amp; co!',
    );
    expect(run.state.slots.name).toBe('<img src=x onerror="alert(1)"> & co');
  });

  it('fills entity slots from the first message, unless fromEntities is false', () => {
    const definition = workflow({
      slots: {
        email: { type: 'entity', entity: 'email', prompt: 'Email?' },
        other: { type: 'entity', entity: 'email', prompt: 'Other email?', fromEntities: false },
      },
      steps: [
        { id: 'a', type: 'ask', slot: 'email' },
        { id: 'b', type: 'ask', slot: 'other' },
      ],
    });
    const run = conversation(definition);
    const text = 'I am sam@example.com';
    expect(run.start(text, { entities: [entity('email', 'sam@example.com', text)] })).toEqual([
      { type: 'ask', stepId: 'b', slot: 'other', text: 'Other email?' },
    ]);
    expect(run.state.slots).toEqual({ email: 'sam@example.com' });
    expect(run.state.trail[0]).toMatchObject({ stepId: 'a', outcome: 'already_filled' });
  });

  it('fills a number slot with entity money from the amount of a money entity', () => {
    const definition = workflow({
      slots: { amount: { type: 'number', entity: 'money', min: 0.01, prompt: 'How much?' } },
      steps: [
        { id: 'a', type: 'ask', slot: 'amount' },
        {
          id: 'limit',
          type: 'branch',
          cases: [{ when: { var: 'slots.amount', op: 'lte', value: 50 }, goto: 'small' }],
          else: 'large',
        },
        { id: 'small', type: 'resolve', summary: 'refund {{ slots.amount }}' },
        { id: 'large', type: 'escalate', reason: 'too_much' },
      ],
    });
    const text = 'Please refund $1,250.00 of it';
    expect(
      conversation(definition).start(text, { entities: [entity('money', '$1,250.00', text)] })[0],
    ).toMatchObject({
      type: 'escalate',
      workflowReason: 'too_much',
    });
    const small = 'refund 12,50 euros please';
    expect(
      conversation(definition).start(small, { entities: [entity('money', '12,50 euros', small)] }),
    ).toEqual([{ type: 'resolve', stepId: 'small', summary: 'refund 12.5' }]);
    expect(only(conversation(definition).start('refund please'), 'ask')?.slot).toBe('amount');
  });

  it('fills a choice slot from the opening message when it names exactly one choice (fromMessage)', () => {
    const definition = workflow({
      slots: {
        change: {
          type: 'choice',
          choices: ['address', 'something else'],
          prompt: 'Which?',
          fromMessage: true,
        },
      },
      steps: [
        { id: 'a', type: 'ask', slot: 'change' },
        { id: 'done', type: 'resolve', summary: '{{ slots.change }}' },
      ],
    });
    const named = conversation(definition);
    expect(named.start('How do I update my delivery Address?')).toEqual([
      { type: 'resolve', stepId: 'done', summary: 'address' },
    ]);
    // A word inside another word is not a choice; without fromMessage the question is asked.
    expect(only(conversation(definition).start('my addresses are wrong'), 'ask')?.slot).toBe('change');
    const asked = conversation(
      workflow({ ...definition, slots: { change: { ...definition.slots.change!, fromMessage: false } } }),
    );
    expect(only(asked.start('update my address'), 'ask')?.slot).toBe('change');
  });

  it('fills an entity slot from an entity of an earlier message when its ask step comes', () => {
    const run = conversation(
      workflow({
        slots: {
          topic: { type: 'text', prompt: 'What about?' },
          email: { type: 'entity', entity: 'email', prompt: 'Email?' },
        },
        steps: [
          { id: 'a', type: 'ask', slot: 'topic' },
          { id: 'b', type: 'ask', slot: 'email' },
          { id: 'done', type: 'resolve', summary: '{{ slots.topic }} for {{ slots.email }}' },
        ],
      }),
    );
    run.start('hi');
    const text = 'billing, I am sam@example.com';
    expect(run.say(text, [entity('email', 'sam@example.com', text)])).toEqual([
      { type: 'resolve', stepId: 'done', summary: 'billing, I am sam@example.com for sam@example.com' },
    ]);
    expect(run.state.trail.map((t) => t.outcome)).toEqual([
      'asked',
      'filled',
      'filled_from_entities',
      'resolved',
    ]);
  });

  it('validates numbers against min and max, and escalates when the retries run out', () => {
    const run = conversation(
      workflow({
        slots: {
          qty: {
            type: 'number',
            prompt: 'How many?',
            retryPrompt: 'Between 1 and 10, please.',
            min: 1,
            max: 10,
            retries: 1,
          },
        },
        steps: [
          { id: 'ask_qty', type: 'ask', slot: 'qty' },
          { id: 'done', type: 'resolve' },
        ],
      }),
    );
    run.start('hi');
    expect(run.say('about 40')).toEqual([
      { type: 'ask', stepId: 'ask_qty', slot: 'qty', text: 'Between 1 and 10, please.' },
    ]);
    const escalated = run.say('zero');
    expect(escalated).toEqual([
      {
        type: 'escalate',
        stepId: 'ask_qty',
        code: 'slot_retries_exhausted',
        reason:
          'The customer could not give a detail the workflow needs. Step ask_qty: no valid qty after 2 answers.',
        queue: 'support',
        priority: 'normal',
      },
      { type: 'setOwner', owner: 'human' },
    ]);
    expect(run.state.trail.map((t) => t.outcome)).toEqual(['asked', 'invalid', 'failed']);
  });

  it('asks again with the reason of the rule an answer breaks (an address must look like one)', () => {
    const run = conversation(demo('address-change'));
    run.start('How do I update my delivery address? I moved to Cork.', { customer: liam });
    run.callOk({
      found: true,
      account: { email: liam.email, status: 'active', address: '1 Old Road, Dublin' },
    });
    expect(run.state.stepId).toBe('ask_address');
    const retry = 'Please write the full address on one line, with the street, the postcode and the town.';
    expect(run.say('Thanks Sophie, much appreciated.')).toEqual([
      {
        type: 'ask',
        stepId: 'ask_address',
        slot: 'new_address',
        text: `An address needs a house number or a postcode. ${retry}`,
      },
    ]);
    expect(run.say('is it done?')).toEqual([
      expect.objectContaining({ text: `That reads as a question, not an address. ${retry}` }),
    ]);
    expect(run.state.slots.new_address).toBeUndefined();
    const confirm = run.say('14 Mill Lane, Cork T12 AB34');
    expect(run.state.slots.new_address).toBe('14 Mill Lane, Cork T12 AB34');
    expect(confirm).toEqual([expect.objectContaining({ type: 'confirm', stepId: 'confirm_address' })]);
    expect(run.state.trail.filter((t) => t.stepId === 'ask_address').map((t) => t.outcome)).toEqual([
      'asked',
      'invalid',
      'invalid',
      'filled',
    ]);
  });

  it('goes to onFail when the retries run out and the ask names it', () => {
    const run = conversation(
      workflow({
        slots: { ok: { type: 'yes_no', prompt: 'Shall I?', retries: 0 } },
        steps: [
          { id: 'ask_ok', type: 'ask', slot: 'ok', onFail: 'fallback' },
          { id: 'done', type: 'resolve' },
          { id: 'fallback', type: 'reply', text: 'Never mind.', next: 'done' },
        ],
      }),
    );
    run.start('hi');
    expect(run.say('what?')).toEqual([
      { type: 'reply', stepId: 'fallback', text: 'Never mind.' },
      { type: 'resolve', stepId: 'done' },
    ]);
  });

  it('takes the first branch case that holds, the else, or escalates when neither', () => {
    const definition = workflow({
      slots: { n: { type: 'number', prompt: 'n?' } },
      steps: [
        { id: 'ask_n', type: 'ask', slot: 'n' },
        {
          id: 'pick',
          type: 'branch',
          cases: [
            { when: { var: 'slots.n', op: 'gt', value: 100 }, goto: 'big' },
            { when: { var: 'slots.n', op: 'gt', value: 10 }, goto: 'medium' },
          ],
          else: 'small',
        },
        { id: 'big', type: 'resolve', summary: 'big' },
        { id: 'medium', type: 'resolve', summary: 'medium' },
        { id: 'small', type: 'resolve', summary: 'small' },
      ],
    });
    const summaryFor = (answer: string) => {
      const run = conversation(definition);
      run.start('hi');
      return only(run.say(answer), 'resolve')?.summary;
    };
    expect([summaryFor('500'), summaryFor('50'), summaryFor('5')]).toEqual(['big', 'medium', 'small']);

    const noElse = conversation(
      workflow({
        steps: [
          {
            id: 'pick',
            type: 'branch',
            cases: [{ when: { var: 'customer.plan', op: 'eq', value: 'pro' }, goto: 'done' }],
          },
          { id: 'done', type: 'resolve' },
        ],
      }),
    );
    expect(noElse.start('hi')[0]).toEqual({
      type: 'escalate',
      stepId: 'pick',
      code: 'workflow_escalated',
      reason:
        'The workflow hands this case to a person by design. Branch pick: no case matched and there is no else.',
      workflowReason: 'no_branch_matched',
      queue: 'support',
      priority: 'normal',
    });
  });

  it('escalates with workflow_loop after more than 100 steps without waiting', () => {
    const run = conversation(
      workflow({
        steps: [
          { id: 'a', type: 'goto', target: 'b' },
          { id: 'b', type: 'reply', text: 'again', next: 'a' },
        ],
      }),
    );
    const effects = run.start('hi');
    expect(effects.filter((e) => e.type === 'reply')).toHaveLength(MAX_TRANSITIONS / 2);
    expect(effects.slice(-2)).toEqual([
      expect.objectContaining({ type: 'escalate', code: 'workflow_loop', stepId: 'a' }),
      { type: 'setOwner', owner: 'human' },
    ]);
    expect(run.state.trail).toHaveLength(MAX_TRANSITIONS + 1);
  });

  it('escalates when the last step in the list names no next step', () => {
    const run = conversation(workflow({ steps: [{ id: 'only', type: 'reply', text: 'Hi.' }] }));
    expect(run.start('hi')[1]).toMatchObject({
      type: 'escalate',
      code: 'workflow_escalated',
      workflowReason: 'end_of_steps',
      stepId: 'only',
    });
  });

  it('renders call inputs as data (unescaped), keeps literals, maps outputs and drops missing ones', () => {
    const run = conversation(
      workflow({
        connectors: { crm: 3 },
        slots: { company: { type: 'text', prompt: 'Company?' } },
        steps: [
          { id: 'ask_company', type: 'ask', slot: 'company' },
          {
            id: 'find',
            type: 'call',
            connector: 'crm',
            operation: 'find',
            input: { name: '{{ slots.company }}', limit: 3, exact: true, region: null },
            output: { id: 'match.id', count: 'matches.length', note: 'missing.path' },
            timeoutMs: 2000,
            retries: 0,
          },
          { id: 'done', type: 'resolve', summary: '{{ vars.id }} of {{ vars.count }}' },
        ],
      }),
    );
    run.start('hi');
    const called = run.say("O'Brien & <Sons>");
    expect(called).toEqual([
      {
        type: 'call',
        stepId: 'find',
        callId: 'c1:0',
        connector: 'crm',
        version: 3,
        operation: 'find',
        input: { name: "O'Brien & <Sons>", limit: 3, exact: true, region: null },
        timeoutMs: 2000,
        retries: 0,
      },
    ]);
    const done = run.callOk({ match: { id: 'X-1' }, matches: [1, 2] });
    expect(only(done, 'resolve')?.summary).toBe('X-1 of 2');
    expect(run.state.vars).toEqual({ id: 'X-1', count: 2 });
  });

  it('ignores a call result for another call id, and numbers calls through the conversation', () => {
    const definition = workflow({
      connectors: { crm: 1 },
      steps: [
        { id: 'one', type: 'call', connector: 'crm', operation: 'a', output: { first: 'value' } },
        { id: 'two', type: 'call', connector: 'crm', operation: 'b', output: { second: 'value' } },
        { id: 'done', type: 'resolve' },
      ],
    });
    const run = conversation(definition);
    expect(only(run.start('hi'), 'call')?.callId).toBe('c1:0');
    const before = run.state;
    expect(run.callOk({ value: 1 }, 'c1:7')).toEqual([]);
    expect(run.state).toBe(before);
    expect(only(run.callOk({ value: 1 }), 'call')?.callId).toBe('c1:1');
    expect(run.callOk({ value: 2 }, 'c1:0')).toEqual([]);
    expect(types(run.callOk({ value: 2 }, 'c1:1'))).toEqual(['resolve']);
    expect(run.state.vars).toEqual({ first: 1, second: 2 });
    expect(run.state.attempts).toEqual({ one: 1, two: 1 });
  });

  it('records messages that arrive while a call is pending, without effects or progress', () => {
    const run = conversation(
      workflow({
        connectors: { crm: 1 },
        steps: [
          { id: 'find', type: 'call', connector: 'crm', operation: 'find' },
          { id: 'done', type: 'resolve' },
        ],
      }),
    );
    run.start('hi');
    const text = 'hello? my email is sam@example.com';
    expect(run.say(text, [entity('email', 'sam@example.com', text)])).toEqual([]);
    expect(run.state).toMatchObject({
      status: 'awaiting_call',
      lastMessage: text,
      turns: 2,
      lastProgressTurn: 1,
      entities: [expect.objectContaining({ type: 'email', value: 'sam@example.com' })],
    });
  });
});

describe('confirm', () => {
  const definition = workflow({
    steps: [
      { id: 'check', type: 'confirm', question: 'All good, {{ customer.name }}?' },
      { id: 'unused', type: 'resolve' },
    ],
  });
  const started = () => {
    const run = conversation(definition);
    run.start('hi', { customer: { name: 'Sam', attributes: {} } });
    return run;
  };

  it('resolves on yes and escalates with not_resolved on no by default', () => {
    const yes = started();
    expect(yes.say('yes please')).toEqual([{ type: 'resolve', stepId: 'check' }]);
    expect(yes.state.status).toBe('resolved');
    const no = started();
    expect(no.say('nope')[0]).toMatchObject({ type: 'escalate', code: 'not_resolved', stepId: 'check' });
  });

  it('asks once more after an unclear answer, then treats a second one as no', () => {
    const run = started();
    expect(run.say('what do you mean')).toEqual([
      { type: 'confirm', stepId: 'check', text: 'Please answer yes or no. All good, Sam?' },
    ]);
    expect(run.state.lastProgressTurn).toBe(1);
    expect(run.say('hmm')[0]).toMatchObject({ type: 'escalate', code: 'not_resolved' });
    expect(run.state.trail.map((t) => t.outcome)).toEqual(['asked', 'unclear', 'unclear_as_no']);
  });

  it('follows `yes` and `no` when the step names them', () => {
    const named = workflow({
      steps: [
        { id: 'check', type: 'confirm', yes: 'thanks', no: 'sorry' },
        { id: 'thanks', type: 'resolve', text: 'Great.' },
        { id: 'sorry', type: 'escalate', reason: 'customer_unhappy', text: 'A colleague will help.' },
      ],
    });
    const yes = conversation(named);
    expect(yes.start('hi')).toEqual([
      { type: 'confirm', stepId: 'check', text: 'Did this resolve your issue?' },
    ]);
    expect(types(yes.say('sure'))).toEqual(['reply', 'resolve']);
    const no = conversation(named);
    no.start('hi');
    expect(no.say('no')[0]).toMatchObject({
      workflowReason: 'customer_unhappy',
      text: 'A colleague will help.',
    });
  });
});

describe('answer', () => {
  const definition = workflow({
    steps: [
      { id: 'search', type: 'answer', minScore: 0.5, fallback: 'sorry' },
      { id: 'check', type: 'confirm' },
      { id: 'sorry', type: 'reply', text: 'I have no article on that.', next: 'hand_over' },
      { id: 'hand_over', type: 'escalate', reason: 'no_article' },
    ],
  });

  it('searches for the last message, replies with the passage and its source, and goes on', () => {
    const run = conversation(definition);
    expect(run.start('How do returns work?')).toEqual([
      { type: 'answer', stepId: 'search', query: 'How do returns work?', minScore: 0.5 },
    ]);
    const answered = run.event({
      type: 'answerResult',
      at: T0 + 5000,
      stepId: 'search',
      found: true,
      passage: 'Returns are free within 30 days <b>always</b>.',
      title: 'Returns & refunds',
      url: 'https://help.example/returns?a=1&b=2',
      score: 0.8,
    });
    expect(answered).toEqual([
      {
        type: 'reply',
        stepId: 'search',
        text: 'Returns are free within 30 days &lt;b&gt;always&lt;/b&gt;.\n\nSource: Returns &amp; refunds (https://help.example/returns?a=1&amp;b=2)',
      },
      { type: 'confirm', stepId: 'check', text: 'Did this resolve your issue?' },
    ]);
    expect(run.state.answer).toEqual({
      passage: 'Returns are free within 30 days <b>always</b>.',
      title: 'Returns & refunds',
      url: 'https://help.example/returns?a=1&b=2',
      score: 0.8,
    });
  });

  it('renders a query template, and cites a source without url by its title', () => {
    const run = conversation(
      workflow({
        slots: { topic: { type: 'text', prompt: 'Topic?' } },
        steps: [
          { id: 'ask_topic', type: 'ask', slot: 'topic' },
          { id: 'search', type: 'answer', query: 'policy {{ slots.topic }}' },
          { id: 'done', type: 'resolve' },
        ],
      }),
    );
    run.start('hi');
    expect(run.say('returns')).toEqual([
      { type: 'answer', stepId: 'search', query: 'policy returns', minScore: 0 },
    ]);
    const effects = run.event({
      type: 'answerResult',
      at: T0 + 9000,
      stepId: 'search',
      found: true,
      passage: 'P.',
      title: 'T',
      score: 0,
    });
    expect(only(effects, 'reply')?.text).toBe('P.\n\nSource: T');
  });

  it('takes the fallback below minScore or when nothing is found, and escalates with no_answer without one', () => {
    const low = conversation(definition);
    low.start('q');
    const fallback = low.event({
      type: 'answerResult',
      at: T0 + 5000,
      stepId: 'search',
      found: true,
      passage: 'p',
      title: 't',
      score: 0.2,
    });
    expect(fallback[0]).toEqual({ type: 'reply', stepId: 'sorry', text: 'I have no article on that.' });

    const strict = conversation(
      workflow({
        steps: [
          { id: 'search', type: 'answer' },
          { id: 'done', type: 'resolve' },
        ],
      }),
    );
    strict.start('q');
    expect(strict.event({ type: 'answerResult', at: T0 + 5000, stepId: 'elsewhere', found: false })).toEqual(
      [],
    );
    expect(
      strict.event({ type: 'answerResult', at: T0 + 5000, stepId: 'search', found: false })[0],
    ).toMatchObject({
      type: 'escalate',
      code: 'no_answer',
      stepId: 'search',
    });
  });
});

describe('outside escalation and finished runs', () => {
  const definition = workflow({
    guardrails: { queue: 'tier2' },
    slots: { name: { type: 'text', prompt: 'Name?' } },
    steps: [
      { id: 'ask_name', type: 'ask', slot: 'name' },
      { id: 'done', type: 'resolve' },
    ],
  });

  it('escalates on an escalate event with its code and reason, to the workflow’s queue', () => {
    const run = conversation(definition);
    run.start('hi');
    const effects = run.event({
      type: 'escalate',
      at: T0 + 9000,
      code: 'human_requested',
      reason: 'The customer asked for a person.',
    });
    expect(effects).toEqual([
      {
        type: 'escalate',
        stepId: null,
        code: 'human_requested',
        reason: 'The customer asked for a person.',
        queue: 'tier2',
        priority: 'normal',
      },
      { type: 'setOwner', owner: 'human' },
    ]);
    expect(run.state).toMatchObject({ status: 'escalated', stepId: null, updatedAt: T0 + 9000 });
  });

  it('changes nothing for any event once the run has ended', () => {
    const run = conversation(definition);
    run.start('hi');
    run.say('Sam');
    const ended = run.state;
    expect(ended.status).toBe('resolved');
    expect(run.say('one more thing')).toEqual([]);
    expect(run.event({ type: 'escalate', at: T0, code: 'negative_sentiment', reason: 'x' })).toEqual([]);
    expect(run.state).toBe(ended);
  });
});

describe('contract', () => {
  const definition = orderStatus;
  const text = 'order SB-100001';
  const startEvent: EngineEvent = {
    type: 'start',
    at: T0,
    turn: customerTurn(text, [entity('order_number', 'SB-100001', text)], 'order_status'),
    customer: liam,
    channel: 'chat',
    conversationId: 'c9',
  };

  it('refuses a state of another version, a second start, and an event before the start', () => {
    const { state } = step(definition, null, startEvent);
    const old = { ...state, version: 2 } as unknown as WorkflowState;
    const message: EngineEvent = { type: 'message', at: T0, turn: customerTurn('hi') };
    expect(() => step(definition, old, message)).toThrow(BugError);
    expect(() => step(definition, old, message)).toThrow(
      'workflow state of conversation c9 has version 2; this engine reads version 1',
    );
    expect(() => step(definition, state, startEvent)).toThrow(
      /a start event for conversation c9, whose run has already started/,
    );
    expect(() => step(definition, null, message)).toThrow(/a message event before the start event/);
    expect(() => step(passwordReset, state, message)).toThrow(
      /belongs to workflow order-status, not password-reset/,
    );
  });

  it('never changes its inputs, and gives the same result for the same inputs', () => {
    const frozenDefinition = deepFreeze(structuredClone(definition));
    const events: EngineEvent[] = [
      deepFreeze(structuredClone(startEvent)),
      deepFreeze({
        type: 'callResult',
        at: T0 + 1000,
        callId: 'c9:0',
        ok: true,
        output: { found: true, order: order('SB-100001', 'delivered') },
      }),
      deepFreeze({ type: 'message', at: T0 + 2000, turn: customerTurn('yes') }),
    ];
    const runAll = () => {
      let state: WorkflowState | null = null;
      const effects: Effect[] = [];
      for (const event of events) {
        const result = step(frozenDefinition, state === null ? null : deepFreeze(state), event);
        state = result.state;
        effects.push(...result.effects);
      }
      return { state, effects };
    };
    const first = runAll();
    expect(first.state?.status).toBe('resolved');
    expect(runAll()).toEqual(first);
    expect(frozenDefinition).toEqual(definition);
  });
});

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

describe('reserved names', () => {
  it('reads slots as own properties: a slot named like an Object property is asked, not taken as filled', () => {
    // Built past the schema, as a state or definition from elsewhere could be: the engine must not trust it.
    const base = workflow({
      slots: { which: { type: 'text', prompt: 'Which one?' } },
      steps: [
        { id: 'ask', type: 'ask', slot: 'which' },
        { id: 'done', type: 'resolve' },
      ],
    });
    const definition: WorkflowDefinition = {
      ...base,
      slots: { constructor: base.slots.which } as WorkflowDefinition['slots'],
      steps: [
        {
          ...(base.steps[0] as Extract<WorkflowDefinition['steps'][number], { type: 'ask' }>),
          slot: 'constructor',
        },
        base.steps[1] as WorkflowDefinition['steps'][number],
      ],
    };
    const run = conversation(definition);
    const effects = run.start('hello');
    expect(only(effects, 'ask')?.text).toBe('Which one?');
    expect(run.state.status).toBe('awaiting_input');
    run.say('the blue one');
    expect(Object.hasOwn(run.state.slots, 'constructor')).toBe(true);
    expect(run.state.slots.constructor).toBe('the blue one');
  });
});

describe('a template that fails', () => {
  it('escalates with bot_error, from the start event too, and keeps the state before it', () => {
    const run = conversation(
      workflow({
        steps: [
          {
            id: 'boom',
            type: 'reply',
            text: '{% for a in (1..2000) %}{% for b in (1..2000) %}x{% endfor %}{% endfor %}',
          },
          { id: 'done', type: 'resolve' },
        ],
      }),
    );
    const effects = run.start('hello');
    expect(types(effects)).toEqual(['escalate', 'setOwner']);
    expect(only(effects, 'escalate')).toMatchObject({ stepId: null, code: 'bot_error' });
    expect(only(effects, 'escalate')?.reason).toMatch(
      /^The automation failed while answering .* template "\{% for a/,
    );
    expect(run.state.status).toBe('escalated');
    expect(run.state.outcome).toMatchObject({ type: 'escalated', code: 'bot_error' });
  });
});
