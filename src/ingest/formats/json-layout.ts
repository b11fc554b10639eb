/** Where the records of a JSON export sit: the layout a format declares, and its rules over a whole value. */

export type JsonObject = Record<string, unknown>;

export const isJsonObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Where a format's records sit. Keys not named here are the wrapper's own (paging, side-loads); a top-level
 * object that holds no records and is not a page is itself a record. An array holds records wherever it stands
 * at the top level.
 *
 * @example
 * const helpscout: JsonLayout = {
 *   listPaths: [['_embedded', 'conversations'], ['conversations']],
 *   isPage: (wrapper) => isJsonObject(wrapper.page) && wrapper.id === undefined,
 * };
 */
export interface JsonLayout {
  /** Key paths of the arrays that hold records inside a wrapper object: `[['tickets']]`. */
  readonly listPaths: readonly (readonly string[])[];
  /** Keys of a wrapper that holds a single record: `{"ticket": {...}}`. */
  readonly itemKeys?: readonly string[];
  /**
   * Wrapper keys whose values the records need (Zendesk's side-loaded `users`). They may come after the records,
   * so a document is read twice when the layout has them: first for the wrappers, then for the records.
   */
  readonly sideKeys?: readonly string[];
  /** True for a wrapper without a record array (an empty page), so that it is not taken for a record. */
  isPage?(wrapper: JsonObject): boolean;
  /**
   * For formats whose wrapper key is unknown (generic JSON): true when an object is itself a record. The first
   * array of objects in any other object holds its records. In a streamed document only the keys before that
   * array are known when this is asked.
   */
  isRecord?(value: JsonObject): boolean;
}

/** The records in a whole JSON value (a JSON line), or null when the value is itself a record. */
export interface JsonPage {
  records: unknown[];
  /** The records came from an array (so a reject names the record's place in it). */
  listed: boolean;
  /** The object holding them, for side-loads; null for a bare array. */
  wrapper: JsonObject | null;
}

/** The layout's rules applied to a whole value: an array, a page, a wrapper of one record, or a record. */
export function recordsIn(value: unknown, layout: JsonLayout): JsonPage | null {
  if (Array.isArray(value)) return { records: value, listed: true, wrapper: null };
  if (!isJsonObject(value)) return null;
  if (layout.listPaths.length > 0) {
    const lists = layout.listPaths.map((path) => valueAt(value, path)).filter(Array.isArray);
    if (lists.length > 0) return { records: lists.flat(), listed: true, wrapper: value };
  }
  const item = layout.itemKeys?.find((key) => isJsonObject(value[key]));
  if (item !== undefined) return { records: [value[item]], listed: false, wrapper: value };
  if (layout.isRecord && !layout.isRecord(value)) {
    const list = Object.values(value).find((v) => Array.isArray(v) && isJsonObject(v[0]));
    if (Array.isArray(list)) return { records: list, listed: true, wrapper: value };
  }
  return layout.isPage?.(value) ? { records: [], listed: true, wrapper: value } : null;
}

function valueAt(value: unknown, path: readonly string[]): unknown {
  let current = value;
  for (const key of path) current = isJsonObject(current) ? current[key] : undefined;
  return current;
}

/** True when `path` names one of the layout's record arrays. */
export const isListPath = (layout: JsonLayout, path: readonly string[]): boolean =>
  layout.listPaths.some((p) => p.length === path.length && p.every((key, i) => key === path[i]));

/** True when `path` leads towards one of the layout's record arrays without reaching it. */
export const isOnListPath = (layout: JsonLayout, path: readonly string[]): boolean =>
  layout.listPaths.some((p) => p.length > path.length && path.every((key, i) => key === p[i]));
