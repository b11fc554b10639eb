import { readFileSync } from 'node:fs';
import { isMap, isScalar, parseDocument } from 'yaml';
import type { z } from 'zod';
import { parseYamlFile } from '../audit/index.ts';
import {
  type EntityPatternsConfig,
  entityPatternsConfigSchema,
  findBadEntityPattern,
  normaliseEntityPatterns,
} from '../nlu/index.ts';
import { UserError } from '../shared/index.ts';

/**
 * Reads a deployment's entity patterns from YAML (`--entities FILE`): `replace` replaces the default
 * patterns of a type or adds a type (`[]` turns a type off), `add` puts patterns before a type's defaults.
 * Every problem is a UserError with the file, the line and the field; a regular expression that does not
 * compile is reported at its own line.
 *
 * @example
 * // entities.yaml:
 * //   replace:
 * //     order_number: '\bSO-\d{6}\b'
 * const config = loadEntityPatternsFile('entities.yaml');
 * createNlu({ model: { ...model, entities: config } });
 */
export function loadEntityPatternsFile(path: string): EntityPatternsConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    throw new UserError(
      'nlu.entities_file_missing',
      'cannot read the entity patterns file',
      { file: path },
      { cause },
    );
  }
  return parseEntityPatterns(text, path);
}

export function parseEntityPatterns(text: string, file: string): EntityPatternsConfig {
  const data = parseYamlFile(text, file);
  // An empty file (or one with only comments) means "the defaults".
  const parsed = entityPatternsConfigSchema.safeParse(data.value ?? {});
  if (!parsed.success) {
    const { path, message, atKey } = describeIssue(parsed.error);
    const line = (atKey ? keyLine(text, path) : undefined) ?? data.lineOf(path);
    throw new UserError('nlu.entities_invalid', message, {
      file,
      ...(line !== undefined ? { line } : {}),
      ...(path.length ? { field: path.join('.') } : {}),
    });
  }
  const config = normaliseEntityPatterns(parsed.data);
  const bad = findBadEntityPattern(config);
  if (bad) {
    // A single string in the YAML has no list index: its own line is the line of its type.
    const [section, type, index] = bad.path;
    const single = typeof parsed.data[section]?.[type] === 'string';
    const path = single ? [section, type] : bad.path;
    const line = data.lineOf(path);
    throw new UserError('nlu.entities_bad_pattern', bad.message, {
      file,
      ...(line !== undefined ? { line } : {}),
      field: single ? `${section}.${type}` : `${section}.${type}.${index}`,
    });
  }
  return config;
}

/** The first issue; a problem with a key itself (unknown, badly named) is reported at the key's line. */
function describeIssue(error: z.ZodError): { path: (string | number)[]; message: string; atKey: boolean } {
  const issue = error.issues[0];
  const path = (issue?.path ?? []).filter((p): p is string | number => typeof p !== 'symbol');
  if (issue?.code === 'unrecognized_keys') {
    const key = issue.keys[0] ?? '';
    // zod reports an unknown key on the object that holds it.
    return {
      path: [...path, key],
      message: `unknown key "${key}" (expected "replace" or "add")`,
      atKey: true,
    };
  }
  if (issue?.code === 'invalid_key') {
    return { path, message: issue.issues[0]?.message ?? issue.message, atKey: true };
  }
  return { path, message: issue?.message ?? 'invalid file', atKey: false };
}

/** The line of the key at the end of `path` (a value may start on a later line than its key). */
function keyLine(text: string, path: (string | number)[]): number | undefined {
  const doc = parseDocument(text);
  const parent = path.length > 1 ? doc.getIn(path.slice(0, -1), true) : doc.contents;
  if (!isMap(parent)) return undefined;
  const pair = parent.items.find((p) => isScalar(p.key) && p.key.value === path[path.length - 1]);
  const start = isScalar(pair?.key) ? pair.key.range?.[0] : undefined;
  return start === undefined ? undefined : text.slice(0, start).split('\n').length;
}
