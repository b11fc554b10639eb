import { type TicketRecord, timestampProblem } from '../domain/index.ts';

/**
 * How deep a record's values may nest (objects and arrays inside each other). Real exports nest a handful of
 * levels; the content hash and JSON.stringify recurse, so a record nested thousands of levels deep would overflow
 * the stack and stop the import.
 */
export const MAX_RECORD_DEPTH = 64;

export type Screened = { ok: true; ticket: TicketRecord; warnings: string[] } | { ok: false; reason: string };

/**
 * What every imported ticket goes through before it is checked and stored, whatever its format, so that the
 * stores see the same values (see docs/security.md, "Import limits"):
 * - values nested deeper than MAX_RECORD_DEPTH: the record is rejected;
 * - a time stamp that is not plausible (timestampProblem: before 1990 or more than a day ahead): rejected, naming
 *   the field;
 * - NUL characters (U+0000), which PostgreSQL cannot store in text: removed, with a warning.
 *
 * @example
 * screenTicket({ ...ticket, subject: 'a\u0000b' }, Date.now());
 * // { ok: true, ticket: { ...ticket, subject: 'ab' }, warnings: ['removed 1 NUL character (U+0000) from subject'] }
 */
export function screenTicket(ticket: TicketRecord, nowMs: number): Screened {
  const depth = depthOver(ticket, MAX_RECORD_DEPTH);
  if (depth) return { ok: false, reason: `${depth} nests more than ${MAX_RECORD_DEPTH} levels deep` };
  const problem = timestampProblem(ticket, nowMs);
  if (problem) return { ok: false, reason: problem };
  const removed = new Map<string, number>();
  const clean = withoutNul(ticket, '', removed) as TicketRecord;
  if (removed.size === 0) return { ok: true, ticket, warnings: [] };
  const warnings = [...removed].map(
    ([path, n]) => `removed ${n === 1 ? '1 NUL character' : `${n} NUL characters`} (U+0000) from ${path}`,
  );
  return { ok: true, ticket: clean, warnings };
}

/** The dotted path of the first value deeper than `limit`, or null; iterative, so it cannot overflow itself. */
function depthOver(value: unknown, limit: number): string | null {
  const stack: { value: unknown; depth: number; path: string }[] = [{ value, depth: 0, path: '' }];
  while (stack.length > 0) {
    const { value: v, depth, path } = stack.pop() as { value: unknown; depth: number; path: string };
    if (v === null || typeof v !== 'object') continue;
    if (depth >= limit) return path || 'the record';
    for (const [key, child] of Object.entries(v)) {
      if (child !== null && typeof child === 'object') {
        stack.push({ value: child, depth: depth + 1, path: depth < 3 ? join(path, key) : path });
      }
    }
  }
  return null;
}

const join = (path: string, key: string) => (path ? `${path}.${key}` : key);

/** A copy of `value` without NULs in its strings and keys (the same object when it has none). Depth-limited above. */
function withoutNul(value: unknown, path: string, removed: Map<string, number>): unknown {
  if (typeof value === 'string') {
    if (!value.includes('\u0000')) return value;
    const at = path || 'the record';
    const parts = value.split('\u0000');
    removed.set(at, (removed.get(at) ?? 0) + parts.length - 1);
    return parts.join('');
  }
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    // Items are reported by their array's path, not their index: one warning per field (`messages.body`).
    let changed = false;
    const out = value.map((item) => {
      const next = withoutNul(item, path, removed);
      if (next !== item) changed = true;
      return next;
    });
    return changed ? out : value;
  }
  let changed = false;
  const out: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) {
    const cleanKey = withoutNul(key, join(path, 'key'), removed) as string;
    const next = withoutNul(child, join(path, cleanKey), removed);
    if (next !== child || cleanKey !== key) changed = true;
    out[cleanKey] = next;
  }
  return changed ? out : value;
}
