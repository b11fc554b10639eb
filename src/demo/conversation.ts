import { agentScript, COMPILED_BESPOKE_CLOSINGS, type CompiledAgentScript } from './agent-replies.ts';
import type { Voice } from './customers.ts';
import type { DemoChannel } from './demo-ticket.ts';
import {
  CLOSERS,
  COMPILED,
  type CompiledVariant,
  GENERIC_SUBJECTS,
  GREETINGS,
  POLITE_PREFIXES,
} from './phrasings.ts';
import type { Random } from './random.ts';
import type { DemoAgent } from './shop.ts';
import { fill, type SlotValues, type Template } from './template.ts';

/** Who speaks at each turn: the customer, an agent's public reply, or an agent's internal note. */
export type Turn = 'customer' | 'agent' | 'note';

/**
 * The turns of a thread of `count` messages: customer first, then agent and customer alternating, with at
 * most one internal note before an agent reply in complex tickets.
 */
export function planTurns(count: number, withNote: boolean): Turn[] {
  const turns: Turn[] = ['customer'];
  let noteUsed = !withNote;
  while (turns.length < count) {
    const last = turns[turns.length - 1];
    if (last === 'customer') {
      // A note needs room for the public reply after it.
      if (!noteUsed && turns.length >= 2 && turns.length <= count - 2) {
        turns.push('note');
        noteUsed = true;
      } else {
        turns.push('agent');
      }
    } else if (last === 'note') {
      turns.push('agent');
    } else {
      turns.push('customer');
    }
  }
  return turns;
}

/** Everything that shapes the wording of one ticket's messages. */
export interface Voicing {
  rng: Random;
  values: SlotValues;
  variant: CompiledVariant;
  channel: DemoChannel;
  voice: Voice;
  angry: boolean;
  firstName: string;
  fullName: string;
  agent: DemoAgent | null;
  /** Phrasings already used in this ticket, so a thread does not repeat itself. */
  used: Set<Template>;
}

const pickFill = (rng: Random, templates: readonly Template[], values: SlotValues) =>
  fill(rng.pick(templates), values);

/** Like pickFill, but avoids phrasings this ticket has used when there is another to take. */
function pickFresh(v: Voicing, templates: readonly Template[]): string {
  let template = v.rng.pick(templates);
  for (let tries = 0; tries < 4 && v.used.has(template); tries++) template = v.rng.pick(templates);
  v.used.add(template);
  return fill(template, v.values);
}

const isLive = (channel: DemoChannel) => channel === 'chat' || channel === 'social';

function shout(rng: Random, text: string): string {
  const loud = rng.chance(0.25) ? text.toUpperCase() : text;
  return loud.replace(/[.?]?$/, (end) => (end === '?' ? '?!!' : '!!!'));
}

/** The customer's opening message: greeting, the request, maybe a detail, a closer and their name. */
export function firstCustomerMessage(v: Voicing): string {
  const { rng, values, variant } = v;
  let body = pickFill(rng, variant.openings, values);
  if (rng.chance(0.35)) body += ` ${pickFill(rng, variant.details, values)}`;
  if (v.angry) {
    if (rng.chance(0.7)) body += ` ${pickFill(rng, COMPILED.angry, values)}`;
    body = shout(rng, body);
  } else if (v.voice === 'formal' && rng.chance(0.25)) {
    body = `${rng.pick(POLITE_PREFIXES)} ${body}`;
  }
  if (v.voice === 'terse' && rng.chance(0.6)) body = body.toLowerCase().replace(/\.$/, '');
  if (isLive(v.channel)) return rng.chance(0.2) && !/^(hi|hello|hey)\b/i.test(body) ? `hi! ${body}` : body;

  const [greet, close, sign] =
    v.voice === 'formal' ? [0.9, 0.9, 0.8] : v.voice === 'casual' ? [0.6, 0.5, 0.4] : [0.15, 0.15, 0.1];
  const parts: string[] = [];
  if (rng.chance(greet)) parts.push(rng.pick(GREETINGS));
  parts.push(body);
  if (rng.chance(close)) {
    const closer = rng.pick(CLOSERS);
    const name = rng.chance(sign) ? (rng.chance(0.5) ? v.firstName : v.fullName) : '';
    parts.push(name ? `${closer}\n${name}` : closer);
  } else if (rng.chance(sign)) {
    parts.push(v.firstName);
  }
  return parts.join('\n\n');
}

/** A later customer message: a follow-up in the middle of the thread, or a closing one at its end. */
export function laterCustomerMessage(v: Voicing, closing: boolean): string {
  const { rng, values, variant } = v;
  let body = pickFresh(v, closing ? variant.closings : variant.followUps);
  if (!closing && v.angry && rng.chance(0.5))
    body = shout(rng, `${body} ${pickFill(rng, COMPILED.angry, values)}`);
  if (v.voice === 'terse' && rng.chance(0.6)) body = body.toLowerCase();
  if (isLive(v.channel)) return body;
  const parts: string[] = [];
  if (v.agent && rng.chance(0.4)) parts.push(`Hi ${firstNameOf(v.agent)},`);
  parts.push(body);
  if (rng.chance(0.5)) parts.push(v.firstName);
  return parts.join('\n\n');
}

const firstNameOf = (agent: DemoAgent) => agent.name.split(' ')[0] as string;

type Bespoke = Extract<CompiledAgentScript, { kind: 'bespoke' }>;

function bespokeFirst(v: Voicing, script: Bespoke): string {
  const { rng } = v;
  const opening: string[] = [];
  if (rng.chance(0.85)) opening.push(pickFresh(v, script.acks));
  opening.push(pickFresh(v, script.specifics));
  const plan: string[] = [];
  if (rng.chance(0.9)) plan.push(pickFresh(v, script.actions));
  if (rng.chance(0.8)) plan.push(pickFresh(v, script.nexts));
  if (rng.chance(0.35)) plan.push(pickFresh(v, COMPILED_BESPOKE_CLOSINGS));
  return plan.length > 0 ? `${opening.join(' ')}\n\n${plan.join(' ')}` : opening.join(' ');
}

function bespokeUpdate(v: Voicing, script: Bespoke): string {
  let body = pickFresh(v, script.updates);
  if (v.rng.chance(0.4)) body += ` ${pickFresh(v, script.nexts)}`;
  return body;
}

/**
 * An agent's public reply: a macro (routine) or a composed reply (complex), framed by the agent's own
 * greeting and signature; chat replies skip the signature.
 */
export function agentMessage(v: Voicing, replyKey: string, first: boolean): string {
  const { rng, values } = v;
  const script = agentScript(replyKey);
  let body: string;
  if (script.kind === 'macro') {
    body = first ? pickFill(rng, script.macros, values) : pickFresh(v, script.fixes);
  } else {
    body = first ? bespokeFirst(v, script) : bespokeUpdate(v, script);
  }
  const agent = v.agent;
  if (!agent) return body;
  if (isLive(v.channel))
    return `${agent.greeting === 'Dear' ? 'Hello' : agent.greeting} ${v.firstName}! ${body}`;
  const greeting = agent.greeting === 'Dear' ? `Dear ${v.fullName},` : `${agent.greeting} ${v.firstName},`;
  return `${greeting}\n\n${body}\n\n${agent.signature}`;
}

/** An internal note; only bespoke scripts have them. */
export function agentNote(v: Voicing, replyKey: string): string {
  const script = agentScript(replyKey);
  if (script.kind !== 'bespoke') return 'Checked the account, replying now.';
  return pickFresh(v, script.notes);
}

/** Most email and web tickets carry a subject; chat and social ones do not. */
export function subjectLine(v: Voicing): string | null {
  const { rng } = v;
  if (isLive(v.channel) || (v.channel === 'email' && rng.chance(0.05))) return null;
  let subject = rng.chance(0.1) ? rng.pick(GENERIC_SUBJECTS) : pickFill(rng, v.variant.subjects, v.values);
  if (v.angry && rng.chance(0.3)) subject = `${subject.toUpperCase()}!!!`;
  else if (v.voice === 'terse' && rng.chance(0.5)) subject = subject.toLowerCase();
  return subject;
}
