import { UserError } from '../shared/index.ts';

/**
 * The JSON objects of a JSON Lines text, one per non-blank line, each with where it came from. A line that is
 * not a JSON object is a UserError with the file and line, under the caller's error code.
 *
 * @example
 * for (const { record, where } of jsonlObjects(text, 'intents.jsonl', 'nlu.bad_training_line')) use(record, where);
 */
export function* jsonlObjects(
  text: string,
  file: string,
  code: string,
  expected = 'expected a JSON object',
): Generator<{ record: Record<string, unknown>; where: { file: string; line: number } }> {
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '') continue;
    const where = { file, line: i + 1 };
    let row: unknown;
    try {
      row = JSON.parse(line);
    } catch (cause) {
      throw new UserError(code, 'this line is not JSON', where, { cause });
    }
    if (typeof row !== 'object' || row === null || Array.isArray(row))
      throw new UserError(code, expected, where);
    yield { record: row as Record<string, unknown>, where };
  }
}
