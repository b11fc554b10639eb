import { describe, expect, it } from 'vitest';
import { loadExclusionRules, matchExclusions } from '../audit/exclusions.ts';
import {
  DEFAULT_GUARDRAILS,
  ESCALATION_SENTENCES,
  type GuardrailConfig,
  type TurnAnalysis,
  TurnAnalysisSchema,
} from '../domain/index.ts';
import { analyseSentiment, detectHumanRequest, extractEntities } from '../nlu/index.ts';
import {
  emptyGuardrailHistory,
  evaluateGuardrails,
  GUARDRAIL_TEXTS,
  type GuardrailHistory,
  GuardrailHistorySchema,
  type GuardrailVerdict,
  mergeGuardrails,
  normaliseText,
  recordProgress,
} from './guardrails.ts';

type TurnInput = Omit<Partial<TurnAnalysis>, 'sentiment'> & {
  sentiment?: Partial<TurnAnalysis['sentiment']>;
};

/** A confident, calm, accepted order-status turn unless told otherwise. */
function turn(input: TurnInput = {}): TurnAnalysis {
  const { sentiment, ...rest } = input;
  return TurnAnalysisSchema.parse({
    text: 'Where is my order?',
    intent: 'order_status',
    confidence: 0.92,
    outOfScope: false,
    reason: 'accepted',
    entities: [],
    humanRequested: false,
    exclusions: [],
    ...rest,
    sentiment: { score: 0, label: 'neutral', frustration: 0, cues: [], ...sentiment },
  });
}

/** An answer to the workflow's question that the NLU cannot place. */
const answer = (text: string) =>
  turn({ text, intent: 'greeting', confidence: 0.2, outOfScope: true, reason: 'out_of_scope' });

interface Step {
  turn: TurnAnalysis;
  awaitingAnswer?: boolean;
  workflowActive?: boolean;
  /** The engine made progress on this turn (the runtime then calls recordProgress). */
  progress?: boolean;
}

/** Runs turns through the guardrails the way the runtime does, threading the history. */
function converse(
  steps: Step[],
  config: GuardrailConfig = DEFAULT_GUARDRAILS,
  start: GuardrailHistory = emptyGuardrailHistory(),
): { verdicts: GuardrailVerdict[]; history: GuardrailHistory } {
  let history = start;
  const verdicts: GuardrailVerdict[] = [];
  for (const s of steps) {
    const verdict = evaluateGuardrails({
      config,
      turn: s.turn,
      history,
      awaitingAnswer: s.awaitingAnswer ?? false,
      workflowActive: s.workflowActive ?? false,
    });
    verdicts.push(verdict);
    history = verdict.history;
    if (verdict.action === 'continue' && s.progress) history = recordProgress(history);
  }
  return { verdicts, history };
}

const once = (t: TurnAnalysis, options: Omit<Step, 'turn'> = {}, config = DEFAULT_GUARDRAILS) =>
  converse([{ turn: t, ...options }], config).verdicts[0] as GuardrailVerdict;

const actions = (verdicts: GuardrailVerdict[]) =>
  verdicts.map((v) => (v.action === 'continue' ? 'continue' : `${v.action}:${v.code}`));

describe('human request', () => {
  it('escalates at once, even on the first turn and while the workflow awaits an answer', () => {
    const verdict = once(turn({ text: 'Let me talk to a human', humanRequested: true }), {
      awaitingAnswer: true,
      workflowActive: true,
    });
    expect(verdict).toMatchObject({ action: 'escalate', code: 'human_requested', priority: 'normal' });
    if (verdict.action !== 'escalate') throw new Error('expected an escalation');
    expect(verdict.reason).toBe(`${ESCALATION_SENTENCES.human_requested} Last intent: order_status.`);
    expect(verdict.queue).toBe('support');
  });

  it('names the intent the conversation is about, never a guess it did not accept, as the handoff packet does', () => {
    const unsure = turn({
      text: 'can I just talk to a human please',
      intent: 'order_cancellation',
      confidence: 0.29,
      reason: 'low_confidence',
      humanRequested: true,
    });
    const afterAsk = converse([{ turn: turn({ intent: 'account_update' }) }, { turn: unsure }]).verdicts[1];
    expect(afterAsk?.action === 'escalate' && afterAsk.reason).toBe(
      `${ESCALATION_SENTENCES.human_requested} Last intent: account_update.`,
    );
    expect(afterAsk).toMatchObject({ detail: { intent: 'account_update' } });
    // While a workflow runs, its intent: the packet's.
    const running = evaluateGuardrails({
      config: DEFAULT_GUARDRAILS,
      turn: { ...unsure, intent: 'refund_request', confidence: 0.95, reason: 'accepted' },
      history: emptyGuardrailHistory(),
      awaitingAnswer: false,
      workflowActive: true,
      workflowIntent: 'address_change',
    });
    expect(running.action === 'escalate' && running.reason).toMatch(/Last intent: address_change\.$/);
    const first = once(unsure);
    expect(first.action === 'escalate' && first.reason).toMatch(/No intent recognised yet\.$/);
  });

  it('leaves the turn to the workflow when escalateOnHumanRequest is off', () => {
    const config = mergeGuardrails(DEFAULT_GUARDRAILS, { escalateOnHumanRequest: false });
    expect(once(turn({ humanRequested: true }), {}, config).action).toBe('continue');
  });
});

describe('exclusions', () => {
  it('escalates on a matched rule, naming it', () => {
    const verdict = once(turn({ text: 'My account was hacked', exclusions: ['account_security'] }));
    expect(verdict).toMatchObject({
      action: 'escalate',
      code: 'excluded',
      detail: { rules: ['account_security'] },
      priority: 'high',
    });
    if (verdict.action !== 'escalate') throw new Error('expected an escalation');
    expect(verdict.reason).toBe(`${ESCALATION_SENTENCES.excluded} Rule: account_security.`);
  });

  it('ignores the rules a workflow allows, and names only the others', () => {
    const config = mergeGuardrails(DEFAULT_GUARDRAILS, { allowExclusions: ['refund_above_limit'] });
    expect(once(turn({ exclusions: ['refund_above_limit'] }), {}, config).action).toBe('continue');
    const both = once(turn({ exclusions: ['refund_above_limit', 'legal_compliance'] }), {}, config);
    expect(both).toMatchObject({ code: 'excluded', detail: { rules: ['legal_compliance'] } });
  });
});

describe('negative sentiment', () => {
  it('escalates on a low score, stating the score and cues', () => {
    const verdict = once(
      turn({ sentiment: { score: -0.81, label: 'negative', frustration: 0.4, cues: ['repeat_contact'] } }),
    );
    expect(verdict).toMatchObject({ action: 'escalate', code: 'negative_sentiment' });
    if (verdict.action !== 'escalate') throw new Error('expected an escalation');
    expect(verdict.reason).toBe(
      `${ESCALATION_SENTENCES.negative_sentiment} Sentiment -0.81 (escalates at -0.50 or below), frustration 0.40 (escalates at 0.80 or above); cues: repeat_contact.`,
    );
  });

  it('escalates on high frustration even when the score is mild', () => {
    expect(once(turn({ sentiment: { score: -0.2, frustration: 0.85 } }))).toMatchObject({
      code: 'negative_sentiment',
      detail: { score: -0.2, frustration: 0.85 },
    });
  });

  it('fires at the threshold itself and not on mild displeasure', () => {
    expect(once(turn({ sentiment: { score: -0.5 } })).action).toBe('escalate');
    expect(once(turn({ sentiment: { score: -0.3, label: 'negative', frustration: 0.4 } })).action).toBe(
      'continue',
    );
    const strict = mergeGuardrails(DEFAULT_GUARDRAILS, { negativeSentimentBelow: -0.2 });
    expect(once(turn({ sentiment: { score: -0.3 } }), {}, strict).action).toBe('escalate');
  });
});

describe('repeated intent', () => {
  const asks = ['Where is my order?', 'Has my parcel shipped yet', 'When will my package arrive?'];

  it('escalates when the same intent comes three times in different words', () => {
    const { verdicts } = converse(asks.map((text) => ({ turn: turn({ text }) })));
    expect(actions(verdicts)).toEqual(['continue', 'continue', 'escalate:repeated_intent']);
    expect(verdicts[2]).toMatchObject({ detail: { intent: 'order_status', times: 3 } });
  });

  it('does not fire on two repeats, on the same words again, or on other intents', () => {
    expect(actions(converse(asks.slice(0, 2).map((text) => ({ turn: turn({ text }) }))).verdicts)).toEqual([
      'continue',
      'continue',
    ]);
    const same = ['Where is my order?', 'where is my order', 'WHERE IS MY ORDER?!'];
    expect(actions(converse(same.map((text) => ({ turn: turn({ text }) }))).verdicts)).toEqual([
      'continue',
      'continue',
      'continue',
    ]);
    const mixed = converse([
      { turn: turn({ text: asks[0] }) },
      { turn: turn({ text: 'I need a refund', intent: 'refund' }) },
      { turn: turn({ text: asks[1] }) },
    ]);
    expect(actions(mixed.verdicts)).toEqual(['continue', 'continue', 'continue']);
  });

  it('counts only accepted, confident turns that are not answers to a question', () => {
    const unsure = turn({ text: 'parcel??', confidence: 0.3, reason: 'low_confidence' });
    const { verdicts } = converse([
      { turn: turn({ text: asks[0] }) },
      { turn: unsure },
      { turn: turn({ text: 'my order number is SB-123456' }), awaitingAnswer: true, workflowActive: true },
      { turn: turn({ text: asks[1] }) },
    ]);
    expect(actions(verdicts)).toEqual(['continue', 'clarify:low_confidence', 'continue', 'continue']);
  });

  it('follows a per-workflow maxSameIntent', () => {
    const config = mergeGuardrails(DEFAULT_GUARDRAILS, { maxSameIntent: 2 });
    const { verdicts } = converse(
      asks.slice(0, 2).map((text) => ({ turn: turn({ text }) })),
      config,
    );
    expect(actions(verdicts)).toEqual(['continue', 'escalate:repeated_intent']);
  });
});

describe('no progress', () => {
  const stuck = (n: number): Step[] =>
    Array.from({ length: n }, (_, i) => ({
      turn: answer(`I don't know ${i}`),
      awaitingAnswer: true,
      workflowActive: true,
    }));

  it('escalates on the turn after three exchanges without progress', () => {
    const { verdicts } = converse(stuck(4));
    expect(actions(verdicts)).toEqual(['continue', 'continue', 'continue', 'escalate:no_progress']);
    expect(verdicts[3]).toMatchObject({ detail: { turns: 3 } });
    if (verdicts[3]?.action !== 'escalate') throw new Error('expected an escalation');
    expect(verdicts[3].reason).toBe(
      `${ESCALATION_SENTENCES.no_progress} 3 customer turns in a row without progress.`,
    );
  });

  it('starts counting again after progress', () => {
    const steps = stuck(6);
    (steps[2] as Step).progress = true;
    expect(actions(converse(steps).verdicts)).toEqual([
      'continue',
      'continue',
      'continue',
      'continue',
      'continue',
      'continue',
    ]);
  });

  it('does not count turns while no workflow runs', () => {
    const intents = ['order_status', 'refund', 'password_reset', 'invoice', 'shipping_cost'];
    const { verdicts, history } = converse(
      intents.map((intent) => ({ turn: turn({ text: intent, intent }) })),
    );
    expect(actions(verdicts)).toEqual(intents.map(() => 'continue'));
    expect(history.turnsWithoutProgress).toBe(0);
  });

  it('follows a per-workflow maxExchangesWithoutProgress of 5', () => {
    const config = mergeGuardrails(DEFAULT_GUARDRAILS, { maxExchangesWithoutProgress: 5 });
    expect(actions(converse(stuck(6), config).verdicts)).toEqual([
      'continue',
      'continue',
      'continue',
      'continue',
      'continue',
      'escalate:no_progress',
    ]);
  });
});

describe('out of scope and low confidence', () => {
  const chatter = turn({
    text: 'blue banana',
    intent: null,
    confidence: 0.1,
    outOfScope: true,
    reason: 'out_of_scope',
  });
  const unsure = turn({ text: 'it is about the thing', confidence: 0.35, reason: 'low_confidence' });

  it('asks one clarifying question, then escalates out_of_scope', () => {
    const { verdicts, history } = converse([{ turn: chatter }, { turn: chatter }]);
    expect(verdicts[0]).toEqual({
      action: 'clarify',
      code: 'out_of_scope',
      text: GUARDRAIL_TEXTS.clarify,
      history: expect.objectContaining({ clarifications: 1 }),
    });
    expect(verdicts[1]).toMatchObject({
      action: 'escalate',
      code: 'out_of_scope',
      detail: { clarifications: 1 },
    });
    expect(history.clarifications).toBe(1);
  });

  it('escalates low_confidence with the confidence it had', () => {
    const { verdicts } = converse([{ turn: unsure }, { turn: unsure }]);
    expect(actions(verdicts)).toEqual(['clarify:low_confidence', 'escalate:low_confidence']);
    if (verdicts[1]?.action !== 'escalate') throw new Error('expected an escalation');
    expect(verdicts[1].reason).toBe(
      `${ESCALATION_SENTENCES.low_confidence} Confidence 0.35 (below 0.50) for order_status after 1 clarifying question.`,
    );
  });

  it('treats an accepted intent below minConfidence as unsure', () => {
    const config = mergeGuardrails(DEFAULT_GUARDRAILS, { minConfidence: 0.8 });
    expect(once(turn({ confidence: 0.7 }), {}, config)).toMatchObject({
      action: 'clarify',
      code: 'low_confidence',
    });
  });

  it('does not clarify an answer to the workflow\'s question ("SB-123456", "yes")', () => {
    const { verdicts } = converse([
      { turn: answer('SB-123456'), awaitingAnswer: true, workflowActive: true, progress: true },
      { turn: answer('yes'), awaitingAnswer: true, workflowActive: true, progress: true },
    ]);
    expect(actions(verdicts)).toEqual(['continue', 'continue']);
  });

  it('allows a new clarifying question once a turn was understood', () => {
    const { verdicts } = converse([{ turn: chatter }, { turn: turn() }, { turn: chatter }]);
    expect(actions(verdicts)).toEqual(['clarify:out_of_scope', 'continue', 'clarify:out_of_scope']);
  });

  it('follows clarifyingQuestions: 0 escalates at once, 2 asks twice', () => {
    const none = mergeGuardrails(DEFAULT_GUARDRAILS, { clarifyingQuestions: 0 });
    expect(once(chatter, {}, none)).toMatchObject({ action: 'escalate', code: 'out_of_scope' });
    const two = mergeGuardrails(DEFAULT_GUARDRAILS, { clarifyingQuestions: 2 });
    expect(
      actions(converse([{ turn: chatter }, { turn: chatter }, { turn: chatter }], two).verdicts),
    ).toEqual(['clarify:out_of_scope', 'clarify:out_of_scope', 'escalate:out_of_scope']);
  });
});

describe('order of precedence', () => {
  const angry = { score: -0.9, label: 'negative' as const, frustration: 0.9, cues: ['strong_words'] };
  const repeatedHistory: GuardrailHistory = {
    ...emptyGuardrailHistory(),
    intents: [
      { intent: 'order_status', text: 'where is my order' },
      { intent: 'order_status', text: 'has my parcel shipped' },
    ],
  };
  const stuckHistory: GuardrailHistory = { ...repeatedHistory, turnsWithoutProgress: 3, clarifications: 1 };
  const cases: { name: string; turn: TurnAnalysis; history: GuardrailHistory; code: string }[] = [
    {
      name: 'a human request beats everything',
      turn: turn({
        text: 'agent now',
        humanRequested: true,
        exclusions: ['legal_compliance'],
        sentiment: angry,
      }),
      history: stuckHistory,
      code: 'human_requested',
    },
    {
      name: 'an exclusion beats sentiment',
      turn: turn({ text: 'my lawyer', exclusions: ['legal_compliance'], sentiment: angry }),
      history: stuckHistory,
      code: 'excluded',
    },
    {
      name: 'sentiment beats a repeated intent',
      turn: turn({ text: 'WHERE IS THE PARCEL', sentiment: angry }),
      history: stuckHistory,
      code: 'negative_sentiment',
    },
    {
      name: 'a repeated intent beats no progress',
      turn: turn({ text: 'when does my package come' }),
      history: stuckHistory,
      code: 'repeated_intent',
    },
    {
      name: 'no progress beats a clarifying question',
      turn: turn({ text: 'hmm', intent: null, outOfScope: true, reason: 'out_of_scope', confidence: 0.1 }),
      history: { ...stuckHistory, clarifications: 0 },
      code: 'no_progress',
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const verdict = evaluateGuardrails({
        config: DEFAULT_GUARDRAILS,
        turn: c.turn,
        history: c.history,
        awaitingAnswer: false,
        workflowActive: true,
      });
      expect(verdict.action === 'continue' ? 'continue' : verdict.code).toBe(c.code);
    });
  }
});

describe('mergeGuardrails', () => {
  it('replaces the keys a workflow sets and keeps the rest', () => {
    const global = mergeGuardrails(DEFAULT_GUARDRAILS, {
      allowExclusions: ['refund_above_limit'],
      queue: 'tier1',
    });
    const merged = mergeGuardrails(global, {
      maxExchangesWithoutProgress: 5,
      allowExclusions: [],
      minConfidence: undefined,
    });
    expect(merged).toEqual({ ...DEFAULT_GUARDRAILS, queue: 'tier1', maxExchangesWithoutProgress: 5 });
    expect(mergeGuardrails(global)).toEqual(global);
  });
});

describe('the history', () => {
  it('goes through JSON in the middle of a conversation and the run continues the same', () => {
    const steps: Step[] = [
      { turn: turn({ text: 'Where is my order?' }), progress: true },
      { turn: answer('no idea'), awaitingAnswer: true, workflowActive: true },
      { turn: turn({ text: 'Has my parcel shipped' }), workflowActive: true },
      { turn: answer('dunno'), awaitingAnswer: true, workflowActive: true },
      { turn: turn({ text: 'When will my package arrive?' }), workflowActive: true },
    ];
    const whole = converse(steps);
    const firstHalf = converse(steps.slice(0, 2));
    const stored = JSON.parse(JSON.stringify(firstHalf.history)) as unknown;
    const resumed = converse(steps.slice(2), DEFAULT_GUARDRAILS, GuardrailHistorySchema.parse(stored));
    expect([...firstHalf.verdicts, ...resumed.verdicts]).toEqual(whole.verdicts);
    expect(resumed.history).toEqual(whole.history);
    expect(actions(whole.verdicts).at(-1)).toBe('escalate:repeated_intent');
  });

  it('recordProgress resets only the no-progress count', () => {
    const history: GuardrailHistory = {
      version: 1,
      intents: [{ intent: 'order_status', text: 'where is my order' }],
      turnsWithoutProgress: 2,
      clarifications: 1,
    };
    expect(recordProgress(history)).toEqual({ ...history, turnsWithoutProgress: 0 });
  });

  it('compares texts without case, punctuation or extra spaces', () => {
    expect(normaliseText('  Where IS my order?!  ')).toBe('where is my order');
    expect(normaliseText('Ｗhere’s my “order”')).toBe('where s my order');
  });
});

describe('on real NLU output and the shipped exclusion rules', () => {
  const rules = loadExclusionRules();
  /** The NLU pieces that need no model; the intent and confidence are given, as a model would. */
  const analyse = (text: string, intent = 'order_status', confidence = 0.9): TurnAnalysis => {
    const entities = extractEntities(text);
    const sentiment = analyseSentiment(text);
    return TurnAnalysisSchema.parse({
      text,
      intent,
      confidence,
      outOfScope: false,
      reason: 'accepted',
      entities,
      sentiment,
      humanRequested: detectHumanRequest(text).requested,
      exclusions: matchExclusions(text, entities, rules),
    });
  };
  const verdictOn = (text: string, intent?: string) => {
    const v = once(analyse(text, intent));
    return v.action === 'continue' ? 'continue' : v.code;
  };

  it('escalates the texts that need a person', () => {
    expect(verdictOn('Can I speak to a real person please?')).toBe('human_requested');
    expect(verdictOn('My account was hacked and someone placed an order', 'account')).toBe('excluded');
    expect(verdictOn('I want a refund of $250 for the sofa', 'refund')).toBe('excluded');
    expect(verdictOn('This is the THIRD time I ask. Still not fixed!!!')).toBe('negative_sentiment');
    expect(verdictOn('This is ridiculous, worst service ever. I am furious!!')).toBe('negative_sentiment');
  });

  it('lets routine and near-miss texts through', () => {
    expect(verdictOn('No need for an agent, I found it.')).toBe('continue');
    expect(verdictOn('Where is my order SB-123456?')).toBe('continue');
    expect(verdictOn('Can I get a refund of $25 please?', 'refund')).toBe('continue');
    expect(verdictOn('Hi, could you tell me when my parcel will arrive? Thanks')).toBe('continue');
  });

  it('names the exclusion rule and the sentiment figures in the reason', () => {
    const excluded = once(analyse('I was charged for orders I never placed, this is fraud', 'billing'));
    expect(excluded).toMatchObject({ code: 'excluded', detail: { rules: ['account_security'] } });
    const upset = once(analyse('This is the THIRD time I ask. Still not fixed!!!'));
    if (upset.action !== 'escalate') throw new Error('expected an escalation');
    expect(upset.reason).toMatch(/Sentiment -0\.\d\d .*cues: repeat_contact, still_not, exclamations\.$/);
  });
});
