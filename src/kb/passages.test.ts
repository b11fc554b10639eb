import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { splitPassages } from './passages.ts';
import { readArticles } from './read-articles.ts';
import { wordCount } from './text.ts';

const article = (body: string) => ({ id: 'a', title: 'Returns', body });

describe('splitPassages', () => {
  it('cuts at headings, keeps the heading path without a top heading that repeats the title', () => {
    const passages = splitPassages(
      article('# Returns\n\nIntro text.\n\n## Window\nThirty days.\n\n### Furniture\nWe collect it.'),
    );
    expect(passages.map((p) => [p.id, p.heading, p.text])).toEqual([
      ['a#0', '', 'Intro text.'],
      ['a#1', 'Window', 'Thirty days.'],
      ['a#2', 'Window > Furniture', 'We collect it.'],
    ]);
  });

  it('turns Markdown into plain text: links, emphasis, code and list items', () => {
    const [passage] = splitPassages(
      article(
        'Open **Account > Orders** and see [our guide](https://x.example) or `Return`.\n\n- one\n- _two_\n',
      ),
    );
    expect(passage?.text).toBe('Open Account > Orders and see our guide or Return.\n\n- one\n- two');
  });

  it('groups paragraphs into passages of 40..120 words, cutting long paragraphs between sentences', () => {
    const sentence = 'This sentence has exactly eight words in it. ';
    const long = sentence.repeat(40).trim();
    const short = Array.from({ length: 12 }, (_, i) => `Paragraph ${i} ${'word '.repeat(18)}`.trim());
    const passages = splitPassages(article(`${long}\n\n${short.join('\n\n')}`));
    for (const p of passages) {
      expect(wordCount(p.text)).toBeGreaterThanOrEqual(40);
      expect(wordCount(p.text)).toBeLessThanOrEqual(160);
    }
    expect(passages.map((p) => p.text).join(' ')).toContain('Paragraph 11');
  });

  it('keeps every passage of the demo knowledge base within bounds', () => {
    const dir = fileURLToPath(new URL('../demo/kb/', import.meta.url));
    const counts = readArticles(dir).flatMap((a) => splitPassages(a).map((p) => wordCount(p.text)));
    expect(counts.length).toBeGreaterThan(60);
    expect(Math.max(...counts)).toBeLessThanOrEqual(160);
  });
});
