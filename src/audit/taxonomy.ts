import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { createIntentClassifier, DEFAULT_TRAIN_OPTIONS, trainIntentModel } from '../nlu/index.ts';
import { UserError } from '../shared/index.ts';
import { parseYamlFile, zodError } from './exclusions.ts';

const BucketSchema = z.object({
  name: z.string().regex(/^[\w-]+$/, 'bucket names are single words (letters, digits, _ or -)'),
  description: z.string().optional(),
  examples: z.array(z.string().min(1)).min(2, 'give at least two example phrases'),
});
/** A taxonomy file: the buckets a team sorts its tickets into, each with example phrases. */
export const TaxonomyFileSchema = z.object({
  buckets: z.array(BucketSchema).min(2, 'give at least two buckets'),
});
export type Taxonomy = z.infer<typeof TaxonomyFileSchema>;

/** The bucket for tickets the classifier is not confident about; shown in the report like any other. */
export const OTHER_CATEGORY = 'other';

/** Reads and validates a taxonomy file; errors name the file and line (exit 2 in the CLI). */
export function loadTaxonomy(file: string): Taxonomy {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    throw new UserError('taxonomy.unreadable', `cannot read the taxonomy file`, { file }, { cause });
  }
  const data = parseYamlFile(text, file);
  const parsed = TaxonomyFileSchema.safeParse(data.value);
  if (!parsed.success) throw zodError(parsed.error, data.lineOf, file, 'taxonomy.invalid');
  const seen = new Set<string>();
  parsed.data.buckets.forEach((b, i) => {
    if (seen.has(b.name)) {
      throw new UserError('taxonomy.duplicate', `bucket "${b.name}" is defined twice`, {
        file,
        ...(data.lineOf(['buckets', i, 'name']) !== undefined
          ? { line: data.lineOf(['buckets', i, 'name']) }
          : {}),
      });
    }
    seen.add(b.name);
  });
  return parsed.data;
}

/**
 * A categoriser trained on the taxonomy's examples with the NLU's intent classifier: a ticket whose
 * prediction is not accepted (low confidence or out of scope) goes to "other".
 */
export function taxonomyCategoriser(taxonomy: Taxonomy, seed = 1): (text: string) => string {
  const examples = taxonomy.buckets.flatMap((b) => b.examples.map((text) => ({ text, label: b.name })));
  const smallest = Math.min(...taxonomy.buckets.map((b) => b.examples.length));
  // Cross-validation needs at least two examples of each bucket per fold split.
  const folds = Math.max(2, Math.min(DEFAULT_TRAIN_OPTIONS.folds, smallest));
  const model = trainIntentModel(examples, { ...DEFAULT_TRAIN_OPTIONS, seed, folds });
  const classifier = createIntentClassifier(model);
  return (text) => {
    const p = classifier.predict(text);
    return p.accepted ? p.label : OTHER_CATEGORY;
  };
}
