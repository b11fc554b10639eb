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

/** The expected out-of-scope share a model is calibrated for, and where it came from. */
export interface ExpectedShare {
  value: number;
  from: 'option' | 'history' | 'default';
  /** With `history`: the share of the categorised history outside the categories the workflows serve. */
  outside?: number;
}

/**
 * The floor of a share derived from history: an inbox also gets messages that no category of its history
 * covers (every ticket of a history has a category, spam and chatter included, once labelled).
 */
export const MIN_DERIVED_OOS_SHARE = 0.1;

/**
 * The share of out-of-scope traffic to calibrate for, from a history: the share of its categorised tickets
 * (the small categories left out of training included) outside the categories the workflows serve, never below
 * MIN_DERIVED_OOS_SHARE. Null without categorised tickets.
 *
 * @example
 * expectedShareFromHistory({ examples, leftOut, served: new Set(['password_reset', 'order_status']) });
 * // { value: 0.42, from: 'history', outside: 0.42 }
 */
export function expectedShareFromHistory(props: {
  examples: readonly LabelledText[];
  leftOut: readonly { label: string; examples: number }[];
  served: ReadonlySet<string>;
}): ExpectedShare | null {
  const categorised = props.examples.filter((e) => e.label !== OOS_LABEL);
  const leftOut = props.leftOut.filter((l) => !props.served.has(l.label)).reduce((n, l) => n + l.examples, 0);
  const total = categorised.length + props.leftOut.reduce((n, l) => n + l.examples, 0);
  if (total === 0) return null;
  const outside =
    Math.round(((categorised.filter((e) => !props.served.has(e.label)).length + leftOut) / total) * 1000) /
    1000;
  return { value: Math.min(0.95, Math.max(MIN_DERIVED_OOS_SHARE, outside)), from: 'history', outside };
}

/**
 * Examples for a model that covers only `served` intents: the examples of every other category become
 * out-of-scope examples, grouped by category (the cross-validation holds a group out whole).
 */
export function scopeToIntents(
  examples: readonly LabelledText[],
  served: ReadonlySet<string>,
): LabelledText[] {
  return examples.map(
    (e): LabelledText =>
      e.label === OOS_LABEL || served.has(e.label)
        ? e
        : { text: e.text, label: OOS_LABEL, group: `category:${e.label}` },
  );
}
