import { readFileSync } from 'node:fs';
import { stringify } from 'yaml';
import { z } from 'zod';
import { UserError } from '../shared/index.ts';
import { parseYamlFile, zodError } from './exclusions.ts';
import { OTHER_CATEGORY } from './taxonomy.ts';

/** A topic as a mapping file refers to it: its id, or its discovered name. */
export type TopicRef = number | string;

const Ref = z.union([z.number().int().nonnegative(), z.string().trim().min(1)]);
const Name = z.string().trim().min(1, 'give a name').max(80, 'names are at most 80 characters');

const TopicsMapFileSchema = z.strictObject({
  seed: z.number().int().optional(),
  /** The topics as they were found when the file was written; checked on the next run (see applyTopicsMap). */
  topics: z
    .array(
      z.object({
        id: z.number().int().nonnegative(),
        name: z.string(),
        size: z.number().int().optional(),
        example: z.string().optional(),
      }),
    )
    .optional(),
  rename: z.record(z.string(), Name).nullish(),
  merge: z
    .array(z.strictObject({ topics: z.array(Ref).min(2, 'merge at least two topics'), name: Name }))
    .nullish(),
});

/** A parsed mapping file, with the line of every entry so mistakes found later still point at the file. */
export interface TopicsMap {
  file: string;
  /** The seed topics were discovered with when the file was written; the next run uses it. */
  seed: number | undefined;
  listed: { id: number; name: string; line: number | undefined }[];
  rename: { ref: TopicRef; name: string; line: number | undefined }[];
  merge: { refs: { ref: TopicRef; line: number | undefined }[]; name: string; line: number | undefined }[];
}

/** Where one discovered topic ends up: merged topics share the smallest id; "other" is -1. */
export interface MappedTopic {
  id: number;
  name: string;
}

/**
 * Reads a topics mapping file (the `topics.yaml` the audit writes, edited by a lead). Structural mistakes are
 * UserErrors with file and line; references are checked against the topics later, by applyTopicsMap.
 *
 * @example
 * // topics.yaml
 * // seed: 1
 * // rename: { 0: password resets, "card / arrived / card arrived": card delivery }
 * // merge: [{ topics: [3, 7], name: refunds }]
 * const map = loadTopicsMap('/abs/topics.yaml', 'topics.yaml');
 */
export function loadTopicsMap(path: string, shownAs: string = path): TopicsMap {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    throw new UserError('topics_map.unreadable', 'cannot read this file', { file: shownAs }, { cause });
  }
  const data = parseYamlFile(text, shownAs);
  const parsed = TopicsMapFileSchema.safeParse(data.value ?? {});
  if (!parsed.success) throw zodError(parsed.error, data.lineOf, shownAs, 'topics_map.invalid');
  const file = parsed.data;
  const refOf = (key: string): TopicRef => (/^\d+$/.test(key) ? Number(key) : key.trim());
  return {
    file: shownAs,
    seed: file.seed,
    listed: (file.topics ?? []).map((t, i) => ({ id: t.id, name: t.name, line: data.lineOf(['topics', i]) })),
    rename: Object.entries(file.rename ?? {}).map(([key, name]) => ({
      ref: refOf(key),
      name,
      // YAML keeps a key written as 3 as a number: look it up both ways.
      line: data.lineOf(['rename', /^\d+$/.test(key) ? Number(key) : key]) ?? data.lineOf(['rename', key]),
    })),
    merge: (file.merge ?? []).map((m, i) => ({
      refs: m.topics.map((ref, j) => ({
        ref: typeof ref === 'string' ? refOf(ref) : ref,
        line: data.lineOf(['merge', i, 'topics', j]),
      })),
      name: m.name,
      line: data.lineOf(['merge', i]),
    })),
  };
}

/**
 * Applies a mapping to the topics just discovered: topic id -> final id and name. Renamed topics keep their
 * id; merged topics (a merge entry, or two topics renamed to the same name) share the smallest id of the
 * group; a topic renamed to "other" joins the other bucket (-1). Throws a UserError with the file's line when
 * a reference matches no topic, or more than one, when a topic is mapped twice, or when the topics listed in
 * the file are not the ones found now (the tickets or the seed changed, so the ids mean something else).
 *
 * @example
 * const mapped = applyTopicsMap(map, result.topics);
 * mapped.get(3); // { id: 3, name: 'refunds' }
 */
export function applyTopicsMap(
  map: TopicsMap,
  topics: readonly { id: number; name: string }[],
): Map<number, MappedTopic> {
  const byId = new Map(topics.map((t) => [t.id, t]));
  const where = (line: number | undefined) => ({ file: map.file, ...(line !== undefined ? { line } : {}) });
  for (const listed of map.listed) {
    const now = byId.get(listed.id);
    if (now?.name !== listed.name) {
      throw new UserError(
        'topics_map.stale',
        `topic ${listed.id} was "${listed.name}" when this file was written and is now ${now ? `"${now.name}"` : 'gone'}: ` +
          'the tickets or the seed changed, so the ids mean other topics. Rename under "rename:", not here; ' +
          'or run without --topics-map for a fresh topics.yaml',
        { ...where(listed.line), field: 'topics' },
      );
    }
  }
  const resolve = (ref: TopicRef, line: number | undefined): number => {
    if (typeof ref === 'number') {
      if (!byId.has(ref)) {
        throw new UserError(
          'topics_map.unknown_topic',
          `no topic ${ref}: the topics are 0 to ${topics.length - 1}`,
          where(line),
        );
      }
      return ref;
    }
    const matches = topics.filter((t) => t.name === ref);
    if (matches.length !== 1) {
      throw new UserError(
        'topics_map.unknown_topic',
        matches.length
          ? `"${ref}" names topics ${matches.map((t) => t.id).join(', ')}: refer to one by its id`
          : `no topic is named "${ref}" (refer to a topic by its id or its name as found)`,
        where(line),
      );
    }
    return matches[0]!.id;
  };
  const finalName = new Map(topics.map((t) => [t.id, t.name]));
  const mappedAt = new Map<number, number | undefined>();
  const assign = (id: number, name: string, line: number | undefined) => {
    if (mappedAt.has(id)) {
      const first = mappedAt.get(id);
      throw new UserError(
        'topics_map.conflict',
        `topic ${id} is mapped twice${first !== undefined ? ` (first on line ${first})` : ''}`,
        where(line),
      );
    }
    mappedAt.set(id, line);
    finalName.set(id, name);
  };
  for (const r of map.rename) assign(resolve(r.ref, r.line), r.name, r.line);
  for (const m of map.merge) for (const r of m.refs) assign(resolve(r.ref, r.line), m.name, r.line);

  const firstIdOf = new Map<string, number>();
  for (const t of [...topics].sort((a, b) => a.id - b.id)) {
    const name = finalName.get(t.id)!;
    if (!firstIdOf.has(name)) firstIdOf.set(name, t.id);
  }
  return new Map(
    topics.map((t) => {
      const name = finalName.get(t.id)!;
      return [t.id, name === OTHER_CATEGORY ? { id: -1, name } : { id: firstIdOf.get(name)!, name }];
    }),
  );
}

/** One discovered topic as the mapping file lists it. */
export interface ListedTopic {
  id: number;
  /** The name discovery gave it. */
  name: string;
  size: number;
  /** The representative ticket's opening text. */
  example: string;
  /** The name it has after the mapping (the same when unmapped). */
  category: string;
}

const EXAMPLE_CHARS = 120;

/**
 * The mapping file the audit writes into --out: every topic with id, name, size and an example, plus the
 * rename and merge sections that reproduce the mapping just applied (empty on a first run), for a lead to edit
 * and pass back with --topics-map.
 */
export function topicsMapYaml(seed: number, topics: readonly ListedTopic[]): string {
  const groups = new Map<string, number[]>();
  for (const t of topics) groups.set(t.category, [...(groups.get(t.category) ?? []), t.id]);
  const rename: Record<string, string> = {};
  const merge: { topics: number[]; name: string }[] = [];
  for (const [category, ids] of groups) {
    if (ids.length > 1) merge.push({ topics: ids, name: category });
    else if (topics.find((t) => t.id === ids[0])!.name !== category) rename[String(ids[0])] = category;
  }
  const body = stringify(
    {
      seed,
      topics: topics.map((t) => ({ id: t.id, name: t.name, size: t.size, example: truncate(t.example) })),
      rename,
      merge,
    },
    { lineWidth: 0 },
  );
  return [
    '# Topics found by switchboard audit. Same tickets + same seed = same ids and names.',
    '# To rename or merge topics, edit "rename" and "merge" below (refer to a topic by id or by its name as',
    '# listed), then run again with --topics-map this-file. Leave "topics" and "seed" as they are: they are',
    '# checked, so a map written for other tickets is refused rather than applied to the wrong topics.',
    '#   rename:',
    '#     0: password resets          # topic 0 gets a new name; "other" moves it to the other bucket',
    '#   merge:',
    '#     - topics: [3, 7]            # topics 3 and 7 become one category',
    '#       name: refunds',
    body,
  ].join('\n');
}

function truncate(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= EXAMPLE_CHARS ? flat : `${flat.slice(0, EXAMPLE_CHARS - 3)}...`;
}
