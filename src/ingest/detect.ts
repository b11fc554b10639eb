import { UserError } from '../shared/index.ts';
import { headNames } from './formats/head-names.ts';
import { notTicketsPage } from './formats/json-wrappers.ts';
import type { Importer } from './importer.ts';

/**
 * Picks the importer for `--format NAME`, or detects it from the file's first bytes when no name is given. When no
 * importer claims the file, the error says what it holds instead of tickets (a comments page, ticket events...) or
 * names the likeliest formats and the columns or keys it saw.
 */
export function chooseImporter(
  importers: readonly Importer[],
  head: string,
  path: string,
  format: string | undefined,
): Importer {
  if (format !== undefined) {
    const named = importers.find((i) => i.format === format);
    if (!named) {
      const names = importers.map((i) => i.format).join(', ');
      throw new UserError('import.unknown_format', `unknown format "${format}"; known formats: ${names}`, {
        field: '--format',
      });
    }
    return named;
  }
  const matches = importers.filter((i) => i.detect(head, path));
  if (matches.length === 1) return matches[0]!;
  if (matches.length === 0) {
    const page = notTicketsPage(head);
    if (page !== null) throw new UserError('import.not_tickets', `not tickets: ${page}`, { file: path });
    throw new UserError('import.undetected_format', undetected(importers, head), { file: path });
  }
  throw new UserError(
    'import.ambiguous_format',
    `the file could be any of ${matches.map((m) => m.format).join(', ')}; pass --format to choose`,
    { file: path },
  );
}

const SHOWN_NAMES = 30;
const SHOWN_FORMATS = 3;

/** Why no format was detected: the names the head shows, and the formats that know the most of them. */
function undetected(importers: readonly Importer[], head: string): string {
  const found = headNames(head);
  if (found === null) {
    return head.trim() === ''
      ? 'cannot tell which export format this is: the file is empty'
      : 'cannot tell which export format this is: it starts with neither a CSV header nor a whole JSON record';
  }
  const { kind, names } = found;
  const shown = names.length > SHOWN_NAMES ? [...names.slice(0, SHOWN_NAMES), '...'] : names;
  const seen = `${kind}: ${shown.join(', ')}`;
  const likeliest = importers
    .map((importer) => ({ format: importer.format, share: importer.resemblance?.(head) ?? 0 }))
    .filter((c) => c.share > 0)
    .sort((a, b) => b.share - a.share)
    .slice(0, SHOWN_FORMATS);
  if (likeliest.length === 0) {
    const generic = kind === 'columns' ? 'generic-csv' : 'generic-json';
    return `cannot tell which export format this is (${seen}): no format knows any of these ${kind}; for tickets of another kind, pass --format ${generic} and name the fields with --map externalId=NAME --map createdAt=NAME`;
  }
  const candidates = likeliest
    .map((c) => `${c.format} (knows ${Math.round(c.share * names.length)} of the ${names.length} ${kind})`)
    .join(', ');
  return `cannot tell which export format this is (${seen}); the likeliest: ${candidates}; pass --format to choose, e.g. --format ${likeliest[0]!.format}`;
}
