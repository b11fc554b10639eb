import { UserError } from '../shared/index.ts';
import type { Importer } from './importer.ts';

/** Picks the importer for `--format NAME`, or detects it from the file's first bytes when no name is given. */
export function chooseImporter(
  importers: readonly Importer[],
  head: string,
  path: string,
  format: string | undefined,
): Importer {
  const names = importers.map((i) => i.format).join(', ');
  if (format !== undefined) {
    const named = importers.find((i) => i.format === format);
    if (!named)
      throw new UserError('import.unknown_format', `unknown format "${format}"; known formats: ${names}`, {
        field: '--format',
      });
    return named;
  }
  const matches = importers.filter((i) => i.detect(head, path));
  if (matches.length === 1) return matches[0]!;
  if (matches.length === 0) {
    throw new UserError(
      'import.undetected_format',
      `cannot tell which export format this is; pass --format (one of: ${names})`,
      { file: path },
    );
  }
  throw new UserError(
    'import.ambiguous_format',
    `the file could be any of ${matches.map((m) => m.format).join(', ')}; pass --format to choose`,
    { file: path },
  );
}
