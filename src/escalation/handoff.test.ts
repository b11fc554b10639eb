import { describe, expect, it } from 'vitest';
import {
  type CustomerProfile,
  ESCALATION_CODES,
  ESCALATION_SENTENCES,
  type EscalationCode,
  type TranscriptLine,
  type TurnAnalysis,
  TurnAnalysisSchema,
} from '../domain/index.ts';
// The contract files themselves: the packet depends on the state's shape, not on the engine.
import { type WorkflowDefinition, WorkflowSchema } from '../workflows/definition.ts';
import { type WorkflowState, WorkflowStateSchema } from '../workflows/state.ts';
import { type BuildHandoffPacketProps, buildHandoffPacket } from './handoff.ts';
import { HandoffPacketSchema } from './handoff-packet.ts';
import {
  NOTE_MAX_CHARS,
  renderHandoffHtml,
  renderHandoffMarkdown,
  renderHandoffNote,
} from './render-handoff.ts';
import { summariseValue } from './summarise-value.ts';

const T0 = Date.UTC(2026, 10, 27, 10, 0, 0);
const at = (seconds: number) => T0 + seconds * 1000;

function analysis(text: string, input: Partial<TurnAnalysis> = {}): TurnAnalysis {
  return TurnAnalysisSchema.parse({
    text,
    intent: 'order_status',
    confidence: 0.93,
    outOfScope: false,
    reason: 'accepted',
    entities: [],
    sentiment: { score: 0, label: 'neutral', frustration: 0, cues: [] },
    humanRequested: false,
    exclusions: [],
    ...input,
  });
}

const customerLine = (text: string, s: number, input: Partial<TurnAnalysis> = {}): TranscriptLine => ({
  role: 'customer',
  text,
  at: at(s),
  analysis: analysis(text, input),
});
const botLine = (text: string, s: number, stepId: string): TranscriptLine => ({
  role: 'bot',
  text,
  at: at(s),
  stepId,
});

/** The order-status workflow the state below ran (only what the packet reads: step titles and slots). */
const definition: WorkflowDefinition = WorkflowSchema.parse({
  id: 'order_status',
  version: 2,
  trigger: { intents: ['order_status'] },
  connectors: { 'demo-shop': 1 },
  slots: { order_number: { type: 'entity', entity: 'order_number', prompt: 'What is your order number?' } },
  steps: [
    { id: 'ask_order', type: 'ask', slot: 'order_number', title: 'Ask for the order number' },
    {
      id: 'lookup',
      type: 'call',
      title: 'Look the order up',
      connector: 'demo-shop',
      operation: 'get_order',
      input: { order_number: '{{ slots.order_number }}' },
      output: { order: 'order' },
    },
    {
      id: 'tell_status',
      type: 'reply',
      text: 'Your order {{ slots.order_number }} is {{ vars.order.status }}.',
    },
    { id: 'did_it_help', type: 'confirm' },
  ],
});

const customer: CustomerProfile = {
  id: 'cus_1042',
  name: 'Ada Lovelace',
  email: 'ada@example.com',
  plan: 'pro',
  segment: 'vip',
  attributes: { orders: 14 },
};

/** Where is my order -> order number asked and given -> the shop times out three times -> escalated. */
function orderStatusConversation(): BuildHandoffPacketProps {
  const transcript: TranscriptLine[] = [
    customerLine("Hi, where is my order? It's been a week.", 0, {
      sentiment: { score: -0.2, label: 'neutral', frustration: 0.25, cues: ['complaint'] },
    }),
    botLine('What is your order number?', 1, 'ask_order'),
    customerLine('SB-123456', 30, {
      intent: null,
      confidence: 0.12,
      outOfScope: true,
      reason: 'out_of_scope',
      entities: [{ type: 'order_number', value: 'SB-123456', start: 0, end: 9 }],
    }),
    botLine('One moment, I am looking it up.', 31, 'lookup'),
    botLine('I am passing you to a colleague who can help.', 47, 'lookup'),
  ];
  const state: WorkflowState = WorkflowStateSchema.parse({
    version: 1,
    workflowId: 'order_status',
    workflowVersion: 2,
    conversationId: 'conv-7',
    status: 'escalated',
    stepId: 'lookup',
    slots: { order_number: 'SB-123456' },
    vars: {},
    customer,
    channel: 'chat',
    intent: 'order_status',
    entities: [{ type: 'order_number', value: 'SB-123456', start: 0, end: 9 }],
    lastMessage: 'SB-123456',
    attempts: { lookup: 3 },
    pendingCallId: null,
    callCount: 1,
    answer: null,
    trail: [
      { stepId: 'ask_order', type: 'ask', outcome: 'asked', at: at(1) },
      { stepId: 'ask_order', type: 'ask', outcome: 'filled', at: at(30) },
      { stepId: 'lookup', type: 'call', outcome: 'called', at: at(31) },
      { stepId: 'lookup', type: 'call', outcome: 'call_failed', at: at(47) },
    ],
    calls: [
      {
        callId: 'conv-7:1',
        stepId: 'lookup',
        connector: 'demo-shop',
        operation: 'get_order',
        input: { order_number: 'SB-123456' },
        ok: false,
        error: 'timeout: no answer within 5000 ms (3 attempts)',
        at: at(31),
      },
    ],
    turns: 2,
    lastProgressTurn: 2,
    outcome: {
      type: 'escalated',
      code: 'connector_failed',
      reason: `${ESCALATION_SENTENCES.connector_failed} demo-shop get_order: timeout.`,
    },
    startedAt: at(0),
    updatedAt: at(47),
  });
  return {
    conversationId: 'conv-7',
    at: at(47),
    transcript,
    state,
    escalation: {
      code: 'connector_failed',
      reason: `${ESCALATION_SENTENCES.connector_failed} demo-shop get_order: timeout.`,
      queue: 'orders',
      priority: 'high',
    },
    customer,
    definition,
  };
}

describe('buildHandoffPacket on an escalated order-status conversation', () => {
  const packet = buildHandoffPacket(orderStatusConversation());

  it('carries the escalation, customer and intent', () => {
    expect(HandoffPacketSchema.parse(packet)).toEqual(packet);
    expect(packet).toMatchObject({
      version: 1,
      conversationId: 'conv-7',
      createdAt: at(47),
      intent: 'order_status',
      customer: { name: 'Ada Lovelace', plan: 'pro', segment: 'vip', attributes: { orders: 14 } },
      escalation: {
        code: 'connector_failed',
        sentence: ESCALATION_SENTENCES.connector_failed,
        reason: `${ESCALATION_SENTENCES.connector_failed} demo-shop get_order: timeout.`,
        queue: 'orders',
        priority: 'high',
      },
    });
  });

  it('keeps the full transcript with intent, confidence and sentiment per customer turn', () => {
    expect(packet.transcript.map((l) => l.role)).toEqual(['customer', 'bot', 'customer', 'bot', 'bot']);
    expect(packet.transcript[0]).toEqual({
      role: 'customer',
      text: "Hi, where is my order? It's been a week.",
      at: at(0),
      turn: {
        intent: 'order_status',
        confidence: 0.93,
        reason: 'accepted',
        sentiment: 'neutral',
        sentimentScore: -0.2,
        cues: ['complaint'],
        humanRequested: false,
        exclusions: [],
      },
    });
    expect(packet.transcript[2]?.turn).toMatchObject({ intent: null, reason: 'out_of_scope' });
    expect(packet.transcript[1]).toEqual({
      role: 'bot',
      text: 'What is your order number?',
      at: at(1),
      stepId: 'ask_order',
    });
  });

  it('lists the workflow, its steps with titles, the slots and the connector results', () => {
    expect(packet.workflow).toEqual({
      id: 'order_status',
      version: 2,
      status: 'escalated',
      stepId: 'lookup',
      steps: [
        { stepId: 'ask_order', title: 'Ask for the order number', type: 'ask', outcome: 'asked', at: at(1) },
        {
          stepId: 'ask_order',
          title: 'Ask for the order number',
          type: 'ask',
          outcome: 'filled',
          at: at(30),
        },
        { stepId: 'lookup', title: 'Look the order up', type: 'call', outcome: 'called', at: at(31) },
        { stepId: 'lookup', title: 'Look the order up', type: 'call', outcome: 'call_failed', at: at(47) },
      ],
      slots: { order_number: 'SB-123456' },
      calls: [
        {
          callId: 'conv-7:1',
          stepId: 'lookup',
          connector: 'demo-shop',
          operation: 'get_order',
          ok: false,
          input: '{"order_number":"SB-123456"}',
          error: 'timeout: no answer within 5000 ms (3 attempts)',
          at: at(31),
        },
      ],
    });
  });

  it('suggests looking the order up by hand, naming the connector, operation and error', () => {
    expect(packet.suggestedNextStep).toBe(
      'Look it up in demo-shop by hand: get_order failed with "timeout: no answer within 5000 ms (3 attempts)" (input {"order_number":"SB-123456"}). Then answer the order_status request; collected so far: order_number = SB-123456.',
    );
  });

  it('summarises a large connector output instead of copying it', () => {
    const props = orderStatusConversation();
    const orders = Array.from({ length: 200 }, (_, i) => ({
      number: `SB-${100000 + i}`,
      status: 'shipped',
      lines: [1, 2],
    }));
    const state = props.state as WorkflowState;
    const big = buildHandoffPacket({
      ...props,
      state: {
        ...state,
        calls: [
          {
            ...(state.calls[0] as WorkflowState['calls'][number]),
            ok: true,
            output: { orders },
            error: undefined,
          },
        ],
      },
    });
    const output = big.workflow?.calls[0]?.output ?? '';
    expect(output.length).toBeLessThan(400);
    expect(output).toContain(
      '[200 items, first: {number: "SB-100000", status: "shipped", lines: [2 items]}]',
    );
    expect(output).toMatch(/\(\d{1,3}(,\d{3})* characters in full\)$/);
    expect(big.workflow?.calls[0]?.ok).toBe(true);
  });

  it('works without a workflow (escalated before one started)', () => {
    const p = buildHandoffPacket({
      conversationId: 'c2',
      at: at(5),
      transcript: [customerLine('I want to talk to a human', 0, { humanRequested: true, intent: 'refund' })],
      state: null,
      escalation: {
        code: 'human_requested',
        reason: ESCALATION_SENTENCES.human_requested,
        queue: 'support',
        priority: 'normal',
      },
      customer: { attributes: {} },
    });
    expect(p.workflow).toBeNull();
    expect(p.intent).toBe('refund');
    expect(p.suggestedNextStep).toBe(
      'Greet the customer and take over the refund request; collected so far: nothing yet. Do not ask again for what is already there.',
    );
    expect(renderHandoffNote(p)).toContain('Intent: refund');
  });
});

describe('the suggested next step', () => {
  /** The order-status conversation escalated with another code, the state adjusted where the code needs it. */
  function escalatedWith(code: EscalationCode, edit: (p: BuildHandoffPacketProps) => void = () => {}) {
    const props = orderStatusConversation();
    props.escalation = { ...props.escalation, code, reason: ESCALATION_SENTENCES[code] };
    edit(props);
    return buildHandoffPacket(props).suggestedNextStep;
  }
  const withState = (p: BuildHandoffPacketProps, change: Partial<WorkflowState>) => {
    p.state = { ...(p.state as WorkflowState), ...change };
  };

  it('names the missing detail when slot retries ran out', () => {
    const next = escalatedWith('slot_retries_exhausted', (p) => {
      withState(p, {
        stepId: 'ask_order',
        slots: {},
        calls: [],
        trail: [
          { stepId: 'ask_order', type: 'ask', outcome: 'asked', at: at(1) },
          { stepId: 'ask_order', type: 'ask', outcome: 'invalid', at: at(30) },
          { stepId: 'ask_order', type: 'ask', outcome: 'invalid', at: at(40) },
          { stepId: 'ask_order', type: 'ask', outcome: 'invalid', at: at(50) },
        ],
      });
    });
    expect(next).toBe(
      'Get the order number from the customer: 3 answers did not validate, so check what they have (a typo, another format, a different account). Then continue the order_status request; collected so far: nothing yet.',
    );
    const withoutDefinition = escalatedWith('slot_retries_exhausted', (p) => {
      withState(p, {
        stepId: 'ask_order',
        trail: [{ stepId: 'ask_order', type: 'ask', outcome: 'invalid', at: at(30) }],
      });
      delete p.definition;
    });
    expect(withoutDefinition).toContain(
      'Get the detail step ask_order asks for from the customer: 1 answer did not validate',
    );
  });

  it('says what was answered when it did not resolve the issue', () => {
    const next = escalatedWith('not_resolved', (p) => {
      p.transcript = [...p.transcript, botLine('Your order SB-123456 is shipped.', 60, 'tell_status')];
      withState(p, {
        trail: [
          ...(p.state as WorkflowState).trail,
          { stepId: 'tell_status', type: 'reply', outcome: 'said', at: at(60) },
        ],
      });
    });
    expect(next).toBe(
      'The customer says the answer did not solve it. They were told: "Your order SB-123456 is shipped.". Ask what is still wrong rather than repeating it, and take over the order_status request; collected so far: order_number = SB-123456.',
    );
    const article = escalatedWith('not_resolved', (p) =>
      withState(p, { answer: { passage: 'Orders ship in 2 days.', title: 'Delivery times', score: 0.8 } }),
    );
    expect(article).toContain('They were given the knowledge-base article "Delivery times".');
  });

  it('gives the intent and what was collected when a person was asked for', () => {
    expect(escalatedWith('human_requested')).toBe(
      'Greet Ada Lovelace and take over the order_status request; collected so far: order_number = SB-123456. Do not ask again for what is already there.',
    );
  });

  it('names the exclusion rule and why it needs a person', () => {
    const next = escalatedWith('excluded', (p) => {
      p.transcript = [
        ...p.transcript,
        customerLine('Someone hacked my account and ordered this', 70, { exclusions: ['account_security'] }),
      ];
    });
    expect(next).toBe(
      'Handle this personally. account_security: possible fraud or account takeover: verify the customer and secure the account before changing anything.',
    );
    const allowedEarlier = escalatedWith('excluded', (p) => {
      p.escalation.reason = `${ESCALATION_SENTENCES.excluded} Rule: legal_compliance.`;
      p.transcript = [
        ...p.transcript,
        customerLine('Refund me $300 for the sofa', 60, { exclusions: ['refund_above_limit'] }),
        customerLine('or my lawyer will hear about it', 70, { exclusions: ['legal_compliance'] }),
      ];
    });
    expect(allowedEarlier).toBe(
      'Handle this personally. legal_compliance: a legal or data-protection matter: follow the legal process and keep the record.',
    );
  });

  it('says to apologise first, with the frustration cues found', () => {
    const next = escalatedWith('negative_sentiment', (p) => {
      p.transcript = [
        ...p.transcript,
        customerLine('This is the THIRD time I ask. Still not fixed!!!', 70, {
          sentiment: {
            score: -0.8,
            label: 'negative',
            frustration: 1,
            cues: ['repeat_contact', 'still_not'],
          },
        }),
      ];
    });
    expect(next).toBe(
      'Apologise first: the customer is upset (a complaint, has contacted us before, says it is still not sorted). Then take over the order_status request; collected so far: order_number = SB-123456.',
    );
  });

  it('has a specific suggestion for every escalation code', () => {
    const suggestions = ESCALATION_CODES.map((code) => escalatedWith(code));
    expect(new Set(suggestions).size).toBe(ESCALATION_CODES.length);
    const byCode = Object.fromEntries(ESCALATION_CODES.map((c, i) => [c, suggestions[i]]));
    expect(byCode.no_progress).toContain('stuck at step lookup');
    expect(byCode.low_confidence).toBe(
      'Confirm what the customer wants: the automation was not sure. Its best guess was order_status (confidence 0.93): check that first.',
    );
    expect(byCode.workflow_loop).toContain('workflow order_status v2 that it looped at step lookup');
    expect(byCode.no_workflow).toContain('no workflow covers it');
    expect(byCode.no_answer).toContain('knowledge base had nothing');
    expect(byCode.repeated_intent).toContain('asked for order_status several times');
    const designed = escalatedWith('workflow_escalated', (p) => {
      p.escalation.workflowReason = 'vip_customer';
    });
    expect(designed).toContain(
      'by design (vip customer): continue the order_status request from step lookup',
    );
  });
});

describe('renderers', () => {
  const packet = buildHandoffPacket(orderStatusConversation());

  it('renders Markdown with every section', () => {
    const md = renderHandoffMarkdown(packet);
    expect(md).toContain('# Handoff: conversation conv-7');
    expect(md).toContain('**connector_failed**, high priority, queue orders, 2026-11-27 10:00:47 UTC');
    expect(md).toContain('## Suggested next step');
    expect(md).toContain('- Name: Ada Lovelace');
    expect(md).toContain('- Plan: pro');
    expect(md).toContain('| 4 | lookup (Look the order up) | call | call_failed | 10:00:47 |');
    expect(md).toContain('| order_number | SB-123456 |');
    expect(md).toContain(
      '| demo-shop | get_order | failed | {"order_number":"SB-123456"} | timeout: no answer within 5000 ms (3 attempts) |',
    );
    expect(md).toContain(
      "- **Customer** 10:00:00 _(order_status 0.93, neutral)_: Hi, where is my order? It's been a week.",
    );
    expect(md).toContain('- **Customer** 10:00:30 _(out of scope: no intent, neutral)_: SB-123456');
  });

  it('renders a self-contained HTML fragment, and a page on request', () => {
    const html = renderHandoffHtml(packet);
    expect(html.startsWith('<article class="sb-handoff">')).toBe(true);
    expect(html).toContain('<dt>Plan</dt><dd>pro</dd>');
    expect(html).toContain('<td>get_order</td><td>failed</td>');
    expect(html).not.toMatch(/<script|<img|<link|src=|href=/i);
    const page = renderHandoffHtml(packet, { page: true });
    expect(page.startsWith('<!doctype html>')).toBe(true);
    expect(page).toContain(html);
  });

  it('renders a plain-text note with the essentials', () => {
    const note = renderHandoffNote(packet);
    expect(note.split('\n').slice(0, 9)).toEqual([
      'Handoff from automation: connector_failed (high priority, queue orders), 2026-11-27 10:00:47 UTC',
      `Reason: ${ESCALATION_SENTENCES.connector_failed} demo-shop get_order: timeout.`,
      `Next step: ${packet.suggestedNextStep}`,
      'Customer: name Ada Lovelace; email ada@example.com; plan pro; segment vip; id cus_1042; orders 14',
      'Intent: order_status',
      'Workflow: order_status v2, escalated at step lookup',
      'Steps: ask_order asked > ask_order filled > lookup called > lookup call_failed',
      'Slots: order_number = SB-123456',
      'Call: demo-shop get_order {"order_number":"SB-123456"} -> failed: timeout: no answer within 5000 ms (3 attempts)',
    ]);
    expect(note).toContain('10:00:30 Customer [out of scope: no intent, neutral]: SB-123456');
    expect(note).not.toMatch(/<[a-z/]/i);
  });
});

describe('escaping customer text', () => {
  const evil = ['<script>alert(1)</script>', '"><img src=x onerror=alert(1)>', "' onmouseover='alert(1)"];
  function hostilePacket() {
    const props = orderStatusConversation();
    const state = props.state as WorkflowState;
    props.customer = { ...customer, name: evil[1], email: evil[0], attributes: { note: evil[2] } };
    props.transcript = [
      customerLine(evil[0] as string, 0),
      customerLine(evil[1] as string, 10),
      botLine(`Your order ${evil[0]} is late`, 11, 'tell_status'),
    ];
    props.state = {
      ...state,
      slots: { order_number: evil[1], note: evil[0] },
      calls: [
        { ...(state.calls[0] as WorkflowState['calls'][number]), error: evil[1], input: { q: evil[0] } },
      ],
    };
    return buildHandoffPacket(props);
  }

  it('escapes every customer-provided string in the HTML', () => {
    const html = renderHandoffHtml(hostilePacket(), { page: true });
    expect(html).not.toMatch(/<script|<img|onerror=|onmouseover=/i);
    expect(html).toContain('&#60;script&#62;alert(1)&#60;/script&#62;');
    expect(html).toContain('&#34;&#62;&#60;img src&#61;x onerror&#61;alert(1)&#62;');
    // Transcript, slots, customer name and connector error each appear, escaped.
    expect(html).toContain('<div class="sb-text">&#60;script&#62;');
    expect(html).toContain('<dt>Name</dt><dd>&#34;&#62;&#60;img');
    expect(html).toContain('<td>order_number</td><td>&#34;&#62;&#60;img');
    expect(html).toContain('<td>failed</td><td>{&#34;q&#34;:&#34;&#60;script&#62;');
  });

  it('keeps Markdown free of raw HTML', () => {
    const md = renderHandoffMarkdown(hostilePacket());
    expect(md).not.toMatch(/(^|[^\\])<(script|img)/);
    expect(md).toContain('\\<script\\>alert(1)\\</script\\>');
  });
});

describe('the note', () => {
  it('cuts a long transcript from the middle, keeps both ends and says so', () => {
    const props = orderStatusConversation();
    props.transcript = Array.from({ length: 120 }, (_, i) =>
      i % 2 === 0
        ? customerLine(`Customer message number ${i}: ${'still waiting for my parcel, '.repeat(3)}`, i * 10)
        : botLine(`Bot reply number ${i}: could you tell me more about it?`, i * 10, 'ask_order'),
    );
    const note = renderHandoffNote(buildHandoffPacket(props));
    expect(note.length).toBeLessThanOrEqual(NOTE_MAX_CHARS);
    expect(note).toContain('Customer message number 0:');
    expect(note).toContain('Bot reply number 119:');
    const omitted =
      /\[\.\.\. (\d+) lines left out from the middle to fit the note; the full transcript is in the handoff packet \.\.\.\]/.exec(
        note,
      );
    expect(omitted).not.toBeNull();
    const shown = note.split('\n').filter((l) => / (Customer|Bot)( \[|:)/.test(l)).length;
    expect(shown + Number(omitted?.[1])).toBe(120);
    expect(note).not.toContain('Customer message number 60:');
  });

  it('keeps a short transcript whole', () => {
    const note = renderHandoffNote(buildHandoffPacket(orderStatusConversation()));
    expect(note).not.toContain('left out');
    expect(note).toContain('Transcript (5 lines):');
  });

  it('stays under the limit even when one message is huge', () => {
    const props = orderStatusConversation();
    props.transcript = [...props.transcript, customerLine('x'.repeat(20_000), 100)];
    const note = renderHandoffNote(buildHandoffPacket(props));
    expect(note.length).toBeLessThanOrEqual(NOTE_MAX_CHARS);
    expect(note).toContain(`${'x'.repeat(499)}…`);
  });
});

describe('summariseValue', () => {
  it('keeps short values whole and outlines long ones', () => {
    expect(summariseValue({ status: 'shipped' })).toBe('{"status":"shipped"}');
    expect(summariseValue(undefined)).toBe('(none)');
    const long = summariseValue({ orders: Array.from({ length: 200 }, (_, i) => ({ id: i })) }, 80);
    expect(long).toBe('{orders: [200 items, first: {id: 0}]} (2,102 characters in full)');
  });
});
