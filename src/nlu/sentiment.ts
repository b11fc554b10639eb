import model from 'wink-eng-lite-web-model';
import winkNLP, { type WinkMethods } from 'wink-nlp';

/**
 * Sentiment and frustration for support messages: wink-nlp's lexicon score (which handles negation and
 * intensifiers: "not happy" is negative) adjusted by support cues that a general lexicon misses ("third time",
 * "still not", "cancel my account", "!!!", ALL CAPS, swearing), and discounted for politeness in a plain
 * request ("can you reset my password? thanks" is neutral, not positive).
 *
 * @example
 * analyseSentiment('This is the THIRD time I ask. Still not fixed!!!');
 * // { label: 'negative', score: -0.8, frustration: 0.9, cues: ['repeat_contact', 'still_not', 'exclamations', 'caps'] }
 */
export interface SentimentResult {
  /** -1 (very negative) .. 1 (very positive). */
  score: number;
  label: 'negative' | 'neutral' | 'positive';
  /** 0 .. 1: how strongly the message signals a frustrated customer. */
  frustration: number;
  /** The support cues found, by name. */
  cues: string[];
}

interface Cue {
  name: string;
  pattern: RegExp;
  /** Added to frustration (0..1 scale) when the cue is present. */
  frustration: number;
  /** Added to the sentiment score. */
  score: number;
}

const FRUSTRATION_CUES: Cue[] = [
  {
    name: 'swearing',
    pattern:
      /\b(?:damn|dammit|wtf|f+u+c+k\w*|f\*+k|sh[i1]t\w*|crap|bullshit|bs|bloody|hell|pissed|screw (?:you|this))\b/i,
    frustration: 0.5,
    score: -0.5,
  },
  {
    name: 'repeat_contact',
    pattern:
      /\b(?:(?:second|third|fourth|fifth|\d+(?:st|nd|rd|th)) time|(?:how many|so many) times|again and again|same (?:error|problem|issue) again|(?:called|emailed|written|asked|contacted you) (?:\w+ )?(?:twice|three times|multiple times|several times|many times|repeatedly))\b/i,
    frustration: 0.45,
    score: -0.4,
  },
  {
    name: 'still_not',
    pattern:
      /\b(?:still (?:locked|not|no|nothing|haven'?t|hasn'?t|didn'?t|doesn'?t|don'?t|can'?t|cannot|isn'?t|aren'?t|won'?t|waiting|broken|missing|charged|no reply)|yet again|nobody (?:answers|replies|responds|helps|has (?:answered|replied|helped|gotten back))|no one (?:answers|replies|responds|helps|has))\b/i,
    frustration: 0.4,
    score: -0.35,
  },
  {
    name: 'strong_words',
    pattern:
      /\b(?<!\b(?:never|not|don'?t|won'?t|didn'?t|wasn'?t|isn'?t) )(?:r[ie]dic[ua]lous|unacc?ep?table|outrageous|pathetic|useless|hopeless|absurd|garbage|rubbish|trash|worst|ter+ib+le|hor+ib+le|awful|disgusting|incompetent|joke|scam|rip[- ]?off|ripped off|cheated|fed up|sick (?:and tired )?of|(?:waste|wasting|wasted) (?:of )?(?:my )?time|furious|livid|angry|upset|unhappy|frustr?at\w*|dis+ap+oint\w*|an+oy\w*|fuming|shambles|nightmare|what a mess|never again|lawyer|legal action|report you|(?:losing|lost|run(?:ning)? out of) (?:my )?patience|(?:so|totally|completely) done with|zero help|no help at all|going (?:round )?in circles|regret (?:ordering|buying|signing|choosing)|(?:not|isn'?t|that'?s not) fair|unfair)\b/i,
    frustration: 0.4,
    score: -0.35,
  },
  {
    name: 'churn_threat',
    pattern:
      /\b(?:cancel(?:l?ing)? my (?:account|subscription|membership|plan)|clos(?:e|ing) my account|switch(?:ing)? to (?:a )?(?:competitor|another)|(?:take|taking) my business elsewhere|i(?:'m| am) (?:leaving|done with you)|never (?:buy|buying|order|ordering|use|using) (?:anything )?(?:from )?(?:you|this)(?: again)?)\b/i,
    frustration: 0.35,
    score: -0.3,
  },
  {
    name: 'complaint',
    pattern:
      /\b(?:unbelievable|can'?t believe|hung up|overcharged|charged (?:me )?(?:twice|three times|again)|never (?:got|arrived|received|happened|came)|didn'?t (?:receive|get|arrive)|(?<!\bi (?:ordered|chose|picked|bought|selected|entered|typed|put|gave)(?: the| a)? )wrong (?:item|size|colou?r|amount|order|address|product|country)|(?:don'?t|do not|didn'?t|did not) (?:appreciate|like|enjoy)|keeps? (?:getting|being) (?:charged|billed|ignored|spammed|cut off)|keeps? (?:charging|ignoring|sending me)|i was (?:told|promised) (?:it|that|i)\b[^.!?]{0,80}\b(?:wasn'?t|didn'?t|never|hasn'?t|isn'?t)|(?:stop|keep) ignoring|ignored|lost my|arrived (?:broken|damaged|open)|(?:is|are|was) wrong|broke(?:n)? (?:everything|again)|stopped working|won'?t help|(?:had|have had) enough|it'?s been (?:\w+ )?(?:days|weeks|months)|waited (?:on hold )?for (?:an? |\w+ )?(?:hour|hours|days|weeks)|declined for no reason|disconnected|thanks for nothing|great job\.?$|why do i have to|keeps? (?:looping|crashing|freezing|logging me out)|not (?:good enough|impressed|satisfied|pleased|happy))\b/i,
    frustration: 0.25,
    score: -0.45,
  },
  { name: 'exclamations', pattern: /!{2,}|\?!|!\?|\?{2,}/, frustration: 0.25, score: -0.1 },
  // "... and it wasn't. Again." A last word "again" on its own is a customer who has been here before.
  { name: 'again', pattern: /(?:^|[.!?]\s*)again[.!?]*\s*$/i, frustration: 0.3, score: -0.3 },
];

const PRAISE_RE =
  /\b(?:no complaints?|nothing to complain about|can'?t (?:complain|fault)|never had (?:a|any) (?:problem|issue)|not a single (?:problem|issue)|no (?:issues|problems) (?:at all|since)|not bad at all|works like a charm|never (?:disappoints?|fails?|lets? (?:me|us) down)|highly recommend\w*)\b/i;
// Phrases that a lexicon reads as negative but that are neutral in a support request.
// A customer's apology ("sorry, it is SB-1") is politeness, not a negative state.
const NEUTRAL_PHRASES_RE =
  /\b(?:not sure|no rush|not urgent|no hurry|if possible|not able to|unable to|(?:i'?m |i am |so )?sorry|(?:my )?apologies|my bad|excuse me|errors?(?: code)?(?= ?\w*\d))\b/gi;

const GRATITUDE_RE =
  /\b(?:thanks?|thank you|thx|ty|cheers|appreciate(?:d)?|grateful|you(?:'re| are) (?:the best|awesome|amazing|great)|great (?:job|service|help|support)|works? (?:now|perfectly|great)|(?:problem|issue) (?:is )?(?:solved|fixed|resolved)|(?:all|problem|it'?s) sorted|brilliant|perfect|excellent|fantastic|lov(?:e|ing) (?:it|this|your|the|how)|pass on my (?:thanks|gratitude)|great experience)\b/i;
const POLITE_ONLY_RE = /\b(?<!my )(?:thanks?(?: you)?(?: in advance)?|thx|please|cheers|ty)\b/gi;
// A churn cue said as a calm request ("I would like to close my account please") is a request, not a threat.
const CALM_REQUEST_RE = /\b(?:please|would like|i'?d like|how (?:do|can) i|can i|could you|can you)\b/i;
const REQUEST_RE =
  /\?|\b(?:can|could|would|will) you\b|\b(?:i(?: need| want| would like|'d like)|please|how (?:do|can|to)|help me|let me know)\b|^\s*(?:how|where|when|what|why|which|is|are|do|does)\b/im;

let nlp: WinkMethods | undefined;
/** wink's model loads in ~0.1 s: load it once, on first use. */
function winkSentiment(text: string): number {
  nlp ??= winkNLP(model, ['sbd', 'negation', 'sentiment']);
  return nlp.readDoc(text).out(nlp.its.sentiment) as unknown as number;
}

function capsShouting(text: string): boolean {
  const words = text.match(/\b[A-Za-z]{3,}\b/g) ?? [];
  const caps = words.filter(
    (w) => w === w.toUpperCase() && !/^(?:USA|USD|EUR|GBP|API|URL|PDF|SMS|ATM|PIN|CEO|FAQ|ETA|ASAP)$/.test(w),
  );
  // One acronym is not shouting; several capitalised words, or a mostly-capitals message, is.
  return caps.length >= 3 || (words.length >= 2 && caps.length / words.length >= 0.6 && caps.length >= 2);
}

export function analyseSentiment(text: string): SentimentResult {
  const cues: string[] = [];
  let frustration = 0;
  let adjust = 0;
  // In "X, but Y" the part after "but" carries the customer's state: cues before it count half.
  const butAt = text.search(/\b(?:but|however|although)\b/i);
  const before = butAt > 0 ? text.slice(0, butAt) : '';
  const after = butAt > 0 ? text.slice(butAt) : text;
  // What the cues before a "but" add, kept apart: thanks after the "but" cancel them.
  let frustrationAfter = 0;
  let frustrationBefore = 0;
  let adjustBefore = 0;
  for (const cue of FRUSTRATION_CUES) {
    const weight = cue.pattern.test(after) ? 1 : cue.pattern.test(before) ? 0.4 : 0;
    if (cue.name === 'churn_threat' && weight > 0 && cues.length === 0 && CALM_REQUEST_RE.test(text))
      continue;
    if (weight === 1) frustrationAfter += cue.frustration;
    else if (weight > 0) {
      frustrationBefore += cue.frustration * weight;
      adjustBefore += cue.score * weight;
    }
    if (weight > 0) {
      cues.push(cue.name);
      frustration += cue.frustration * weight;
      adjust += cue.score * weight;
    }
  }
  if (capsShouting(text)) {
    cues.push('caps');
    frustration += 0.4;
    adjust -= 0.2;
  }
  const cleaned = text.replace(NEUTRAL_PHRASES_RE, ' ');
  const cleanedAfter = after.replace(NEUTRAL_PHRASES_RE, ' ');
  let base =
    butAt > 0
      ? 0.3 * winkSentiment(before.replace(NEUTRAL_PHRASES_RE, ' ')) + 0.7 * winkSentiment(cleanedAfter)
      : winkSentiment(cleaned);
  const grateful = GRATITUDE_RE.test(after) && !/\bthanks? for nothing\b/i.test(text);
  if (grateful) cues.push('gratitude');
  const praise = PRAISE_RE.test(text);
  if (praise) cues.push('praise');
  const request = REQUEST_RE.test(text);
  // "Please" and "thanks" inside a request are politeness, not satisfaction: score the text without them.
  const politeOnly = grateful && request && !GRATITUDE_RE.test(after.replace(POLITE_ONLY_RE, ' '));
  if (politeOnly) base = winkSentiment(cleaned.replace(POLITE_ONLY_RE, ' '));
  // A question or request is mostly neutral whatever its words ("what does error E42 mean?").
  if (request && !grateful && !praise) base *= 0.35;
  else if (politeOnly) base *= 0.35;
  // Any frustration cue outweighs the lexicon's positive words ("thanks for nothing", "great, broken again").
  if (frustration > 0 && base > 0) base *= 0.3;
  if (praise) base = Math.max(base, 0) + 0.5;
  // Thanks after a "but" outweigh the frustration before it ("I was annoyed at first, but ... thank you!").
  if (grateful && !politeOnly && frustrationAfter === 0) {
    base = Math.max(base, 0) + 0.3;
    frustration -= frustrationBefore;
    adjust -= adjustBefore;
  }
  const score = Math.max(-1, Math.min(1, base + adjust));
  frustration = Math.min(1, frustration + (score < -0.5 ? 0.2 : 0));
  const label = score <= -0.25 || frustration >= 0.4 ? 'negative' : score >= 0.25 ? 'positive' : 'neutral';
  return {
    score: Math.round(score * 1000) / 1000,
    label,
    frustration: Math.round(frustration * 100) / 100,
    cues,
  };
}
