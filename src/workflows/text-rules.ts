import { regexOf } from './condition.ts';
import type { TEXT_FORMATS, TextRule } from './definition.ts';

type TextFormat = (typeof TEXT_FORMATS)[number];

// Street words of the languages the demo shop's customers write in; compounds ("Hauptstr.", "Kirchweg") end in them.
const STREET_WORD =
  /\b(?:street|st|road|rd|lane|ln|avenue|ave|way|drive|dr|place|pl|court|ct|close|square|sq|boulevard|blvd|terrace|crescent|cres|parade|row|walk|hill|gardens|grove|park|quay|wharf|highway|hwy|rue|allee|allée|chemin|via|viale|piazza|calle|avenida|plaza|carrer|apartment|apt|flat|unit|suite|floor|building|po box)\b|(?:strasse|straße|weg|gasse|platz|laan|straat|gracht|vej|gatan|gade)\b|str\./i;
// Postcodes: 4 to 6 digits (with a ZIP+4), UK, Canadian and Irish forms.
const POSTCODE =
  /\b(?:\d{4,6}(?:-\d{4})?|[a-z]{1,2}\d[a-z\d]?\s*\d[a-z]{2}|[a-z]\d[a-z]\s?\d[a-z]\d|[a-z]\d{2}\s?[a-z\d]{4})\b/i;

/** Why `text` does not look like a postal address, in words for the customer; null when it does. */
export function addressProblem(text: string): string | null {
  const value = text.trim();
  if (value.includes('?')) return 'That reads as a question, not an address.';
  if (/@|https?:\/\/|www\./i.test(value))
    return 'That looks like an email or web address, not a postal address.';
  if (!/\d/.test(value)) return 'An address needs a house number or a postcode.';
  const parts = value.split(/[,\n]/).filter((p) => /\p{L}/u.test(p)).length;
  if (!STREET_WORD.test(value) && !(POSTCODE.test(value) && parts >= 2)) {
    return 'I need the street and the town, with the postcode.';
  }
  return null;
}

const FORMAT_CHECKS: Record<TextFormat, (text: string) => string | null> = { address: addressProblem };

/**
 * The reason of the first rule `value` breaks: the rule's own `reason`, else the format's built-in reason for
 * the way the value fails it; null when it passes them all.
 *
 * @example
 * textRuleProblem([{ format: 'address' }], 'Thanks, much appreciated.'); // 'An address needs a house number or a postcode.'
 * textRuleProblem([{ format: 'address' }], '14 Mill Lane, Cork T12 AB34'); // null
 */
export function textRuleProblem(rules: readonly TextRule[], value: string): string | null {
  for (const rule of rules) {
    if ('format' in rule) {
      const problem = FORMAT_CHECKS[rule.format](value);
      if (problem !== null) return rule.reason ?? problem;
    } else if ('matches' in rule) {
      if (!regexOf(rule.matches).test(value)) return rule.reason;
    } else if ('notMatches' in rule) {
      if (regexOf(rule.notMatches).test(value)) return rule.reason;
    } else if ((value.match(/[\p{L}\p{N}]+/gu) ?? []).length < rule.minWords) {
      return rule.reason;
    }
  }
  return null;
}
