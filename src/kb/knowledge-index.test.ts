import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UserError } from '../shared/index.ts';
import { parseArticle } from './article.ts';
import { readKnowledgeIndex, writeKnowledgeIndex } from './index-file.ts';
import { loadKnowledgeBase } from './knowledge-base.ts';
import { buildKnowledgeIndex, diffArticles } from './knowledge-index.ts';

const article = (id: string, body: string) =>
  parseArticle({ text: `---\ntitle: ${id}\nupdated: 2026-01-01\n---\n${body}`, path: `${id}.md`, file: id });

describe('knowledge index', () => {
  it('counts added, updated, removed and unchanged articles by content hash', () => {
    const before = [article('a', 'one'), article('b', 'two'), article('c', 'three')];
    const after = [article('a', 'one'), article('b', 'two, changed'), article('d', 'four')];
    expect(diffArticles(before, after)).toEqual({
      added: ['d'],
      updated: ['b'],
      removed: ['c'],
      unchanged: ['a'],
    });
  });

  it('writes atomically and reads back an index that searches like the original', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kb-index-'));
    const path = join(dir, 'nested', 'kb.json');
    const index = buildKnowledgeIndex([article('gift-cards', 'Gift cards are valid for 24 months.')], 0);
    writeKnowledgeIndex(path, index);
    expect(readdirSync(join(dir, 'nested'))).toEqual(['kb.json']);
    const again = readKnowledgeIndex(path);
    expect(again.articles).toEqual(index.articles);
    expect(loadKnowledgeBase(again).searchKnowledge('do gift cards expire')?.articleId).toBe('gift-cards');
  });

  it('refuses a missing, non-JSON or foreign file with a UserError naming it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kb-index-'));
    const codeOf = (path: string) => {
      try {
        readKnowledgeIndex(path, 'shown.json');
      } catch (error) {
        expect(error).toBeInstanceOf(UserError);
        expect((error as UserError).location?.file).toBe('shown.json');
        return (error as UserError).code;
      }
      return 'read';
    };
    expect(codeOf(join(dir, 'none.json'))).toBe('kb.index_missing');
    writeFileSync(join(dir, 'bad.json'), '{');
    expect(codeOf(join(dir, 'bad.json'))).toBe('kb.index_invalid');
    writeFileSync(join(dir, 'other.json'), JSON.stringify({ format: 'switchboard-nlu-model' }));
    expect(codeOf(join(dir, 'other.json'))).toBe('kb.index_invalid');
    expect(readFileSync(join(dir, 'bad.json'), 'utf8')).toBe('{');
  });
});
