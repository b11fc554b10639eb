import { z } from 'zod';

/**
 * Entities with character spans, found by patterns: order numbers, emails, phone numbers, money with a
 * currency, dates, invoice and account ids, URLs. Patterns are data, so a deployment can replace any of them
 * (an order number looks different in every shop) or add its own types.
 *
 * @example
 * const extract = createEntityExtractor({ patterns: { order_number: '\\bSO-\\d{6}\\b' } });
 * extract('Order SO-123456 was charged $12.50');
 * // [{ type: 'order_number', value: 'SO-123456', start: 6, end: 15 }, { type: 'money', value: '$12.50', ... }]
 */
export interface Entity {
  type: string;
  /** The matched text (or the capture group named `value` when the pattern has one). */
  value: string;
  start: number;
  end: number;
}

export interface EntityPattern {
  type: string;
  /** A regular expression source; matched case-insensitively. A named group `value` narrows the value. */
  pattern: string;
}

const MONTH =
  '(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)';
const CURRENCY_CODE = '(?:usd|eur|gbp|chf|cad|aud|jpy|inr|sek|nok|dkk|pln|dollars?|euros?|pounds?|bucks)';

/** In priority order: when two matches overlap, the earlier pattern (then the longer match) wins. */
export const DEFAULT_ENTITY_PATTERNS: EntityPattern[] = [
  { type: 'email', pattern: '[\\w.+-]+@[\\w-]+(?:\\.[\\w-]+)+' },
  { type: 'url', pattern: '\\b(?:https?://|www\\.)[^\\s<>"]+[^\\s<>".,;:!?)]' },
  {
    type: 'order_number',
    pattern:
      '\\b(?:order|purchase|ord)(?:\\s*(?:number|no\\.?|num|id))?\\s*(?:is\\s*)?[:#]?\\s*(?<value>#?[a-z]{0,3}-?\\d[\\d-]{3,})\\b',
  },
  { type: 'order_number', pattern: '(?<![\\w&])#(?<value>\\d{4,})\\b' },
  {
    type: 'invoice_id',
    pattern:
      '\\b(?:invoice|inv|bill)(?:\\s*(?:number|no\\.?|num|id))?\\s*[:#]?\\s*(?<value>(?:inv-?)?[a-z]{0,3}-?\\d[\\d-]{2,})\\b',
  },
  { type: 'invoice_id', pattern: '\\bINV-?\\d{3,}\\b' },
  {
    type: 'account_id',
    pattern:
      '\\b(?:account|acct|customer|member)(?:\\s*(?:number|no\\.?|num|id))\\s*(?:is\\s*)?[:#]?\\s*(?<value>[a-z]{0,4}-?\\d[\\d-]{3,})\\b',
  },
  { type: 'account_id', pattern: '\\bACC?T?-\\d{3,}\\b' },
  {
    type: 'money',
    pattern: `(?:[$€£¥₹]\\s?\\d{1,3}(?:[,\\s]\\d{3})*(?:\\.\\d{1,2})?|\\b\\d+(?:[.,]\\d{1,2})?\\s?(?:${CURRENCY_CODE})\\b|\\b${CURRENCY_CODE}\\s?\\d+(?:[.,]\\d{1,2})?)`,
  },
  {
    type: 'date',
    pattern: `\\b(?:\\d{4}-\\d{2}-\\d{2}|\\d{1,2}[/.]\\d{1,2}[/.]\\d{2,4}|\\d{1,2}(?:st|nd|rd|th)?(?: of)? ${MONTH}(?:,? \\d{4})?|${MONTH} \\d{1,2}(?:st|nd|rd|th)?(?:,? \\d{4})?|(?:last|next|this) (?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|week|month)|yesterday|today|tomorrow)\\b`,
  },
  { type: 'phone', pattern: '(?<![\\w-])\\+?\\d[\\d\\s().-]{7,}\\d(?![\\w-])' },
];

export type EntityExtractor = (text: string) => Entity[];

export interface EntityExtractorOptions {
  /**
   * Replace the default patterns of these types (a string or a list of strings), or add new types. An empty
   * list turns a type off.
   */
  patterns?: Record<string, string | string[]>;
  /** Patterns tried before the defaults of their type, which are kept. */
  extraPatterns?: Record<string, string | string[]>;
}

/** The flags every entity pattern is compiled with. */
export const ENTITY_PATTERN_FLAGS = 'giu';

const listOf = (p: string | string[]) => (Array.isArray(p) ? p : [p]);

export function createEntityExtractor(options: EntityExtractorOptions = {}): EntityExtractor {
  const overrides = options.patterns ?? {};
  const patternsOf = (record: Record<string, string | string[]>) =>
    Object.entries(record).flatMap(([type, p]) => listOf(p).map((pattern) => ({ type, pattern })));
  const list: EntityPattern[] = [
    ...patternsOf(overrides),
    ...patternsOf(options.extraPatterns ?? {}),
    ...DEFAULT_ENTITY_PATTERNS.filter((p) => !(p.type in overrides)),
  ];
  const compiled = list.map((p) => ({ type: p.type, re: new RegExp(p.pattern, ENTITY_PATTERN_FLAGS) }));
  return (text) => {
    const found: (Entity & { priority: number })[] = [];
    compiled.forEach(({ type, re }, priority) => {
      re.lastIndex = 0;
      for (const m of text.matchAll(re)) {
        const whole = m[0];
        const value = m.groups?.value ?? whole;
        const offset = m.groups?.value !== undefined ? whole.lastIndexOf(value) : 0;
        const start = m.index + offset;
        found.push({ type, value, start, end: start + value.length, priority });
      }
    });
    found.sort((a, b) => a.priority - b.priority || b.end - b.start - (a.end - a.start) || a.start - b.start);
    const kept: Entity[] = [];
    for (const e of found) {
      if (kept.some((k) => e.start < k.end && k.start < e.end)) continue;
      kept.push({ type: e.type, value: e.value, start: e.start, end: e.end });
    }
    return kept.sort((a, b) => a.start - b.start);
  };
}

/** The extractor with the default patterns. */
export const extractEntities: EntityExtractor = createEntityExtractor();

const patternList = z.union([z.string().min(1), z.array(z.string().min(1))], {
  error: 'expected a regular expression (a quoted string) or a list of them',
});
const entityType = z.string().regex(/^[a-z][a-z0-9_]*$/, {
  error: 'an entity type is lowercase letters, digits and _ (e.g. order_number)',
});

/**
 * A deployment's entity patterns, as written in its YAML file (`--entities FILE`) and stored in its model
 * file. `replace` replaces the default patterns of a type or adds a new type (`[]` turns a type off); `add`
 * puts patterns before the defaults of a type, which are kept.
 *
 * @example
 * // entities.yaml
 * // replace:
 * //   order_number: '\bSO-\d{6}\b'
 * //   phone: []
 * // add:
 * //   account_id: ['\bCUST-\d{5}\b']
 */
export const entityPatternsConfigSchema = z.strictObject({
  replace: z.record(entityType, patternList).optional(),
  add: z.record(entityType, patternList).optional(),
});

/** The normalised form: every type maps to a list. */
export interface EntityPatternsConfig {
  replace: Record<string, string[]>;
  add: Record<string, string[]>;
}

export function normaliseEntityPatterns(
  input: z.infer<typeof entityPatternsConfigSchema>,
): EntityPatternsConfig {
  const norm = (r: Record<string, string | string[]> = {}) =>
    Object.fromEntries(Object.entries(r).map(([type, p]) => [type, listOf(p)]));
  return { replace: norm(input.replace), add: norm(input.add) };
}

export function entityOptionsOf(config: EntityPatternsConfig): EntityExtractorOptions {
  return { patterns: config.replace, extraPatterns: config.add };
}

/** The first pattern that does not compile or that matches the empty string, with its path in the config. */
export function findBadEntityPattern(
  config: EntityPatternsConfig,
): { path: ['replace' | 'add', string, number]; message: string } | undefined {
  for (const section of ['replace', 'add'] as const) {
    for (const [type, patterns] of Object.entries(config[section])) {
      for (let i = 0; i < patterns.length; i++) {
        const source = patterns[i]!;
        let re: RegExp;
        try {
          re = new RegExp(source, ENTITY_PATTERN_FLAGS);
        } catch (error) {
          const why =
            error instanceof Error ? error.message.replace(/^Invalid regular expression: /, '') : '';
          return { path: [section, type, i], message: `not a valid regular expression: ${why}` };
        }
        if (re.test('')) {
          return {
            path: [section, type, i],
            message: `the pattern ${source} matches the empty string; it must match at least one character`,
          };
        }
      }
    }
  }
  return undefined;
}
