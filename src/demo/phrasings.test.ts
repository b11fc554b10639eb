import { describe, expect, it } from 'vitest';
import { AGENT_SCRIPTS, agentScript, replyKeyFor } from './agent-replies.ts';
import { CATEGORY_PROFILES, CATEGORY_TABLE, DEMO_CATEGORIES } from './categories.ts';
import { planTurns } from './conversation.ts';
import { COMPILED_CUSTOMER_SCRIPTS, CUSTOMER_SCRIPTS } from './phrasings.ts';
import { createRandom } from './random.ts';
import { injectTypos, isTypoEligible } from './typos.ts';

describe('phrasing tables', () => {
  it('have at least 15 base templates for the big categories and some for every other', () => {
    for (const category of DEMO_CATEGORIES) {
      const openings = CUSTOMER_SCRIPTS[category].flatMap((v) => v.openings).length;
      const big = CATEGORY_PROFILES[category].weight >= 6;
      expect(openings, category).toBeGreaterThanOrEqual(big ? 15 : 2);
    }
  });

  it('answer every customer phrasing with an agent script of the right kind', () => {
    const used = new Set<string>();
    for (const category of DEMO_CATEGORIES) {
      for (const variant of COMPILED_CUSTOMER_SCRIPTS[category]) {
        // The order's status can pick a more specific script (`order_status/shipped`).
        for (const status of ['processing', 'shipped', 'delivered', 'cancelled']) {
          const key = replyKeyFor(variant.replyKey, status);
          const script = agentScript(key);
          expect(script.kind, key).toBe(CATEGORY_PROFILES[category].complex ? 'bespoke' : 'macro');
          used.add(key);
        }
      }
    }
    expect([...used].sort()).toEqual(Object.keys(AGENT_SCRIPTS).sort());
  });

  it('weight the categories to 100%', () => {
    expect(CATEGORY_TABLE.total).toBeCloseTo(100, 6);
  });
});

describe('planTurns', () => {
  it('starts with the customer and alternates, with at most one note followed by a reply', () => {
    expect(planTurns(1, false)).toEqual(['customer']);
    expect(planTurns(4, false)).toEqual(['customer', 'agent', 'customer', 'agent']);
    expect(planTurns(5, true)).toEqual(['customer', 'agent', 'customer', 'note', 'agent']);
    for (let n = 1; n <= 8; n++) {
      const turns = planTurns(n, true);
      expect(turns).toHaveLength(n);
      expect(turns.filter((t) => t === 'note').length).toBeLessThanOrEqual(1);
      const note = turns.indexOf('note');
      if (note >= 0) expect(turns[note + 1]).toBe('agent');
    }
  });
});

describe('injectTypos', () => {
  it('changes only eligible words, keeps emails and order numbers intact, and counts what it did', () => {
    const text = 'Please check order SB-123456 for olivia.smith@example.com, thanks so much!';
    const rng = createRandom(1);
    let typos = 0;
    for (let i = 0; i < 200; i++) {
      const result = injectTypos(text, 0.3, rng);
      typos += result.typos;
      const before = text.split(' ');
      const after = result.text.split(' ');
      expect(after).toHaveLength(before.length);
      let changed = 0;
      for (let w = 0; w < before.length; w++) {
        if (before[w] === after[w]) continue;
        changed++;
        expect(isTypoEligible(before[w]!)).toBe(true);
      }
      expect(changed).toBe(result.typos);
      expect(result.text).toContain('SB-123456');
      expect(result.text).toContain('olivia.smith@example.com,');
    }
    expect(typos).toBeGreaterThan(0);
    expect(injectTypos(text, 0, rng)).toEqual({ text, typos: 0 });
  });
});
