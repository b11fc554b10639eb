import { readFileSync } from 'node:fs';
import type { AsPlainObject } from 'minisearch';
import { z } from 'zod';
import { UserError, writeFileAtomically } from '../shared/index.ts';
import { AnswerPolicySchema } from './answer-policy.ts';
import { AUDIENCES } from './article.ts';
import { KB_INDEX_FORMAT, KB_INDEX_VERSION, type KnowledgeIndex } from './knowledge-index.ts';

const IndexSchema = z.object({
  format: z.literal(KB_INDEX_FORMAT),
  formatVersion: z.literal(KB_INDEX_VERSION),
  builtAt: z.string(),
  articles: z.array(
    z.object({
      id: z.string(),
      path: z.string(),
      title: z.string(),
      tags: z.array(z.string()),
      updated: z.string(),
      audience: z.enum(AUDIENCES),
      url: z.string().optional(),
      link: z.string(),
      hash: z.string(),
      words: z.number(),
    }),
  ),
  passages: z.array(
    z.object({ id: z.string(), articleId: z.string(), heading: z.string(), text: z.string() }),
  ),
  termPassageCounts: z.record(z.string(), z.number()),
  // MiniSearch checks its own part when it loads it.
  search: z.object({ serializationVersion: z.number() }).loose(),
  answerPolicy: AnswerPolicySchema.optional(),
});

/**
 * Reads an index written by `kb import`. A missing file, another format or a damaged one is a UserError
 * naming the file (run `switchboard kb import DIR` again).
 */
export function readKnowledgeIndex(path: string, shownAs: string = path): KnowledgeIndex {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new UserError(
      'kb.index_missing',
      'no knowledge-base index here: run `switchboard kb import DIR` first',
      { file: shownAs },
      { cause: error },
    );
  }
  return parseKnowledgeIndex(text, shownAs);
}

/** An index from its JSON text (a file's, or the store's version); a UserError naming `shownAs` when damaged. */
export function parseKnowledgeIndex(text: string, shownAs: string): KnowledgeIndex {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new UserError(
      'kb.index_invalid',
      'the index is not JSON: import again',
      { file: shownAs },
      { cause: error },
    );
  }
  const parsed = IndexSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UserError('kb.index_invalid', `not a knowledge-base index of this version: ${issue?.message}`, {
      file: shownAs,
      ...(issue?.path.length ? { field: issue.path.map(String).join('.') } : {}),
    });
  }
  return { ...parsed.data, search: parsed.data.search as unknown as AsPlainObject } as KnowledgeIndex;
}

/** The index as the JSON text a file or the store keeps. */
export function serialiseKnowledgeIndex(index: KnowledgeIndex): string {
  return JSON.stringify(index);
}

/** Writes the index atomically: a temporary file beside it, then a rename, so readers never see half a file. */
export function writeKnowledgeIndex(path: string, index: KnowledgeIndex): void {
  writeFileAtomically(path, serialiseKnowledgeIndex(index));
}
