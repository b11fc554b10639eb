import { redact } from '../shared/redact.ts';
import type { answerSpace } from './answer-similarity.ts';

/**
 * At or above this mean pairwise similarity, people answered a topic alike: a workflow could send the answer.
 * Chosen on hand-written replies (docs/metrics.md, "Candidates for new automation"): eight rewordings of one
 * answer score 0.46 to 0.54 (by the IDF of the week's other replies), eight answers decided case by case 0.02, four
 * of each 0.19; one script with different amounts 1.
 */
export const CONSISTENT_ANSWERS_AT = 0.35;
/** Replies compared per topic, at most (all pairs are compared: 200 replies are 19,900 pairs). */
const MAX_COMPARED = 200;
/** The representative answer is cut to about this many characters. */
const SHOWN_CHARS = 160;

/** How alike people's first answers in one topic were. */
export interface AnswerConsistency {
  /** Conversations of the topic with an agent's reply (the first one of each is compared). */
  answered: number;
  /** Mean pairwise cosine similarity of the replies' TF-IDF vectors, 3 decimals; null under two replies. */
  consistency: number | null;
  /** `consistent` at `CONSISTENT_ANSWERS_AT` or more, `varied` under it; `too_few` with one reply, `no_answer` with none. */
  verdict: 'consistent' | 'varied' | 'too_few' | 'no_answer';
  /** The most central reply (highest mean similarity to the others), personal data masked and cut short. */
  representative: { conversation: string; text: string } | null;
}

export interface Reply {
  conversation: string;
  text: string;
  /** The customer's name, masked in the shown answer. */
  customerName?: string | null;
}

/**
 * The consistency of a topic's replies in an `answerSpace` (IDF over the week's replies of every topic, so the
 * words a topic's answers share still count). Deterministic: the first `MAX_COMPARED` replies, ties to the first.
 *
 * @example
 * const space = answerSpace(allReplies.map((r) => r.text));
 * answerConsistency(topicReplies, space); // { answered: 8, consistency: 0.51, verdict: 'consistent', representative: ... }
 */
export function answerConsistency(
  replies: readonly Reply[],
  space: ReturnType<typeof answerSpace>,
): AnswerConsistency {
  const compared = replies.slice(0, MAX_COMPARED);
  if (compared.length === 0) {
    return { answered: 0, consistency: null, verdict: 'no_answer', representative: null };
  }
  const vectors = compared.map((r) => space.vectorOf(r.text));
  const closeness = compared.map(() => 0);
  let sum = 0;
  for (let i = 0; i < vectors.length; i++) {
    for (let j = i + 1; j < vectors.length; j++) {
      const s = space.similarity(
        vectors[i] as (typeof vectors)[number],
        vectors[j] as (typeof vectors)[number],
      );
      sum += s;
      closeness[i] = (closeness[i] ?? 0) + s;
      closeness[j] = (closeness[j] ?? 0) + s;
    }
  }
  const central = closeness.indexOf(Math.max(...closeness));
  const chosen = compared[central] as Reply;
  const representative = { conversation: chosen.conversation, text: shownAnswer(chosen) };
  if (compared.length < 2) {
    return { answered: replies.length, consistency: null, verdict: 'too_few', representative };
  }
  const pairs = (compared.length * (compared.length - 1)) / 2;
  const consistency = Math.round((sum / pairs) * 1000) / 1000;
  return {
    answered: replies.length,
    consistency,
    verdict: consistency >= CONSISTENT_ANSWERS_AT ? 'consistent' : 'varied',
    representative,
  };
}

/**
 * A reply as the review may show it: the greeting ("Hi Olivia,") dropped, the customer's name, e-mails, phone
 * numbers, cards and national ids masked (src/shared/redact.ts), links and long numbers (orders, tracking) as
 * placeholders, cut at a word near `SHOWN_CHARS`.
 */
export function shownAnswer(reply: Reply): string {
  let text = redact(reply.text.replace(GREETING, '').replace(/\bhttps?:\/\/\S+|\bwww\.\S+/gi, '[link]'));
  for (const word of (reply.customerName ?? '').split(/\s+/).filter((w) => /^\p{L}{2,}$/u.test(w))) {
    text = text.replace(new RegExp(`(?<!\\p{L})${word}(?!\\p{L})`, 'giu'), '[name]');
  }
  text = text
    .replace(/\b[A-Z]{0,4}-?\d[\d-]{3,}\b/g, '[number]')
    .replace(/\s+/g, ' ')
    .trim();
  if (text.length <= SHOWN_CHARS) return text;
  const cut = text.slice(0, SHOWN_CHARS);
  return `${cut.slice(0, Math.max(cut.lastIndexOf(' '), SHOWN_CHARS / 2)).trimEnd()} ...`;
}

/** "Hi Olivia," and the like at the start of a reply: it says who, not what. */
const GREETING = /^\s*(hi|hello|hey|dear|good (morning|afternoon|evening))\b[^,!.\n]{0,40}[,!.\n]\s*/i;
