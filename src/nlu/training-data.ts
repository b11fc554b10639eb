import { readFileSync } from 'node:fs';
import { UserError } from '../shared/index.ts';
import type { Store, StoredTicket } from '../store/store.ts';
import { type LabelledText, OOS_LABEL } from './classifier.ts';
import { jsonlObjects } from './jsonl-objects.ts';

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
  for (const { record, where } of jsonlObjects(
    text,
    file,
    'nlu.bad_training_line',
    'expected a JSON object {"text", "label"}',
  )) {
    if (typeof record.text !== 'string' || record.text.trim() === '') {
      throw new UserError('nlu.bad_training_line', 'missing or empty "text"', { ...where, field: 'text' });
    }
    const outOfScope = record.in_scope === false;
    if (!outOfScope && (typeof record.label !== 'string' || record.label.trim() === '')) {
      throw new UserError('nlu.bad_training_line', 'missing or empty "label"', { ...where, field: 'label' });
    }
    const label = outOfScope ? OOS_LABEL : (record.label as string).trim();
    if (!firstLine.has(label)) firstLine.set(label, where.line);
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

export interface StoreTrainingData {
  examples: LabelledText[];
  /** Categories left out for having fewer than `minExamples` examples, largest first. */
  leftOut: { label: string; examples: number }[];
  ticketsRead: number;
  /** Tickets with a category and some text, before small categories are left out. */
  categorisedTickets: number;
}

/**
 * Training examples from every ticket in the store (of one source, if given) that carries a category, read
 * a page at a time. Categories with fewer than `minExamples` examples are left out and listed: too few to
 * learn from, and each would get a per-intent threshold that never accepts.
 *
 * @example
 * const data = await trainingExamplesFromStore({ store, source: 'zendesk', minExamples: 5 });
 * console.log(data.examples.length, data.leftOut);
 */
export async function trainingExamplesFromStore(props: {
  store: Pick<Store, 'listTickets'>;
  source?: string;
  minExamples: number;
  pageSize?: number;
}): Promise<StoreTrainingData> {
  const pageSize = props.pageSize ?? 1000;
  const all: LabelledText[] = [];
  let ticketsRead = 0;
  let afterId: number | undefined;
  for (;;) {
    const page = await props.store.listTickets({
      limit: pageSize,
      withMessages: true,
      ...(afterId !== undefined ? { afterId } : {}),
      ...(props.source !== undefined ? { source: props.source } : {}),
    });
    if (page.length === 0) break;
    ticketsRead += page.length;
    all.push(...trainingExamplesFromTickets(page));
    afterId = page[page.length - 1]!.id;
    if (page.length < pageSize) break;
  }
  const { kept, leftOut } = leaveOutSmallLabels(all, props.minExamples);
  return { examples: kept, leftOut, ticketsRead, categorisedTickets: all.length };
}

/** Splits off the labels with fewer than `minExamples` examples (the out-of-scope label is always kept). */
export function leaveOutSmallLabels(
  examples: readonly LabelledText[],
  minExamples: number,
): { kept: LabelledText[]; leftOut: { label: string; examples: number }[] } {
  const count = new Map<string, number>();
  for (const e of examples) count.set(e.label, (count.get(e.label) ?? 0) + 1);
  const small = new Set(
    [...count].filter(([label, n]) => n < minExamples && label !== OOS_LABEL).map(([label]) => label),
  );
  return {
    kept: examples.filter((e) => !small.has(e.label)),
    leftOut: [...small]
      .map((label) => ({ label, examples: count.get(label)! }))
      .sort((a, b) => b.examples - a.examples || a.label.localeCompare(b.label)),
  };
}
