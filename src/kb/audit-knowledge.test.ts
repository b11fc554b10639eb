import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { auditKnowledge, countMatches, formatKnowledgeAudit } from './audit-knowledge.ts';
import { loadKnowledgeBase } from './knowledge-base.ts';
import { buildKnowledgeIndex } from './knowledge-index.ts';
import { nearDuplicates } from './near-duplicates.ts';
import { readArticles } from './read-articles.ts';

const FIXTURE_KB = fileURLToPath(new URL('./fixtures/audit-kb/', import.meta.url));
const DEMO_KB = fileURLToPath(new URL('../demo/kb/', import.meta.url));
const NOW = Date.UTC(2026, 10, 27);

describe('auditKnowledge', () => {
  const index = buildKnowledgeIndex(readArticles(FIXTURE_KB), NOW);
  const kb = loadKnowledgeBase(index);

  it('finds intents with no article, the stale article, the never-matched ones and the near-duplicate pair', () => {
    const matches = countMatches(
      kb,
      ['how do I return an item for a refund', 'can I download an invoice as a pdf', 'what is the weather'],
      0.6,
    );
    expect(matches.questions).toBe(3);
    expect(matches.answered).toBe(2);
    const audit = auditKnowledge({
      index,
      nowMs: NOW,
      staleDays: 180,
      intents: ['refund_request', 'invoice_request', 'order_status', 'returns', 'feature_request'],
      matches,
    });
    expect(audit.intentsWithoutArticle).toEqual(['order_status', 'feature_request']);
    expect(audit.stale).toEqual([
      { id: 'returns-old', title: 'How to return an item', updated: '2025-01-15', days: 681 },
    ]);
    expect(audit.neverMatched?.map((a) => a.id).sort()).toEqual(
      expect.arrayContaining(['staff-refund-limits']),
    );
    expect(audit.neverMatched?.map((a) => a.id)).not.toContain('billing/invoices');
    expect(audit.nearDuplicates).toEqual([
      { a: 'returns-old', b: 'returns', similarity: expect.any(Number) },
    ]);
    expect(audit.nearDuplicates[0]!.similarity).toBeGreaterThan(0.8);
    const text = formatKnowledgeAudit(audit);
    expect(text).toContain('Intents with no article (2)\n  - order_status\n  - feature_request');
    expect(text).toContain('returns-old (How to return an item): updated 2025-01-15, 681 days ago');
    expect(text).toContain('returns-old ~ returns: ');
  });

  it('covers an intent by the words of a title and tags, and says what was not checked', () => {
    const audit = auditKnowledge({ index, nowMs: NOW, intents: ['download_invoice', 'agent_refund_limits'] });
    expect(audit.intentsWithoutArticle).toEqual([]);
    const bare = auditKnowledge({ index, nowMs: NOW });
    expect(bare.intentsWithoutArticle).toBeNull();
    expect(bare.neverMatched).toBeNull();
    expect(formatKnowledgeAudit(bare)).toContain('not checked: pass --db');
  });

  it('keeps the demo knowledge base clean: no near-duplicates, nothing stale at its date', () => {
    const demo = buildKnowledgeIndex(readArticles(DEMO_KB), NOW);
    const audit = auditKnowledge({ index: demo, nowMs: NOW });
    expect(audit.nearDuplicates).toEqual([]);
    expect(audit.stale).toEqual([]);
    // The threshold sits well above the demo's most similar pair.
    const closest = nearDuplicates(
      demo.articles.map((a) => ({
        id: a.id,
        text: demo.passages
          .filter((p) => p.articleId === a.id)
          .map((p) => p.text)
          .join('\n'),
      })),
      0,
    )[0]!;
    expect(closest.similarity).toBeLessThan(0.45);
  });
});
