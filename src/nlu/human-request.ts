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
  '(?:(?:a |an |the |some |any |your |one of your )?(?:real |actual |live |human |proper |customer (?:service |support |care )?|support )?(?:human(?: being)?|person|people|agent|representative|rep|operator|somebody|someone|anybody|anyone|staff(?: members?)?|member of (?:staff|your team)|employee|manager|supervisor|advisor|adviser|specialist|colleague|team member|customer (?:service|support|care)|(?:support|service|care) team)(?: of yours)?(?! (?:said|told|was|is|were|did|gave|helped|asked)\\b))';
/** PERSON not owned by the customer ("my manager", "our agent" are mentions, not whom they ask for). */
const THEIR_PERSON = `(?<!\\b(?:my|our|his|her|their) )${PERSON}`;
const CONTACT_VERB =
  '(?:talk|speak|chat|communicate|have a word|get through|get in touch|be connected|be transferred|be put through)(?: to| with| 2)';
const CALL_ME =
  '(?:call|phone|ring|contact|email|text|reach out to|get back to|get in touch with)(?: me| us)?(?: back)?';
const HANDLE =
  '(?:help|call|contact|look at|ring|phone|get back|check|handle|take over|deal with|review|sort)';
const REQUEST_PATTERNS: RegExp[] = [
  // "(I want to / can I / let me / please) talk to a human"
  new RegExp(`\\b${CONTACT_VERB} ${PERSON}`, 'i'),
  // "connect / transfer / put me through to an agent", "get me a human"
  new RegExp(
    `\\b(?:connect|transfer|pass|put|forward|redirect|escalate|route|hand)(?: me| this| my (?:case|ticket|issue))?(?: over| through| on| in touch)?(?: to| with)? ${PERSON}`,
    'i',
  ),
  new RegExp(`\\b(?:can|could|would|will) ${PERSON}(?: from [\\w ]{1,20}?)? (?:please )?${HANDLE}`, 'i'),
  // Callbacks: "have someone call me", "ask an agent to ring me back", "a callback from a human", "I'd like to be
  // called back by an agent"
  new RegExp(
    `\\b(?:have|get|ask|tell) ${THEIR_PERSON}(?: from [\\w ]{1,25}?)? (?:to )?(?:please )?${CALL_ME}\\b`,
    'i',
  ),
  new RegExp(`\\b(?:call ?back|call) from ${THEIR_PERSON}`, 'i'),
  new RegExp(`\\bbe (?:called|phoned|rung|contacted)(?: back)? by ${THEIR_PERSON}`, 'i'),
  // "someone from your team should contact me", "a human needs to look at this"
  new RegExp(
    `(?:^|[^\\w ]\\s*|\\b(?:a|an|the|some|your) )${THEIR_PERSON}(?: from [\\w ]{1,25}?)? (?:should|must|needs? to|has to|have to|to) (?:please )?(?:${CALL_ME}|${HANDLE})\\b`,
    'i',
  ),
  // "I'd rather deal with a real person", "I prefer speaking with a live representative", "I insist on
  // talking to a manager"
  new RegExp(
    `\\b(?:rather|prefer(?: to)?|appreciate|insist on|consider|try) (?:deal|talk|speak|chat|discuss(?: this| it)?)(?:ing)? (?:to|with) ${PERSON}`,
    'i',
  ),
  new RegExp(
    `^\\W*(?:speaking|talking|chatting) (?:to|with) ${PERSON}.*\\b(?:would|better|please|prefer)`,
    'i',
  ),
  // "Operator, pick up please", "Agent, are you there?"
  /^\W*(?:agent|operator|human|representative)\W+(?:are you there|pick up|answer|respond)\b/i,
  new RegExp(`\\b(?:is|are) ${THEIR_PERSON} (?:available|free|around|online)\\b`, 'i'),
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
  // A message that is little more than the word: "AGENT", "representative!!", "human please", "support agent"
  /^\W*(?:(?:a |an )?(?:real |live |actual |human )?(?:human(?: being)?|agent|representative|rep|operator|person|live chat|(?:customer )?(?:service|support|care) (?:agent|representative|rep|advisor|person|staff|team)|customer (?:service|support|care))(?: please| pls| plz| now| asap)?)\W*$/i,
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

/**
 * Words of a request whose misspellings are common enough to fix before matching ("speek to a persn"): a
 * word of four letters or more within one edit (a swap of two neighbours counts as one) becomes the word.
 * Left out on purpose: words whose neighbours are common words ("manager" / "managed", "talk" / "walk").
 */
const KEY_WORDS = [
  'speak',
  'human',
  'person',
  'agent',
  'operator',
  'someone',
  'somebody',
  'colleague',
  'supervisor',
];
const SPELLINGS: Record<string, string> = {
  tlak: 'talk',
  takl: 'talk',
  tak: 'talk',
  tallk: 'talk',
  wanna: 'want to',
  hooman: 'human',
  hoomans: 'humans',
  represenative: 'representative',
  reprsentative: 'representative',
  representive: 'representative',
  repesentative: 'representative',
  representativ: 'representative',
};

/** True when a and b differ by at most one insertion, deletion, substitution or swap of neighbours. */
export function withinOneEdit(a: string, b: string): boolean {
  if (Math.abs(a.length - b.length) > 1) return false;
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  if (i === a.length && i === b.length) return true;
  const rest = (x: number, y: number) => a.slice(x) === b.slice(y);
  if (a.length === b.length) {
    return rest(i + 1, i + 1) || (a[i] === b[i + 1] && a[i + 1] === b[i] && rest(i + 2, i + 2));
  }
  return a.length > b.length ? rest(i + 1, i) : rest(i, i + 1);
}

function fixSpelling(text: string): string {
  return text.replace(/\p{L}+/gu, (word) => {
    const lower = word.toLowerCase();
    const known = SPELLINGS[lower];
    if (known) return known;
    if (lower.length < 4) return word;
    const key = KEY_WORDS.find((k) => k !== lower && withinOneEdit(lower, k) && !lower.startsWith(k));
    return key ?? word;
  });
}

export function detectHumanRequest(text: string): HumanRequest {
  const normalised = fixSpelling(text.normalize('NFKC').replace(/[’‘`]/g, "'"));
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
