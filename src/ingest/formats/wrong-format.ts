import { UserError } from '../../shared/index.ts';
import type { ImportSource } from '../importer.ts';

/**
 * The error an importer throws, before yielding anything, when the file is not its format at all.
 *
 * @example
 * throw wrongFormat(source, 'a Zendesk export', 'expected JSON tickets or the Zendesk CSV export');
 * // source.path: not a Zendesk export: expected JSON tickets or the Zendesk CSV export
 */
export function wrongFormat(source: ImportSource, what: string, reason: string): UserError {
  return new UserError('import.wrong_format', `not ${what}: ${reason}`, { file: source.path });
}
