import { describe, expect, it } from 'vitest';
import { generateBackgroundTexts } from './background.ts';
import {
  autoUnknownIntentShare,
  DEFAULT_TRAIN_OPTIONS,
  heldOutAtShares,
  type LabelledText,
  OOS_LABEL,
  recalibrate,
  trainIntentModel,
} from './classifier.ts';
import { parseModel, serialiseModel } from './model-file.ts';
import { generateIntentExamples } from './testing.ts';

/**
 * A constructed deployment where out-of-scope messages look like the intents: they borrow the intents' phrasing
 * ("where is my umbrella", "change the channel on my tv"), so a model calibrated for no out-of-scope traffic
 * accepts many of them. Three kinds, each a group the cross-validation holds out whole.
 */
const LOOKALIKES: Record<string, { templates: string[]; slots: string[] }> = {
  household: {
    templates: [
      'where is my {x}',
      'i cannot find my {x}',
      'has anyone seen my {x}',
      'my {x} is missing again',
    ],
    slots: ['umbrella', 'cat', 'remote', 'keys', 'glasses', 'charger', 'wallet', 'scarf'],
  },
  television: {
    templates: [
      'change the {x} on my tv',
      'how do i reset my {x}',
      'update my {x} please',
      'my {x} is not working',
    ],
    slots: ['channel', 'volume', 'tv box', 'antenna', 'subtitles', 'router', 'wifi', 'smart speaker'],
  },
  money_talk: {
    templates: [
      'how do i get {x} back',
      'i want {x} for my birthday',
      'is {x} worth it',
      'tell me about {x}',
    ],
    slots: ['my sleep', 'my energy', 'a bike', 'a new phone', 'bitcoin', 'gold', 'the lottery', 'my youth'],
  },
};

function lookalikes(): LabelledText[] {
  const out: LabelledText[] = [];
  for (const [group, { templates, slots }] of Object.entries(LOOKALIKES)) {
    for (const t of templates)
      for (const x of slots) out.push({ text: t.replace('{x}', x), label: OOS_LABEL, group });
  }
  return out;
}

const options = { ...DEFAULT_TRAIN_OPTIONS, folds: 4, mlp: false as const };

describe('thresholds follow the expected out-of-scope share', () => {
  const examples = [...generateIntentExamples({ seed: 4, perIntent: 40, outOfScope: 0 }), ...lookalikes()];
  const trained = trainIntentModel(examples, { ...options, expectedOosShare: 0 });
  const atNone = recalibrate(trained, { expectedOosShare: 0 });
  const atQuarter = recalibrate(trained, { expectedOosShare: 0.25 });
  const atHalf = recalibrate(trained, { expectedOosShare: 0.5 });

  it('raises the thresholds as the share grows, never lowers one', () => {
    const none = [...atNone.thresholds.perIntent];
    const quarter = [...atQuarter.thresholds.perIntent];
    const half = [...atHalf.thresholds.perIntent];
    for (const [i, t] of quarter.entries()) {
      expect(t).toBeGreaterThanOrEqual(none[i]!);
      expect(half[i]).toBeGreaterThanOrEqual(t);
    }
    expect(quarter.some((t, i) => t > none[i]!)).toBe(true);
  });

  it('keeps the target precision at the share it was calibrated for, where the uncalibrated model misses it', () => {
    const at = (m: typeof trained) => heldOutAtShares(m, [0.25])![0]!;
    expect(at(atNone).precision).toBeLessThan(0.97);
    expect(at(atQuarter).precision).toBeGreaterThanOrEqual(0.97);
    // The price: fewer answers.
    expect(at(atQuarter).answered).toBeLessThan(at(atNone).answered);
  });

  it('answers nothing at a share its out-of-scope examples are too few to vouch for', () => {
    // 96 held-out out-of-scope examples, none passing, still allow up to 2.7% of foreign messages to pass: at
    // half the traffic that is more wrong answers than the target leaves room for among 160 in-scope ones.
    expect(heldOutAtShares(atHalf, [0.5])![0]!.answered).toBe(0);
  });

  it('is at least as strict with few held-out out-of-scope examples as with many that pass as often', () => {
    // The same held-out predictions with every out-of-scope one counted ten times: the same share of them
    // passes, so the weighting alone sees no difference; ten times the examples make the rate surer.
    const held = trained.heldOut!;
    const oosIndex = trained.labels.indexOf(OOS_LABEL);
    const copies = (i: number) => (held.gold[i] === oosIndex ? 10 : 1);
    const repeat = <T>(values: readonly T[]) => values.flatMap((v, i) => Array<T>(copies(i)).fill(v));
    const many = {
      ...trained,
      heldOut: {
        gold: repeat(held.gold),
        top: repeat(held.top),
        confidence: repeat(held.confidence),
        oosMargin: repeat(held.oosMargin),
        ...(held.unknown
          ? {
              unknown: {
                top: repeat(held.unknown.top),
                confidence: repeat(held.unknown.confidence),
                oosMargin: repeat(held.unknown.oosMargin),
              },
            }
          : {}),
      },
    };
    for (const share of [0.25, 0.5]) {
      const few = [...recalibrate(trained, { expectedOosShare: share }).thresholds.perIntent];
      const sure = [...recalibrate(many, { expectedOosShare: share }).thresholds.perIntent];
      for (const [k, t] of few.entries()) expect(t).toBeGreaterThanOrEqual(sure[k]!);
      expect(few.some((t, k) => t > sure[k]!)).toBe(true);
    }
  });

  it('trains to the share it is given, as recalibrating does', () => {
    const quarter = trainIntentModel(examples, { ...options, expectedOosShare: 0.25 });
    expect([...quarter.thresholds.perIntent]).toEqual([...atQuarter.thresholds.perIntent]);
  });
});

describe('a background of other domains', () => {
  it('is learnt as out of scope, and a domain the intents claim is left out', () => {
    const intents = generateIntentExamples({ seed: 4, perIntent: 40, outOfScope: 0 });
    // A "domain" that is the deployment's own business: texts of its intents.
    const claimed = generateIntentExamples({ seed: 9, perIntent: 10, outOfScope: 0 }).map((e) => ({
      text: e.text,
      group: 'shop_orders',
    }));
    const background = [...generateBackgroundTexts({ seed: 1, count: 400 }), ...claimed];
    const model = trainIntentModel(intents, { ...options, expectedOosShare: 0.25 }, { background });
    expect(model.labels).toContain(OOS_LABEL);
    expect(model.training.background?.dropped).toEqual(['shop_orders']);
    expect(model.training.background?.groups.length).toBeGreaterThanOrEqual(15);
    expect(model.training.background?.groups).not.toContain('shop_orders');
    const shares = heldOutAtShares(model)!;
    expect(shares.map((s) => s.share)).toEqual([0, 0.1, 0.25, 0.5]);
    expect(shares[2]!.precision).toBeGreaterThanOrEqual(0.97);
  });

  it('is checked again once a claimed domain is left out: a domain it masked is left out too', () => {
    const intents = generateIntentExamples({ seed: 4, perIntent: 40, outOfScope: 0 });
    const domain = (seed: number, perIntent: number, group: string) =>
      generateIntentExamples({ seed, perIntent, outOfScope: 0 }).map((e) => ({ text: e.text, group }));
    // Both are the deployment's own business. While the large one is learnt as out of scope, the small one,
    // held out, looks foreign; the large one, held out, does not (the small one teaches too little).
    const background = [
      ...generateBackgroundTexts({ seed: 1, count: 400 }),
      ...domain(9, 40, 'shop_orders'),
      ...domain(11, 8, 'shop_questions'),
    ];
    const model = trainIntentModel(intents, { ...options, expectedOosShare: 0.25 }, { background });
    expect(model.training.background?.dropped).toEqual(['shop_orders', 'shop_questions']);
  });
});

describe('unknown intents stand in for foreign messages the background does not cover', () => {
  it('takes half the out-of-scope weight with a background alone, none with examples of its own, none without any', () => {
    expect(autoUnknownIntentShare(1800, 1800)).toBe(0.5);
    expect(autoUnknownIntentShare(13_100, 1800)).toBeCloseTo(0.069, 3);
    expect(autoUnknownIntentShare(300, 0)).toBe(0);
    expect(autoUnknownIntentShare(0, 0)).toBe(0);
  });

  it('makes the thresholds stricter, and survives the model file', () => {
    // Eight intents: the generated four and four more, so that hiding one leaves real alternatives.
    const intents = [
      ...generateIntentExamples({ seed: 4, perIntent: 30, outOfScope: 0 }),
      ...generateIntentExamples({ seed: 5, perIntent: 30, outOfScope: 0 }).map((e) => ({
        text: `${e.text} for my business account`,
        label: `business_${e.label}`,
      })),
    ];
    const background = generateBackgroundTexts({ seed: 1, count: 400 });
    const model = trainIntentModel(intents, { ...options, expectedOosShare: 0.25 }, { background });
    const without = recalibrate(model, { unknownIntentShare: 0 });
    const auto = recalibrate(model, {});
    const strict = [...auto.thresholds.perIntent];
    // Part of the foreign weight moves from the background to the unknown intents: an intent the background
    // drew may get a little laxer, but more get stricter, and fewer answers pass.
    const stricter = strict.filter((t, i) => t > without.thresholds.perIntent[i]!).length;
    const laxer = strict.filter((t, i) => t < without.thresholds.perIntent[i]!).length;
    expect(stricter).toBeGreaterThan(laxer);
    expect(auto.cv.coverage).toBeLessThan(without.cv.coverage);
    expect([...model.thresholds.perIntent]).toEqual(strict);
    const loaded = parseModel(serialiseModel(model), 'm.json');
    expect(loaded.heldOut?.unknown?.confidence).toEqual(model.heldOut?.unknown?.confidence);
    expect([...recalibrate(loaded, {}).thresholds.perIntent]).toEqual(strict);
  });
});
