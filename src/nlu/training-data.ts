import { readFileSync } from 'node:fs';
import { UserError } from '../shared/index.ts';
import type { StoredTicket } from '../store/store.ts';
import { type LabelledText, OOS_LABEL } from './classifier.ts';

/**
 * Reads labelled examples from JSON Lines: `{"text": "...", "label": "..."}` per line; `"label": "oos"` or
 * `"in_scope": false` marks an out-of-scope example. Every problem is a UserError with the file and line.
 *
 * @example
 * const examples = parseTrainingJsonl(readFileSync('intents.jsonl', 'utf8'), 'intents.jsonl');
 */
export function parseTrainingJsonl(
  text: string,
  file: string,
  options: { forTraining: boolean } = { forTraining: true },
): LabelledText[] {
  const examples: LabelledText[] = [];
  const firstLine = new Map<string, number>();
  const count = new Map<string, number>();
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '') continue;
    const where = { file, line: i + 1 };
    let row: unknown;
    try {
      row = JSON.parse(line);
    } catch (error) {
      throw new UserError('nlu.bad_training_line', 'this line is not JSON', where, { cause: error });
    }
    if (typeof row !== 'object' || row === null || Array.isArray(row)) {
      throw new UserError('nlu.bad_training_line', 'expected a JSON object {"text", "label"}', where);
    }
    const record = row as Record<string, unknown>;
    if (typeof record.text !== 'string' || record.text.trim() === '') {
      throw new UserError('nlu.bad_training_line', 'missing or empty "text"', { ...where, field: 'text' });
    }
    const outOfScope = record.in_scope === false;
    if (!outOfScope && (typeof record.label !== 'string' || record.label.trim() === '')) {
      throw new UserError('nlu.bad_training_line', 'missing or empty "label"', { ...where, field: 'label' });
    }
    const label = outOfScope ? OOS_LABEL : (record.label as string).trim();
    if (!firstLine.has(label)) firstLine.set(label, i + 1);
    count.set(label, (count.get(label) ?? 0) + 1);
    examples.push({ text: record.text, label });
  }
  if (examples.length === 0) {
    throw new UserError('nlu.empty_training_data', 'the training file has no examples', { file });
  }
  if (!options.forTraining) return examples;
  for (const [label, n] of count) {
    if (n < 2) {
      throw new UserError(
        'nlu.label_too_small',
        `label "${label}" has only one example; give it at least 2 (better 10+) or remove it`,
        { file, line: firstLine.get(label)!, field: 'label' },
      );
    }
  }
  const intents = [...count.keys()].filter((l) => l !== OOS_LABEL);
  if (intents.length < 2) {
    throw new UserError('nlu.too_few_labels', 'training needs at least two intents', { file });
  }
  return examples;
}

/** Reads labelled examples; `forTraining: false` (evaluation data) allows labels with one example. */
export function readTrainingFile(
  path: string,
  options: { forTraining: boolean } = { forTraining: true },
): LabelledText[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new UserError(
      'nlu.training_file_missing',
      'cannot read the training file',
      { file: path },
      { cause: error },
    );
  }
  return parseTrainingJsonl(text, path, options);
}

/**
 * Training examples from stored tickets that carry a category: the subject plus the first customer message
 * (what the customer said before anyone answered, which is what the model will see live). Tickets with no
 * category or no text are skipped; load tickets with `withMessages: true` to include the message.
 *
 * @example
 * const tickets = await store.listTickets({ limit: 10_000, withMessages: true });
 * const examples = trainingExamplesFromTickets(tickets);
 */
export function trainingExamplesFromTickets(tickets: readonly StoredTicket[]): LabelledText[] {
  const out: LabelledText[] = [];
  for (const ticket of tickets) {
    const label = ticket.category?.trim();
    if (!label) continue;
    const first = [...(ticket.messages ?? [])]
      .sort((a, b) => a.seq - b.seq)
      .find((m) => m.authorRole === 'customer' && m.body.trim() !== '');
    const text = [ticket.subject?.trim(), first?.body.trim()].filter((s) => s).join('\n');
    if (text) out.push({ text, label });
  }
  return out;
}
