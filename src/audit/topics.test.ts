import { describe, expect, it } from 'vitest';
import { seededRandom } from '../shared/random.ts';
import { normalisedMutualInformation } from './topic-quality.ts';
import { discoverTopics } from './topics.ts';

const THEMES: Record<string, { openers: string[]; objects: string[]; endings: string[] }> = {
  password: {
    openers: [
      'I forgot my',
      'how do I reset my',
      'cannot remember my',
      'need to change my',
      'locked out, reset',
    ],
    objects: ['password', 'login password', 'account password'],
    endings: ['please', 'reset link not working', 'for the login page', ''],
  },
  delivery: {
    openers: ['where is my', 'still waiting for my', 'when will my', 'tracking shows nothing for my'],
    objects: ['parcel', 'parcel delivery', 'parcel shipment'],
    endings: ['tracking number', 'courier never came', 'delivery is late', ''],
  },
  refund: {
    openers: [
      'I want a refund for my',
      'please refund my',
      'money back for the',
      'how long does a refund take for',
    ],
    objects: ['broken blender', 'returned blender', 'damaged blender'],
    endings: ['refund', 'money back', 'return label', ''],
  },
  invoice: {
    openers: ['send me the invoice for', 'I need a copy of the invoice for', 'wrong vat on invoice for'],
    objects: ['my subscription', 'the annual subscription', 'last month subscription'],
    endings: ['invoice pdf', 'billing address', 'invoice number', ''],
  },
};

/** `perTheme` phrasings of each theme built from templates, shuffled; returns texts and their theme. */
function themedCorpus(perTheme: number, seed: number) {
  const random = seededRandom(seed);
  const pick = <T>(items: T[]) => items[Math.floor(random() * items.length)]!;
  const rows: { text: string; theme: string }[] = [];
  for (const [theme, t] of Object.entries(THEMES)) {
    for (let i = 0; i < perTheme; i++) {
      rows.push({ text: `${pick(t.openers)} ${pick(t.objects)} ${pick(t.endings)}`.trim(), theme });
    }
  }
  for (let i = rows.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [rows[i], rows[j]] = [rows[j]!, rows[i]!];
  }
  return { texts: rows.map((r) => r.text), themes: rows.map((r) => r.theme) };
}

describe('discoverTopics', () => {
  it('names topics by a short sentence of their texts, a question first, names unique, no numbers', () => {
    const texts = [
      ...Array.from({ length: 8 }, (_, i) => `Where is my refund? I returned the kettle ${100 + i} days ago`),
      ...Array.from({ length: 8 }, (_, i) => `my refund has not arrived, order 55${i}123`),
      ...Array.from({ length: 8 }, () => 'I cannot log in to my account'),
      ...Array.from({ length: 8 }, () => 'the login page says my account is locked'),
    ];
    const result = discoverTopics(texts, { k: 2, seed: 1 });
    expect(result.topics.map((t) => t.name).sort()).toEqual([
      'I cannot log in to my account',
      'Where is my refund?',
    ]);
  });

  it('recovers four separated themes with k given and names them after their words', () => {
    const { texts, themes } = themedCorpus(30, 1);
    const result = discoverTopics(texts, { k: 4, seed: 3 });
    expect(result.assignments).toHaveLength(120);
    expect(normalisedMutualInformation(themes, result.assignments)).toBeGreaterThan(0.9);
    expect(result.topics.map((t) => t.id)).toEqual([0, 1, 2, 3]);
    const names = result.topics.map((t) => t.name).join(' | ');
    for (const word of ['password', 'parcel', 'refund', 'invoice']) expect(names).toContain(word);
    for (const topic of result.topics) {
      // Named by a sentence of its own texts, in words, not a keyword triple.
      expect(topic.name).not.toContain(' / ');
      expect(topic.name).not.toContain('\u2026');
      expect(topic.name).toMatch(/^[A-Z]/);
      expect(
        texts
          .filter((_, i) => result.assignments[i] === topic.id)
          .some((t) => t.toLowerCase().startsWith(topic.name.toLowerCase())),
      ).toBe(true);
      expect(result.assignments[topic.representative]).toBe(topic.id);
      expect(result.assignments.filter((a) => a === topic.id)).toHaveLength(topic.size);
      expect(topic.terms.length).toBeGreaterThan(2);
    }
  });

  it("finds pure topics with k = 'auto' (template variants may split a theme, never mix two)", () => {
    const { texts, themes } = themedCorpus(30, 2);
    const result = discoverTopics(texts, { k: 'auto', seed: 1 });
    expect(result.topics.length).toBeGreaterThanOrEqual(4);
    expect(result.topics.length).toBeLessThanOrEqual(15);
    for (const topic of result.topics) {
      const members = themes.filter((_, i) => result.assignments[i] === topic.id);
      const majority = Math.max(...Object.keys(THEMES).map((t) => members.filter((m) => m === t).length));
      expect(majority / members.length).toBeGreaterThanOrEqual(0.9);
    }
  });

  it('is deterministic for a seed', () => {
    const { texts } = themedCorpus(20, 4);
    const a = discoverTopics(texts, { k: 'auto', seed: 9 });
    const b = discoverTopics(texts, { k: 'auto', seed: 9 });
    expect(b).toEqual(a);
  });

  it('puts a tiny outlier group under the size floor in "other" (-1)', () => {
    const { texts } = themedCorpus(30, 5);
    const odd = [
      'the weather forecast says heavy snow tomorrow',
      'heavy snow forecast for the weekend weather',
    ];
    const result = discoverTopics([...texts, ...odd], { k: 5, seed: 1, minTopicSize: 5 });
    expect(result.assignments.slice(-2)).toEqual([-1, -1]);
    expect(result.topics.every((t) => t.size >= 5)).toBe(true);
  });

  it('gives fewer topics than asked when the texts cannot be split further (identical texts)', () => {
    const texts = [...Array(6).fill('reset my password'), ...Array(6).fill('where is my parcel')];
    const result = discoverTopics(texts, { k: 5, seed: 1, minTopicSize: 1 });
    expect(result.topics.map((t) => t.size)).toEqual([6, 6]);
    expect(result.assignments.slice(0, 6).every((a) => a === result.assignments[0])).toBe(true);
    expect(result.assignments[6]).not.toBe(result.assignments[0]);
  });

  it('handles empty and tiny inputs', () => {
    expect(discoverTopics([], {})).toEqual({ assignments: [], topics: [] });
    const one = discoverTopics(['where is my parcel'], { minTopicSize: 1 });
    expect(one.assignments).toEqual([0]);
    expect(one.topics[0]).toMatchObject({ id: 0, size: 1, representative: 0 });
    const few = discoverTopics(['reset password', 'reset my password', 'parcel late', '', '!!!'], { k: 10 });
    expect(few.assignments).toHaveLength(5);
    expect(few.assignments.slice(3)).toEqual([-1, -1]);
    for (const a of few.assignments) expect(a).toBeGreaterThanOrEqual(-1);
  });
});
