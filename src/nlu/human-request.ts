/**
 * Detects an explicit request to talk to a person ("talk to a human", "agent please", "real person",
 * "representative"), and tells it apart from negations ("no need for an agent", "I don't want to speak to
 * anyone") and from mentions that are not requests ("the agent I spoke to was rude", "my travel agent").
 *
 * @example
 * detectHumanRequest('Can I speak to a real person please?'); // { requested: true, phrase: 'speak to a real person' }
 * detectHumanRequest('No need for an agent, I found it.');     // { requested: false, negated: true }
 */
export interface HumanRequest {
  requested: boolean;
  /** The words that made the request (or the negated request). */
  phrase?: string;
  /** A request was phrased but negated ("no need for a human"). */
  negated?: boolean;
}

const PERSON =
  '(?:(?:a |an |the |some |any |your |one of your )?(?:real |actual |live |human |proper |customer (?:service |support )?)?(?:human(?: being)?|person|people|agent|representative|rep|operator|somebody|someone|anybody|anyone|staff(?: member)?|employee|manager|supervisor|advisor|adviser|team member|customer (?:service|support|care))(?! (?:said|told|was|is|were|did|gave|helped|asked)\\b))';
const CONTACT_VERB =
  '(?:talk|speak|chat|communicate|have a word|get through|be connected|be transferred|be put through)(?: to| with)';
const REQUEST_PATTERNS: RegExp[] = [
  // "(I want to / can I / let me / please) talk to a human"
  new RegExp(`\\b${CONTACT_VERB} ${PERSON}`, 'i'),
  // "connect / transfer / put me through to an agent", "get me a human"
  new RegExp(
    `\\b(?:connect|transfer|pass|put|forward|redirect|escalate|route|hand)(?: me| this| my (?:case|ticket|issue))?(?: over| through| on| in touch)?(?: to| with)? ${PERSON}`,
    'i',
  ),
  new RegExp(
    `\\b(?:can|could|would|will) ${PERSON}(?: from [\\w ]{1,20}?)? (?:please )?(?:help|call|contact|look at|ring|phone|get back)`,
    'i',
  ),
  new RegExp(`\\b(?:get|give|find) me ${PERSON}`, 'i'),
  // "I want / need / would like a human", "is there a real person", "can I have an agent"
  new RegExp(
    `\\b(?:want|need|like|prefer|request|get|demand|require|(?:can|could|may) i have)(?: to (?:have|get))? ${PERSON}`,
    'i',
  ),
  new RegExp(
    `\\bis (?:there|this) ${PERSON}(?=\\s*(?:[?.!,]|$| (?:available|i can|i could|to|there|here|on|who)\\b))`,
    'i',
  ),
  /\b(?:human|agent|representative|operator|real person|live agent|person),? (?:please|pls|plz|now)\b/i,
  // A message that is little more than the word: "AGENT", "representative!!", "human please"
  /^\W*(?:(?:a |an )?(?:human|agent|representative|rep|operator|real person|live agent|live person|live chat|person)(?: please| pls| now)?)\W*$/i,
  /\b(?:escalate (?:this|it|my (?:case|ticket|issue)))\b/i,
  /\b(?:stop|no more|enough of|done with) (?:the |this |your )?(?:bot|robot|machine|automated (?:replies|answers|messages))\b/i,
  /\b(?:not|no) (?:a |another )?(?:bot|robot|machine)[,.!]? ?(?:please|i want|a human|a person)\b/i,
];

// A negation in the words just before the request cancels it.
const NEGATION_BEFORE =
  /\b(?:no need|don'?t need|do not need|doesn'?t need|needn'?t|don'?t want|do not want|didn'?t want|no|not|never|without|rather not|won'?t|wouldn'?t|don'?t have|do not have|instead of|avoid|no point|not necessary|unnecessary|don'?t|do not|no longer)\b[^.!?]*$/i;
// "... no need for a human", "a human is not necessary", "an agent won't be needed"
const NEGATION_AFTER =
  /^[^.!?]{0,20}\b(?:is not|isn'?t|not|won'?t be|no longer)\b[^.!?]{0,12}\b(?:needed|necessary|required)\b/i;

export function detectHumanRequest(text: string): HumanRequest {
  const normalised = text.normalize('NFKC').replace(/[’‘`]/g, "'");
  let negatedPhrase: string | undefined;
  for (const sentence of normalised.split(/(?<=[.!?;\n])\s+|,\s*(?:but|and)\s+/i)) {
    for (const pattern of REQUEST_PATTERNS) {
      const match = pattern.exec(sentence);
      if (!match) continue;
      // The clause before the match: a negation in an earlier clause ("I don't want the bot, I want an agent")
      // does not cancel this one.
      const before =
        sentence
          .slice(Math.max(0, match.index - 40), match.index)
          .split(/[,;:]/)
          .pop() ?? '';
      const after = sentence.slice(match.index + match[0].length);
      if (NEGATION_BEFORE.test(before) || NEGATION_AFTER.test(after) || /\bno need\b/i.test(before)) {
        negatedPhrase ??= match[0].trim();
        continue;
      }
      return { requested: true, phrase: match[0].trim() };
    }
    const noNeed =
      /\b(?:no need (?:for|of)|without (?:talking to |speaking to |involving )?|don'?t (?:need|want)) (?:a |an |any |the )?(?:human|person|agent|representative|operator)\b/i.exec(
        sentence,
      );
    if (noNeed) negatedPhrase ??= noNeed[0].trim();
  }
  return negatedPhrase ? { requested: false, phrase: negatedPhrase, negated: true } : { requested: false };
}
