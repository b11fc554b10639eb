import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { UserError } from '../shared/index.ts';
import { type KnowledgeArticle, parseArticle } from './article.ts';

/**
 * Reads every `*.md` article under a folder (subfolders included, in path order; hidden entries and
 * README.md files skipped). The first bad article stops the read with a UserError naming its file and line,
 * so an import writes nothing unless every article is good.
 *
 * @example
 * const articles = readArticles('src/demo/kb');
 * articles.length; // 24
 */
export function readArticles(dir: string, shownAs: string = dir): KnowledgeArticle[] {
  let isDir = false;
  try {
    isDir = statSync(dir).isDirectory();
  } catch (error) {
    throw new UserError('kb.dir_missing', 'no such folder', { file: shownAs }, { cause: error });
  }
  if (!isDir)
    throw new UserError('kb.dir_missing', 'expected a folder of Markdown articles', { file: shownAs });
  const files = markdownFiles(dir);
  if (files.length === 0) {
    throw new UserError('kb.empty', 'no .md articles in this folder (README.md files are skipped)', {
      file: shownAs,
    });
  }
  return files.map((path) => {
    const rel = relative(dir, path).split('\\').join('/');
    return parseArticle({ text: readFileSync(path, 'utf8'), path: rel, file: join(shownAs, rel) });
  });
}

function markdownFiles(dir: string): string[] {
  const out: string[] = [];
  const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1));
  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...markdownFiles(path));
    else if (entry.isFile() && /\.md$/i.test(entry.name) && !/^readme\.md$/i.test(entry.name)) out.push(path);
  }
  return out;
}
