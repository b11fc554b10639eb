/**
 * A value as short text for a person: the JSON itself when it is short, else an outline (array lengths, the
 * first item, the first keys) cut to `maxChars`, saying how long the whole was. Connector outputs can be
 * whole order histories; a handoff packet shows their shape, not every byte.
 *
 * @example
 * summariseValue({ orders: Array.from({ length: 200 }, (_, i) => ({ id: i })) }, 80);
 * // '{orders: [200 items, first: {id: 0}]} (2,102 characters in full)'
 */
export function summariseValue(value: unknown, maxChars = 300): string {
  const json = toJson(value);
  if (json.length <= maxChars) return json;
  const outline = outlineValue(value, 0);
  const cut = outline.length <= maxChars ? outline : `${outline.slice(0, maxChars - 1)}…`;
  return `${cut} (${json.length.toLocaleString('en-US')} characters in full)`;
}

/** Short text for a slot value or a scalar: strings as they are, the rest summarised. */
export function displayValue(value: unknown, maxChars = 120): string {
  if (typeof value === 'string') return value.length <= maxChars ? value : `${value.slice(0, maxChars - 1)}…`;
  return summariseValue(value, maxChars);
}

function toJson(value: unknown): string {
  if (value === undefined) return '(none)';
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    // Only a cycle or a BigInt gets here, and stored state has neither; say so rather than fail a handoff.
    return '(not serialisable)';
  }
}

const KEYS_SHOWN = 8;
const STRING_CHARS = 60;
/** Containers deeper than this show only their size. */
const MAX_DEPTH = 3;

function outlineValue(value: unknown, depth: number): string {
  if (value === null || value === undefined) return String(value);
  if (typeof value === 'string') {
    return JSON.stringify(value.length > STRING_CHARS ? `${value.slice(0, STRING_CHARS - 1)}…` : value);
  }
  if (typeof value !== 'object') return String(value);
  if (Array.isArray(value)) {
    const items = `${value.length} item${value.length === 1 ? '' : 's'}`;
    if (value.length === 0) return '[]';
    return depth >= MAX_DEPTH ? `[${items}]` : `[${items}, first: ${outlineValue(value[0], depth + 1)}]`;
  }
  const entries = Object.entries(value);
  if (depth >= MAX_DEPTH) return `{${entries.length} key${entries.length === 1 ? '' : 's'}}`;
  const shown = entries.slice(0, KEYS_SHOWN).map(([k, v]) => `${k}: ${outlineValue(v, depth + 1)}`);
  if (entries.length > KEYS_SHOWN) shown.push(`… ${entries.length - KEYS_SHOWN} more keys`);
  return `{${shown.join(', ')}}`;
}
