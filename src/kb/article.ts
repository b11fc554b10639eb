import { createHash } from 'node:crypto';
import { isMap } from 'yaml';
import { z } from 'zod';
import { readYaml, UserError } from '../shared/index.ts';

/** Who may be shown an article: `customers` (the bot may quote it) or `agents` (internal, never quoted). */
export const AUDIENCES = ['customers', 'agents'] as const;
export type Audience = (typeof AUDIENCES)[number];

const DateSchema = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'a date like 2026-03-31')
  .refine((s) => !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) && new Date(s).toISOString().startsWith(s), {
    message: 'not a real date',
  });

const TagsSchema = z
  .union([z.array(z.string().trim().min(1, 'tags cannot be empty')), z.string()])
  .transform((v) => (typeof v === 'string' ? v.split(',') : v).map((t) => t.trim().toLowerCase()))
  .transform((tags) => [...new Set(tags.filter((t) => t.length > 0))]);

/** The front matter of an article: the fenced YAML block at the top of the Markdown file. */
export const FrontMatterSchema = z.strictObject({
  title: z.string().trim().min(1, 'the title cannot be empty'),
  tags: TagsSchema.default([]),
  /** When the article was last checked as true (YYYY-MM-DD): `kb audit` lists old ones. */
  updated: DateSchema,
  audience: z.enum(AUDIENCES).default('customers'),
  /** Where the article is published; citations link here, else to the article's path. */
  url: z.url({ protocol: /^https?$/, message: 'an http(s) URL' }).optional(),
});
export type FrontMatter = z.infer<typeof FrontMatterSchema>;

/** One article as read from its Markdown file. */
export interface KnowledgeArticle {
  /** The path relative to the imported folder without `.md`, with `/` separators: stable across imports. */
  id: string;
  /** The path relative to the imported folder. */
  path: string;
  title: string;
  tags: string[];
  updated: string;
  audience: Audience;
  url?: string;
  /** What a citation links to: `url`, else `path`. */
  link: string;
  /** The Markdown after the front matter. */
  body: string;
  /** sha256 of the whole file: a re-import updates an article only when this changes. */
  hash: string;
}

/**
 * Reads one article: `---` fenced YAML front matter (title, tags, updated, audience, url), then Markdown.
 * Problems are UserErrors with the file, the line in the file and the field.
 *
 * @example
 * parseArticle({ text: '---\ntitle: Returns\nupdated: 2026-03-01\n---\nSend it back within 30 days.', path: 'returns.md', file: 'kb/returns.md' });
 * // { id: 'returns', title: 'Returns', tags: [], audience: 'customers', link: 'returns.md', ... }
 */
export function parseArticle(props: { text: string; path: string; file: string }): KnowledgeArticle {
  const { path, file } = props;
  const text = props.text.replace(/^\uFEFF/, '');
  const lines = text.split(/\r?\n/);
  if (lines[0]?.trim() !== '---') {
    throw new UserError('kb.no_front_matter', 'an article starts with a "---" line and its front matter', {
      file,
      line: 1,
    });
  }
  const close = lines.findIndex((line, i) => i > 0 && (line.trim() === '---' || line.trim() === '...'));
  if (close < 0) {
    throw new UserError('kb.no_front_matter', 'the front matter opened here has no closing "---" line', {
      file,
      line: 1,
    });
  }
  const frontMatter = readFrontMatter(lines.slice(1, close).join('\n'), file);
  const body = lines
    .slice(close + 1)
    .join('\n')
    .trim();
  if (body === '') {
    throw new UserError('kb.empty_article', 'the article has no text after its front matter', {
      file,
      line: close + 1,
    });
  }
  const id = path.replace(/\\/g, '/').replace(/\.md$/i, '');
  return {
    id,
    path: path.replace(/\\/g, '/'),
    title: frontMatter.title,
    tags: frontMatter.tags,
    updated: frontMatter.updated,
    audience: frontMatter.audience,
    ...(frontMatter.url !== undefined ? { url: frontMatter.url } : {}),
    link: frontMatter.url ?? path.replace(/\\/g, '/'),
    body,
    hash: createHash('sha256').update(props.text).digest('hex'),
  };
}

/** The YAML between the fences, validated; file lines are YAML lines + 1 (the opening fence). */
function readFrontMatter(yamlText: string, file: string): FrontMatter {
  // Through the project's YAML reader and its limits (an alias bomb in front matter is refused, not expanded).
  const read = readYaml({ text: yamlText, file, code: 'kb.bad_front_matter' });
  if (!read.ok) {
    const at = read.error.location;
    throw new UserError(
      'kb.bad_front_matter',
      read.error.message,
      { file, ...(at?.line !== undefined ? { line: at.line + 1 } : {}) },
      { cause: read.error },
    );
  }
  const { doc, lineCounter } = read.value;
  if (!isMap(doc.contents)) {
    throw new UserError('kb.bad_front_matter', 'the front matter must be YAML keys: title, updated, ...', {
      file,
      line: 1,
    });
  }
  // YAML 1.2 keeps 2026-03-31 a string, which is what the schema wants; a number title is the author's slip.
  const parsed = FrontMatterSchema.safeParse(doc.toJS());
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
  const keys = issue.code === 'unrecognized_keys' ? issue.keys : [];
  let line = 1;
  const nodePath = keys.length ? [...path, keys[0]!] : path;
  for (let n = nodePath.length; n > 0; n--) {
    const node = doc.getIn(nodePath.slice(0, n), true) as { range?: [number, number, number] } | undefined;
    const key = n === nodePath.length && keys.length ? keyRange(doc.contents, keys[0]!) : undefined;
    const offset = key ?? node?.range?.[0];
    if (offset !== undefined) {
      line = lineCounter.linePos(offset).line + 1;
      break;
    }
  }
  const field = keys.length ? [...path, keys[0]].join('.') : path.join('.');
  return failWith(issue.message, { file, line, ...(field ? { field } : {}) });
}

function keyRange(contents: unknown, key: string): number | undefined {
  if (!isMap(contents)) return undefined;
  for (const pair of contents.items) {
    const k = pair.key as { value?: unknown; range?: [number, number, number] } | null;
    if (k && k.value === key) return k.range?.[0];
  }
  return undefined;
}

function failWith(message: string, location: { file: string; line: number; field?: string }): never {
  throw new UserError('kb.bad_front_matter', message, location);
}
