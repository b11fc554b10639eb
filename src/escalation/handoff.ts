import {
  type CustomerProfile,
  ESCALATION_SENTENCES,
  type EscalationCode,
  type EscalationPriority,
  type TranscriptLine,
} from '../domain/index.ts';
import { type RedactionKind, redact } from '../shared/redact.ts';
import type { WorkflowDefinition } from '../workflows/definition.ts';
import type { WorkflowState } from '../workflows/state.ts';
import { templatePlainText } from '../workflows/template.ts';
import {
  HANDOFF_PACKET_VERSION,
  type HandoffCall,
  type HandoffLine,
  type HandoffPacket,
  HandoffPacketSchema,
} from './handoff-packet.ts';
import { displayValue, summariseValue } from './summarise-value.ts';

export interface BuildHandoffPacketProps {
  conversationId: string;
  /** When the conversation was escalated, epoch ms. */
  at: number;
  transcript: readonly TranscriptLine[];
  /** The workflow run, or null when the conversation escalated before one started. */
  state: WorkflowState | null;
  escalation: {
    code: EscalationCode;
    reason: string;
    workflowReason?: string;
    queue: string;
    priority: EscalationPriority;
  };
  customer: CustomerProfile;
  /** The workflow's definition, when at hand: adds step titles and names the slot an ask step wanted. */
  definition?: WorkflowDefinition;
}

/**
 * What a packet masks: an agent needs the order number, the customer's email and phone to help, never a full
 * card number, a CVV or a national id (the last four digits of a card stay, to tell cards apart).
 */
export const HANDOFF_REDACTED_KINDS: readonly RedactionKind[] = ['card', 'cvv', 'nationalId'];

const mask = (text: string): string => redact(text, { kinds: HANDOFF_REDACTED_KINDS });

/** Every string inside a slot value masked, the shape kept. */
function maskValue(value: unknown): unknown {
  if (typeof value === 'string') return mask(value);
  if (Array.isArray(value)) return value.map(maskValue);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, maskValue(v)]));
  }
  return value;
}

/** Connector input and output summaries are cut to this many characters. */
const CALL_SUMMARY_CHARS = 300;

/**
 * The handoff packet of an escalated conversation: the transcript with what the NLU made of each customer
 * turn, the workflow's steps, slots and connector results, the escalation, the customer and a suggested next
 * step. Pure: the runtime stores the packet with the conversation and renders it with `renderHandoffMarkdown`,
 * `renderHandoffHtml` or `renderHandoffNote`.
 *
 * @example
 * const packet = buildHandoffPacket({
 *   conversationId: 'c1',
 *   at: Date.UTC(2026, 10, 27, 10, 5),
 *   transcript: [{ role: 'customer', text: 'Let me talk to a human', at: Date.UTC(2026, 10, 27, 10, 4) }],
 *   state: null,
 *   escalation: { code: 'human_requested', reason: 'The customer asked for a person.', queue: 'support', priority: 'normal' },
 *   customer: { name: 'Ada', attributes: {} },
 * });
 * packet.suggestedNextStep; // 'Greet Ada and take over the request; collected so far: nothing yet. ...'
 */
export function buildHandoffPacket(props: BuildHandoffPacketProps): HandoffPacket {
  const { state, definition } = props;
  const titles = new Map((definition?.steps ?? []).map((s) => [s.id, s.title]));
  // Plain text in the packet: bot lines were HTML-escaped by their templates, and every renderer escapes once.
  const transcript: HandoffLine[] = props.transcript.map((line) => ({
    role: line.role,
    text: mask(line.role === 'bot' ? templatePlainText(line.text) : line.text),
    at: line.at,
    ...(line.stepId !== undefined ? { stepId: line.stepId } : {}),
    ...(line.analysis
      ? {
          turn: {
            intent: line.analysis.intent,
            confidence: line.analysis.confidence,
            reason: line.analysis.reason,
            sentiment: line.analysis.sentiment.label,
            sentimentScore: line.analysis.sentiment.score,
            cues: [...line.analysis.sentiment.cues],
            humanRequested: line.analysis.humanRequested,
            exclusions: [...line.analysis.exclusions],
          },
        }
      : {}),
  }));
  const lastAccepted = props.transcript.findLast(
    (l) => l.analysis?.reason === 'accepted' && l.analysis.intent !== null,
  );
  const packet: Omit<HandoffPacket, 'suggestedNextStep'> = {
    version: HANDOFF_PACKET_VERSION,
    conversationId: props.conversationId,
    createdAt: props.at,
    escalation: {
      code: props.escalation.code,
      sentence: ESCALATION_SENTENCES[props.escalation.code],
      reason: mask(props.escalation.reason),
      ...(props.escalation.workflowReason !== undefined
        ? { workflowReason: mask(templatePlainText(props.escalation.workflowReason)) }
        : {}),
      queue: props.escalation.queue,
      priority: props.escalation.priority,
    },
    customer: props.customer,
    intent: state?.intent ?? lastAccepted?.analysis?.intent ?? null,
    transcript,
    workflow: state
      ? {
          id: state.workflowId,
          version: state.workflowVersion,
          status: state.status,
          stepId: state.stepId,
          steps: state.trail.map((t) => {
            const title = titles.get(t.stepId);
            return { ...t, ...(title !== undefined ? { title } : {}) };
          }),
          slots: maskValue(state.slots) as Record<string, unknown>,
          calls: state.calls.map(
            (c): HandoffCall => ({
              callId: c.callId,
              stepId: c.stepId,
              connector: c.connector,
              operation: c.operation,
              ok: c.ok ?? null,
              input: mask(summariseValue(c.input, CALL_SUMMARY_CHARS)),
              ...(c.output !== undefined
                ? { output: mask(summariseValue(c.output, CALL_SUMMARY_CHARS)) }
                : {}),
              ...(c.error !== undefined ? { error: mask(c.error) } : {}),
              at: c.at,
            }),
          ),
        }
      : null,
  };
  const suggestedNextStep = suggestNextStep(packet, { state, definition });
  // Parsing checks the packet is what the stored schema says; a mismatch here is a bug, not bad input.
  return HandoffPacketSchema.parse({ ...packet, suggestedNextStep });
}

/** How the rules below name a frustration cue of the sentiment analysis. */
const CUE_WORDS: Record<string, string> = {
  repeat_contact: 'has contacted us before',
  still_not: 'says it is still not sorted',
  strong_words: 'strong words',
  churn_threat: 'threatens to leave',
  complaint: 'a complaint',
  swearing: 'swearing',
  exclamations: 'exclamation marks',
  caps: 'capitals',
};

/** Why the shipped exclusion rules need a person (src/audit/default-exclusions.yaml). */
const EXCLUSION_WHY: Record<string, string> = {
  refund_above_limit: 'a refund above the limit needs a person to approve it',
  account_security:
    'possible fraud or account takeover: verify the customer and secure the account before changing anything',
  legal_compliance: 'a legal or data-protection matter: follow the legal process and keep the record',
  staff_complaint: 'a complaint about our staff: it needs a team lead, not a script',
  distress_safety:
    'the customer may be in distress or someone may be at risk: answer personally and follow the safety procedure',
};

/**
 * The next step an agent should take, by rules from the escalation code, the transcript and the workflow
 * state: specific enough to act on without reading the whole transcript first.
 */
export function suggestNextStep(
  packet: Omit<HandoffPacket, 'suggestedNextStep'>,
  context: { state: WorkflowState | null; definition?: WorkflowDefinition | undefined },
): string {
  const { state, definition } = context;
  const intent = packet.intent ? `the ${packet.intent} request` : 'the request';
  const collected = `collected so far: ${describeSlots(packet.workflow?.slots ?? {})}`;
  const customerTurns = packet.transcript.filter((l) => l.role === 'customer' && l.turn);
  const lastGuess = customerTurns.findLast((l) => l.turn?.intent != null)?.turn;
  const stepId = state?.stepId ?? null;

  switch (packet.escalation.code) {
    case 'connector_failed': {
      const calls = packet.workflow?.calls ?? [];
      const failed = calls.findLast((c) => c.ok === false) ?? calls.findLast((c) => c.ok === null);
      if (!failed) {
        return `Check by hand what the workflow needed from its systems (the failed call is not recorded), then take over ${intent}; ${collected}.`;
      }
      const error = failed.error ?? 'no answer';
      return `Look it up in ${failed.connector} by hand: ${failed.operation} failed with "${error}" (input ${failed.input}). Then answer ${intent}; ${collected}.`;
    }
    case 'slot_retries_exhausted': {
      const askId =
        state?.trail.findLast((t) => t.type === 'ask' && (stepId === null || t.stepId === stepId))?.stepId ??
        state?.trail.findLast((t) => t.type === 'ask')?.stepId ??
        stepId;
      const askStep = definition?.steps.find((s) => s.id === askId);
      const slot = askStep?.type === 'ask' ? askStep.slot : null;
      const invalid = state?.trail.filter((t) => t.stepId === askId && t.outcome === 'invalid').length ?? 0;
      const what = slot ? `the ${slot.replace(/_/g, ' ')}` : `the detail step ${askId ?? '?'} asks for`;
      return `Get ${what} from the customer: ${invalid} answer${invalid === 1 ? '' : 's'} did not validate, so check what they have (a typo, another format, a different account). Then continue ${intent}; ${collected}.`;
    }
    case 'not_resolved': {
      const told = whatWasAnswered(packet, state);
      return `The customer says the answer did not solve it. ${told} Ask what is still wrong rather than repeating it, and take over ${intent}; ${collected}.`;
    }
    case 'human_requested': {
      const who = packet.customer.name ? `Greet ${packet.customer.name}` : 'Greet the customer';
      return `${who} and take over ${intent}; ${collected}. Do not ask again for what is already there.`;
    }
    case 'excluded': {
      const matched = [...new Set(customerTurns.flatMap((l) => l.turn?.exclusions ?? []))];
      // The guardrail names the rules that escalated (a workflow may allow others that matched earlier).
      const named = matched.filter((r) => packet.escalation.reason.includes(r));
      const rules = named.length > 0 ? named : matched;
      if (rules.length === 0) {
        return `Handle this personally: it matched an exclusion rule (${packet.escalation.reason}).`;
      }
      const why = rules.map(
        (r) => `${r}: ${EXCLUSION_WHY[r] ?? 'this rule always sends the request to a person'}`,
      );
      return `Handle this personally. ${why.join('. ')}.`;
    }
    case 'negative_sentiment': {
      const cues = [...new Set(customerTurns.flatMap((l) => l.turn?.cues ?? []))];
      const found =
        cues.length > 0 ? ` (${cues.map((c) => CUE_WORDS[c] ?? c.replace(/_/g, ' ')).join(', ')})` : '';
      return `Apologise first: the customer is upset${found}. Then take over ${intent}; ${collected}.`;
    }
    case 'repeated_intent':
      return `The customer asked for ${packet.intent ?? 'the same thing'} several times without getting it: answer it directly, without another form. ${capitalise(collected)}.`;
    case 'no_progress':
      return `The conversation got stuck${stepId ? ` at step ${stepId}` : ''}: take over ${intent} and move it forward yourself; ${collected}.`;
    case 'out_of_scope':
      return 'Ask the customer in your own words what they need: the automation could not place the request, even after a clarifying question.';
    case 'low_confidence': {
      const guess =
        lastGuess?.intent != null
          ? ` Its best guess was ${lastGuess.intent} (confidence ${lastGuess.confidence.toFixed(2)}): check that first.`
          : '';
      return `Confirm what the customer wants: the automation was not sure.${guess}`;
    }
    case 'no_answer':
      return `Answer ${intent} from your own knowledge: the knowledge base had nothing that scored high enough. If it comes up often, add an article.`;
    case 'no_workflow':
      return `Handle ${intent} by hand: no workflow covers it yet (a candidate for automation if it comes up often).`;
    case 'workflow_loop':
      return `Take over ${intent} by hand, and tell the author of workflow ${packet.workflow?.id ?? '?'} v${packet.workflow?.version ?? '?'} that it looped${stepId ? ` at step ${stepId}` : ''}; ${collected}.`;
    case 'bot_error':
      return `Answer the customer's last message by hand, and tell the author of workflow ${packet.workflow?.id ?? '?'} v${packet.workflow?.version ?? '?'} that a template failed${stepId ? ` after step ${stepId}` : ''} (the reason says which); ${collected}.`;
    case 'automation_paused':
      return `The automation was stopped while this conversation was with the bot: take over ${intent} by hand${stepId ? ` (the workflow was at step ${stepId})` : ''}; ${collected}.`;
    case 'shadow_mode':
      return `Answer ${intent} yourself: the bot's drafts are on the conversation page (send one as is, edit it, or discard it); ${collected}.`;
    case 'workflow_escalated': {
      const why = packet.escalation.workflowReason
        ? ` (${packet.escalation.workflowReason.replace(/_/g, ' ')})`
        : '';
      return `The workflow hands this to a person by design${why}: continue ${intent}${stepId ? ` from step ${stepId}` : ''}; ${collected}.`;
    }
  }
}

function describeSlots(slots: Record<string, unknown>): string {
  const entries = Object.entries(slots);
  if (entries.length === 0) return 'nothing yet';
  return entries.map(([name, value]) => `${name} = ${displayValue(value, 80)}`).join(', ');
}

/** The knowledge-base article, else the last thing a reply or answer step said. */
function whatWasAnswered(
  packet: Omit<HandoffPacket, 'suggestedNextStep'>,
  state: WorkflowState | null,
): string {
  if (state?.answer) return `They were given the knowledge-base article "${state.answer.title}".`;
  const answering = new Set(
    (state?.trail ?? []).filter((t) => t.type === 'reply' || t.type === 'answer').map((t) => t.stepId),
  );
  const said = packet.transcript.findLast(
    (l) => l.role === 'bot' && l.stepId !== undefined && answering.has(l.stepId),
  );
  return said
    ? `They were told: "${displayValue(said.text, 200)}".`
    : 'What they were told is in the transcript.';
}

const capitalise = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
