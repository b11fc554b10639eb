import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { moneyAmount } from '../domain/index.ts';
import type { Entity } from '../nlu/index.ts';
import { loadYaml, UserError } from '../shared/index.ts';

/** One rule of the exclusions file (see default-exclusions.yaml for the format). */
const ExclusionRuleSchema = z.object({
  id: z.string().regex(/^[a-z0-9_]+$/, 'ids are lower_snake_case'),
  label: z.string().min(1),
  patterns: z.array(z.string().min(1)).min(1),
  /** Only for refund rules: matches when a money entity in the text is above this amount. */
  refundAbove: z.number().nonnegative().optional(),
});
export const ExclusionsFileSchema = z.object({ rules: z.array(ExclusionRuleSchema).min(1) });

/** A rule ready to match: its patterns compiled once. */
export interface ExclusionRule {
  id: string;
  label: string;
  patterns: RegExp[];
  refundAbove?: number;
}

/** The rules shipped with Switchboard, used when no --exclusions file is given. */
export const DEFAULT_EXCLUSIONS_PATH = new URL('./default-exclusions.yaml', import.meta.url);

/**
 * Reads and validates an exclusions file. Errors are UserErrors naming the file and, when YAML or zod can
 * tell, the line.
 */
export function loadExclusionRules(path: string | URL = DEFAULT_EXCLUSIONS_PATH): ExclusionRule[] {
  const file = typeof path === 'string' ? path : path.pathname;
  const text = readFileSync(path, 'utf8');
  const data = parseYamlFile(text, file);
  const parsed = ExclusionsFileSchema.safeParse(data.value);
  if (!parsed.success) throw zodError(parsed.error, data.lineOf, file, 'exclusions.invalid');
  return parsed.data.rules.map((r, i) => {
    r.patterns.forEach((p, j) => {
      compilePattern(p, file, data.lineOf(['rules', i, 'patterns', j]));
    });
    return {
      id: r.id,
      label: r.label,
      // One alternation per rule, without the u flag: a single scan of the text is several times faster over
      // a million tickets than one regex per pattern.
      patterns: [new RegExp(r.patterns.map((p) => `(?:${p})`).join('|'), 'i')],
      ...(r.refundAbove !== undefined ? { refundAbove: r.refundAbove } : {}),
    };
  });
}

/**
 * The ids of the rules a customer text matches. Pure, so the workflow runtime can call it on each incoming
 * message with the entities the NLU already found.
 *
 * @example
 * matchExclusions('I want a refund of $250', extractEntities('I want a refund of $250'), rules);
 * // ['refund_above_limit']
 */
export function matchExclusions(
  text: string,
  entities: readonly Entity[],
  rules: readonly ExclusionRule[],
): string[] {
  const hits: string[] = [];
  for (const rule of rules) {
    if (!rule.patterns.some((re) => re.test(text))) continue;
    if (rule.refundAbove !== undefined) {
      const limit = rule.refundAbove;
      // A refund with no stated amount can be automated; only a large stated amount needs a person.
      if (!entities.some((e) => e.type === 'money' && (moneyAmount(e.value) ?? 0) > limit)) continue;
    }
    hits.push(rule.id);
  }
  return hits;
}

interface YamlData {
  value: unknown;
  lineOf(path: (string | number)[]): number | undefined;
}

/** Parses YAML, turning its first error into a UserError with the line; keeps a way back to lines. */
export function parseYamlFile(text: string, file: string): YamlData {
  const { doc, value } = loadYaml({ text, file, code: 'yaml.syntax' });
  const starts = lineStarts(text);
  return {
    value,
    lineOf(path) {
      for (let p = path.length; p >= 0; p--) {
        const node = doc.getIn(path.slice(0, p), true) as { range?: [number, number, number] } | undefined;
        if (node && typeof node === 'object' && node.range) return lineAt(starts, node.range[0]);
      }
      return undefined;
    },
  };
}

/** A zod error as a UserError naming the file, the line and the field of its first issue. */
export function zodError(
  error: z.ZodError,
  lineOf: YamlData['lineOf'],
  file: string,
  code: string,
): UserError {
  const issue = error.issues[0];
  const path = (issue?.path ?? []).filter((p): p is string | number => typeof p !== 'symbol');
  const line = lineOf(path);
  return new UserError(code, issue?.message ?? 'invalid file', {
    file,
    ...(line !== undefined ? { line } : {}),
    ...(path.length ? { field: path.join('.') } : {}),
  });
}

function compilePattern(source: string, file: string, line: number | undefined): RegExp {
  try {
    return new RegExp(source, 'i');
  } catch (cause) {
    throw new UserError(
      'exclusions.bad_pattern',
      `not a valid regular expression: ${source}`,
      { file, ...(line !== undefined ? { line } : {}) },
      { cause },
    );
  }
}

function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') starts.push(i + 1);
  return starts;
}

function lineAt(starts: number[], offset: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((starts[mid] as number) <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo + 1;
}
