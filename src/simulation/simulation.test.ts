import { describe, expect, it } from 'vitest';
import { createRandom } from '../demo/index.ts';
import { agentPicksUpAt, agentPlan } from './agent.ts';
import { customerMove } from './customer.ts';
import { planSimulation, type SimulatedConversation } from './plan.ts';

const END = Date.UTC(2026, 11, 7, 12, 0, 0);
const DAY = 86_400_000;

function aConversation(over: Partial<SimulatedConversation> = {}): SimulatedConversation {
  return {
    key: 'sim-1-100001',
    ticketId: 100001,
    channel: 'widget',
    at: END - DAY,
    category: 'order_status',
    customer: { email: 'ana@example.net', name: 'Ana Lima', plan: 'pro' },
    opening: 'Where is my order?',
    orderId: 'SB-204113',
    followUps: ['It still has not arrived.'],
    agentAnswer: 'Your order is with the courier and arrives tomorrow.',
    angry: false,
    behaviour: {
      answersDidItHelp: true,
      abandons: false,
      asksForPerson: false,
      reopensAfterMs: null,
      answersSurvey: true,
      thinkMs: 30_000,
    },
    mood: 4,
    ...over,
  };
}

describe('planSimulation', () => {
  it('is the same for the same seed, inside the window, on both channels', () => {
    const start = Date.UTC(2026, 10, 24);
    const props = { days: 14, seed: 1, perDay: 30, run: 'r1', startMs: start, endMs: END };
    const plan = planSimulation(props);
    expect(planSimulation(props)).toEqual(plan);
    expect(plan.length).toBe(420);
    expect(plan.every((c) => c.at >= END - 14 * DAY - 6 * 3_600_000 && c.at < END - 6 * 3_600_000)).toBe(
      true,
    );
    expect(plan.map((c) => c.at)).toEqual([...plan.map((c) => c.at)].sort((a, b) => a - b));
    const helpdesk = plan.filter((c) => c.channel === 'helpdesk').length / plan.length;
    expect(helpdesk).toBeGreaterThan(0.2);
    expect(helpdesk).toBeLessThan(0.4);
    // Another seed: the same customers and requests, other behaviours.
    const other = planSimulation({ ...props, seed: 2 });
    expect(other.map((c) => c.opening)).toEqual(plan.map((c) => c.opening));
    expect(other.map((c) => c.behaviour)).not.toEqual(plan.map((c) => c.behaviour));
    expect(new Set(plan.map((c) => c.key)).size).toBe(plan.length);
    // Another run of the same days: the same conversations under other keys.
    const again = planSimulation({ ...props, run: 'r2' });
    expect(again.map((c) => c.behaviour)).toEqual(plan.map((c) => c.behaviour));
    expect(again.filter((c, i) => c.key === plan[i]?.key)).toEqual([]);
  });
});

describe('planSimulation early in the day', () => {
  it('keeps one day started half an hour ago inside that day', () => {
    const start = Date.UTC(2026, 11, 7);
    const plan = planSimulation({
      days: 1,
      seed: 1,
      perDay: 10,
      run: 'r',
      startMs: start,
      endMs: start + 1_800_000,
    });
    expect(plan.length).toBe(10);
    expect(plan.every((c) => c.at >= start && c.at <= start + 1_800_000)).toBe(true);
  });
});

describe('customerMove', () => {
  const rng = () => createRandom('t');
  const move = (
    lines: Parameters<typeof customerMove>[0]['lines'],
    over: Partial<Parameters<typeof customerMove>[0]> = {},
  ) =>
    customerMove({
      conversation: aConversation(),
      lines,
      turn: 1,
      understood: true,
      answered: false,
      rng: rng(),
      ...over,
    });

  it('answers what the bot asks: the order number, the choice naming the order, the email', () => {
    expect(move([{ text: 'What is your order number?', kind: 'ask' }])).toEqual({
      type: 'say',
      text: 'SB-204113',
    });
    expect(
      move([{ text: 'Which one?', kind: 'ask', choices: ['SB-100001 (delivered)', 'SB-204113 (shipped)'] }]),
    ).toEqual({ type: 'say', text: 'SB-204113 (shipped)' });
    expect(move([{ text: 'What email is the account under?', kind: 'ask' }])).toEqual({
      type: 'say',
      text: 'ana@example.net',
    });
  });

  it('says whether it helped: yes when understood, no when not, nothing when it does not answer surveys', () => {
    expect(
      move([
        { text: 'Order shipped.', kind: 'reply' },
        { text: 'Does that answer your question?', kind: 'confirm' },
      ]),
    ).toMatchObject({
      type: 'answer',
      resolved: true,
      text: expect.stringMatching(/^yes/),
    });
    expect(move([{ text: 'Here is how refunds work.', kind: 'resolve' }], { understood: false })).toEqual({
      type: 'answer',
      resolved: false,
    });
    const silent = aConversation({ behaviour: { ...aConversation().behaviour, answersDidItHelp: false } });
    expect(move([{ text: 'Done.', kind: 'resolve' }], { conversation: silent })).toEqual({
      type: 'stop',
      why: 'silent',
    });
    expect(move([{ text: 'Glad I could help.', kind: 'reply' }], { answered: true })).toEqual({
      type: 'stop',
      why: 'done',
    });
  });

  it('waits for a person after a hand-off, leaves, or asks for a person, as its behaviour says', () => {
    expect(move([{ text: 'I am passing you to a colleague.', kind: 'escalate' }])).toEqual({
      type: 'stop',
      why: 'waiting',
    });
    const leaves = aConversation({ behaviour: { ...aConversation().behaviour, abandons: true } });
    expect(move([{ text: 'Order number?', kind: 'ask' }], { conversation: leaves })).toEqual({
      type: 'stop',
      why: 'left',
    });
    const impatient = aConversation({ behaviour: { ...aConversation().behaviour, asksForPerson: true } });
    expect(
      move([{ text: 'Order number?', kind: 'ask' }], { conversation: impatient, turn: 2 }),
    ).toMatchObject({
      type: 'say',
      text: expect.stringMatching(/talk to a person/),
    });
    // A helpdesk customer reads text only.
    expect(move([{ text: 'A colleague will get back to you shortly.' }])).toEqual({
      type: 'stop',
      why: 'waiting',
    });
  });
});

describe('the scripted agent', () => {
  it('corrects a misread intent, marks a missed automation, and discards a draft of the wrong request', () => {
    const plan = agentPlan({
      conversation: aConversation(),
      view: {
        firstIntent: 'refund_request',
        firstSeq: 0,
        workflow: 'refund-request',
        escalationCode: 'shadow_mode',
        drafts: [{ id: 'd1', text: 'Refund sent.' }],
      },
      intents: new Set(['order_status', 'refund_request']),
      workflowIntents: new Set(['order_status', 'refund_request']),
      rng: createRandom('a'),
    });
    expect(plan.judgement).toEqual({
      verdict: 'wrong',
      couldHaveResolved: false,
      intent: { seq: 0, intent: 'order_status' },
    });
    expect(plan.drafts).toEqual([{ id: 'd1', how: 'discarded' }]);
    expect(plan.reply).toBe('Your order is with the courier and arrives tomorrow.');

    const missed = agentPlan({
      conversation: aConversation(),
      view: { firstIntent: null, firstSeq: 0, workflow: null, escalationCode: 'low_confidence', drafts: [] },
      intents: new Set(['order_status']),
      workflowIntents: new Set(['order_status']),
      rng: createRandom('a'),
    });
    expect(missed.judgement).toEqual({
      verdict: 'right',
      couldHaveResolved: true,
      intent: { seq: 0, intent: 'order_status' },
    });
    // A request no intent covers: "none of these".
    const none = agentPlan({
      conversation: aConversation({ category: 'complaint' }),
      view: {
        firstIntent: 'order_status',
        firstSeq: 0,
        workflow: 'order-status',
        escalationCode: 'not_resolved',
        drafts: [],
      },
      intents: new Set(['order_status']),
      workflowIntents: new Set(['order_status']),
      rng: createRandom('a'),
    });
    expect(none.judgement.intent).toEqual({ seq: 0, intent: null });
    // Understood: the intent confirmed, and every draft decided (none left undecided in the metrics).
    const understood = agentPlan({
      conversation: aConversation(),
      view: {
        firstIntent: 'order_status',
        firstSeq: 0,
        workflow: 'order-status',
        escalationCode: 'shadow_mode',
        drafts: [
          { id: 'a', text: 'Shipped.' },
          { id: 'b', text: 'Did that help?' },
        ],
      },
      intents: new Set(['order_status']),
      workflowIntents: new Set(['order_status']),
      rng: createRandom('a'),
    });
    expect(understood.judgement).toEqual({
      verdict: 'right',
      couldHaveResolved: false,
      intent: { seq: 0, intent: 'order_status' },
    });
    const [first, second] = understood.drafts;
    expect([first?.id, second?.id]).toEqual(['a', 'b']);
    expect(second?.how).toBe(first?.how === 'as_is' ? 'as_is' : 'discarded');
  });

  it('picks up in working hours, and the next morning at night', () => {
    const rng = createRandom('w');
    const noon = Date.UTC(2026, 11, 3, 12, 0, 0);
    const atNoon = agentPicksUpAt(noon, rng);
    expect(atNoon).toBeGreaterThan(noon);
    expect(atNoon - noon).toBeLessThan(4 * 3_600_000);
    const night = Date.UTC(2026, 11, 3, 22, 30, 0);
    const next = agentPicksUpAt(night, rng);
    expect(next).toBeGreaterThanOrEqual(Date.UTC(2026, 11, 4, 8, 0, 0));
    expect(next).toBeLessThan(Date.UTC(2026, 11, 4, 14, 0, 0));
  });
});
