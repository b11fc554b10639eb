import type { KnowledgeArticle } from './article.ts';
import { wordCount } from './text.ts';

/** A piece of an article that can answer a question on its own: a section, or part of a long one. */
export interface Passage {
  /** `articleId#n`, n counting from 0 in reading order. */
  id: string;
  articleId: string;
  /** The headings above the passage ("Returns > Exchanges"), without a top heading that repeats the title. */
  heading: string;
  /** Plain text: Markdown links, emphasis and code marks removed, list items one per line. */
  text: string;
}

export interface PassageOptions {
  /** A group of paragraphs is closed once it has this many words and the next one would pass `maxWords`. */
  minWords: number;
  maxWords: number;
}

export const DEFAULT_PASSAGE_OPTIONS: PassageOptions = { minWords: 40, maxWords: 120 };

/**
 * Splits an article into passages: one per section (the text under a heading), long sections cut into groups
 * of paragraphs of `minWords`..`maxWords` words (a paragraph longer than that is cut between sentences), and
 * a short tail merged into the group before it. Each passage keeps its heading path, so "Exchanges" under
 * "Returns" still matches a question about returns.
 *
 * @example
 * splitPassages(article).map((p) => p.heading); // ['Our returns policy', 'How to start a return', 'Exchanges']
 */
export function splitPassages(
  article: Pick<KnowledgeArticle, 'id' | 'title' | 'body'>,
  options: PassageOptions = DEFAULT_PASSAGE_OPTIONS,
): Passage[] {
  const passages: Passage[] = [];
  for (const section of sections(article.body, article.title)) {
    for (const text of groupBlocks(section.blocks, options)) {
      passages.push({
        id: `${article.id}#${passages.length}`,
        articleId: article.id,
        heading: section.heading,
        text,
      });
    }
  }
  return passages;
}

interface Section {
  heading: string;
  blocks: string[];
}

/** Markdown -> sections of plain-text blocks (paragraphs, lists, code), each under its heading path. */
function sections(body: string, title: string): Section[] {
  const out: Section[] = [];
  const path: string[] = [];
  let current: Section = { heading: '', blocks: [] };
  let block: string[] = [];
  let fence: string | null = null;
  const flushBlock = () => {
    const text = block.join('\n').trim();
    if (text) current.blocks.push(text);
    block = [];
  };
  const flushSection = () => {
    flushBlock();
    if (current.blocks.length) out.push(current);
  };
  for (const raw of body.split(/\r?\n/)) {
    const line = raw.replace(/\s+$/, '');
    if (fence !== null) {
      block.push(line);
      if (line.trim().startsWith(fence)) {
        fence = null;
        flushBlock();
      }
      continue;
    }
    const opening = /^\s*(```|~~~)/.exec(line);
    if (opening) {
      flushBlock();
      fence = opening[1]!;
      block.push(line);
      continue;
    }
    const heading = /^(#{1,6})\s+(.*?)\s*#*\s*$/.exec(line);
    if (heading) {
      flushSection();
      const level = heading[1]!.length;
      path.length = Math.min(path.length, level - 1);
      while (path.length < level - 1) path.push('');
      path.push(inline(heading[2]!));
      // A top heading that repeats the title adds nothing to the context.
      const shown = path.filter((h, i) => h !== '' && !(i === 0 && same(h, title)));
      current = { heading: shown.join(' > '), blocks: [] };
      continue;
    }
    if (line.trim() === '') {
      flushBlock();
      continue;
    }
    // A new list item starts a new line of the same block; other lines continue the sentence.
    const item = /^\s*(?:[-*+]|\d+[.)])\s+(.*)$/.exec(line);
    if (item) block.push(`- ${inline(item[1]!)}`);
    else if (block.length) block[block.length - 1] += ` ${inline(line.trim())}`;
    else block.push(inline(line.trim()));
  }
  flushSection();
  return out;
}

/** Blocks -> passages of about minWords..maxWords words. */
function groupBlocks(blocks: readonly string[], { minWords, maxWords }: PassageOptions): string[] {
  const pieces = blocks.flatMap((b) => (wordCount(b) > maxWords ? cutSentences(b, maxWords) : [b]));
  const groups: string[][] = [];
  let group: string[] = [];
  let words = 0;
  for (const piece of pieces) {
    const n = wordCount(piece);
    if (group.length && words >= minWords && words + n > maxWords) {
      groups.push(group);
      group = [];
      words = 0;
    }
    group.push(piece);
    words += n;
  }
  if (group.length) {
    const previous = groups[groups.length - 1];
    if (previous && words < minWords && wordCount(previous.join(' ')) + words <= maxWords + minWords) {
      previous.push(...group);
    } else groups.push(group);
  }
  return groups.map((g) => g.join('\n\n'));
}

/** A paragraph longer than maxWords, cut between sentences into pieces of at most maxWords (where it can). */
function cutSentences(text: string, maxWords: number): string[] {
  const sentences = text.match(/[^.!?]+(?:[.!?]+["')\]]*|$)\s*/g) ?? [text];
  const out: string[] = [];
  let piece = '';
  for (const sentence of sentences) {
    if (piece && wordCount(piece) + wordCount(sentence) > maxWords) {
      out.push(piece.trim());
      piece = '';
    }
    piece += sentence;
  }
  if (piece.trim()) out.push(piece.trim());
  return out;
}

/** Inline Markdown to plain text: images dropped, links to their text, emphasis and code marks removed. */
function inline(text: string): string {
  return text
    .replace(/!\[[^\]]*\]\([^)]*\)/g, '')
    .replace(/\[([^\]]+)\]\([^)]*\)/g, '$1')
    .replace(/(\*\*|__)(.+?)\1/g, '$2')
    .replace(/(^|[^\w*])[*_]([^*_\s][^*_]*?)[*_](?=[^\w*]|$)/g, '$1$2')
    .replace(/`([^`]*)`/g, '$1')
    .replace(/\\([\\`*_{}[\]()#+\-.!>])/g, '$1');
}

const same = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase();
