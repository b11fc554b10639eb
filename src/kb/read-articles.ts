import { readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { isAbsolute, join, relative } from 'node:path';
import { UserError } from '../shared/index.ts';
import { type KnowledgeArticle, parseArticle } from './article.ts';

/** A symbolic link the read did not follow (links are never followed), and where it leads. */
export interface SkippedLink {
  /** Relative to the folder, with `/`. */
  path: string;
  leads: 'outside' | 'inside' | 'nowhere';
}

export interface ArticleFolder {
  articles: KnowledgeArticle[];
  /** In path order; the import's summary lists them, so that no file is left out silently. */
  skippedLinks: SkippedLink[];
}

/**
 * Reads every `*.md` article under a folder (subfolders included, in path order; hidden entries and
 * README.md files skipped; symbolic links not followed, so nothing outside the folder is read, and listed in
 * `skippedLinks`). The first bad article stops the read with a UserError naming its file and line, so an
 * import writes nothing unless every article is good.
 *
 * @example
 * const { articles, skippedLinks } = readArticleFolder('src/demo/kb');
 * articles.length; // 24
 */
export function readArticleFolder(dir: string, shownAs: string = dir): ArticleFolder {
  let isDir = false;
  try {
    isDir = statSync(dir).isDirectory();
  } catch (error) {
    throw new UserError('kb.dir_missing', 'no such folder', { file: shownAs }, { cause: error });
  }
  if (!isDir)
    throw new UserError('kb.dir_missing', 'expected a folder of Markdown articles', { file: shownAs });
  const links: string[] = [];
  const files = markdownFiles(dir, links);
  const skippedLinks = links.map((path) => skippedLink(dir, path));
  if (files.length === 0) {
    const n = links.length;
    const linkNote = n > 0 ? `; ${n} symbolic ${n === 1 ? 'link' : 'links'} not followed` : '';
    throw new UserError(
      'kb.empty',
      `no .md articles in this folder (README.md files are skipped${linkNote})`,
      {
        file: shownAs,
      },
    );
  }
  const articles = files.map((path) => {
    const rel = slashed(relative(dir, path));
    return parseArticle({ text: readFileSync(path, 'utf8'), path: rel, file: join(shownAs, rel) });
  });
  return { articles, skippedLinks };
}

/** The articles of a folder (see readArticleFolder), for callers that need no summary. */
export function readArticles(dir: string, shownAs: string = dir): KnowledgeArticle[] {
  return readArticleFolder(dir, shownAs).articles;
}

const slashed = (path: string) => path.split('\\').join('/');

function skippedLink(dir: string, path: string): SkippedLink {
  const rel = slashed(relative(dir, path));
  let target: string;
  try {
    target = realpathSync(path);
  } catch {
    return { path: rel, leads: 'nowhere' };
  }
  const fromRoot = relative(realpathSync(dir), target);
  const outside = fromRoot.startsWith('..') || isAbsolute(fromRoot);
  return { path: rel, leads: outside ? 'outside' : 'inside' };
}

function markdownFiles(dir: string, links: string[]): string[] {
  const out: string[] = [];
  const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1));
  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    if (entry.isSymbolicLink()) links.push(path);
    else if (entry.isDirectory()) out.push(...markdownFiles(path, links));
    else if (entry.isFile() && /\.md$/i.test(entry.name) && !/^readme\.md$/i.test(entry.name)) out.push(path);
  }
  return out;
}
