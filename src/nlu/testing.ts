import { seededRandom } from '../shared/random.ts';
import type { LabelledText } from './classifier.ts';

/**
 * A small generated intent data set for tests: a few support intents built from templates and slot values,
 * with typos and out-of-scope chatter. Made here, so tests never read the shared data sets.
 *
 * @example
 * const examples = generateIntentExamples({ seed: 1, perIntent: 40, outOfScope: 30 });
 */
const INTENTS: Record<string, { templates: string[]; slots: string[] }> = {
  track_order: {
    templates: [
      'where is my {x}',
      'my {x} has not arrived yet',
      'can you track my {x}',
      'when will my {x} be delivered',
      'status of my {x} please',
      'has my {x} shipped',
    ],
    slots: ['order', 'parcel', 'package', 'delivery', 'shipment', 'order 12345'],
  },
  refund: {
    templates: [
      'i want a refund for my {x}',
      'how do i get my money back for the {x}',
      'please refund the {x}',
      'refund status for {x}',
      'i was promised a refund on my {x}',
      'money back for {x} please',
    ],
    slots: ['shoes', 'jacket', 'broken lamp', 'cancelled order', 'headphones', 'return'],
  },
  reset_password: {
    templates: [
      'i forgot my {x}',
      'how do i reset my {x}',
      'cannot log in, need a new {x}',
      'reset {x} link not working',
      'change my {x}',
      'my {x} is not accepted',
    ],
    slots: ['password', 'login password', 'account password', 'pin', 'passcode', 'password for the app'],
  },
  change_address: {
    templates: [
      'i moved, update my {x}',
      'change the {x} on my order',
      'wrong {x} on my account',
      'can i edit my {x}',
      'new {x} for deliveries',
      'please correct my {x}',
    ],
    slots: ['address', 'delivery address', 'shipping address', 'home address', 'billing address', 'postcode'],
  },
};

const OUT_OF_SCOPE = [
  'what is the weather like tomorrow',
  'tell me a joke',
  'who won the football game',
  'what is the capital of peru',
  'play some music',
  'how tall is mount everest',
  'recommend a good movie',
  'what time is it in tokyo',
  'how do i cook rice',
  'translate hello into french',
];

export function generateIntentExamples(props: {
  seed: number;
  perIntent: number;
  outOfScope?: number;
}): LabelledText[] {
  const random = seededRandom(props.seed);
  const pick = <T>(items: T[]) => items[Math.floor(random() * items.length)]!;
  const typo = (text: string) => {
    if (random() > 0.2 || text.length < 6) return text;
    const i = 1 + Math.floor(random() * (text.length - 2));
    return text.slice(0, i) + text[i + 1] + text[i] + text.slice(i + 2);
  };
  const out: LabelledText[] = [];
  for (const [label, { templates, slots }] of Object.entries(INTENTS)) {
    for (let i = 0; i < props.perIntent; i++) {
      out.push({ text: typo(pick(templates).replace('{x}', pick(slots))), label });
    }
  }
  for (let i = 0; i < (props.outOfScope ?? 0); i++)
    out.push({ text: typo(pick(OUT_OF_SCOPE)), label: 'oos' });
  return out;
}

/**
 * Examples whose intent is the XOR of two words kept apart by filler words: "alpha ... north" and "beta ...
 * south" are `same`, "alpha ... south" and "beta ... north" are `mixed`. No word or bigram tells the intent
 * on its own, so a linear model on these features is near chance, while a network's hidden units can learn
 * the pairs: the data set on which the classifier must keep its network.
 *
 * @example
 * const examples = generateXorExamples({ seed: 1, count: 600 });
 */
export function generateXorExamples(props: { seed: number; count: number }): LabelledText[] {
  const random = seededRandom(props.seed);
  const fillers = ['please', 'today', 'really', 'again', 'now', 'kindly', 'still', 'maybe'];
  const filler = () => fillers[Math.floor(random() * fillers.length)]!;
  const out: LabelledText[] = [];
  for (let i = 0; i < props.count; i++) {
    const a = random() < 0.5;
    const b = random() < 0.5;
    out.push({
      text: `${a ? 'alpha' : 'beta'} ${filler()} ${filler()} ${b ? 'north' : 'south'} ${filler()}`,
      label: a === b ? 'same' : 'mixed',
    });
  }
  return out;
}
