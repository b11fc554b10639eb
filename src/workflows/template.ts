import { Liquid, type Template } from 'liquidjs';
import { UserError } from '../shared/index.ts';

/**
 * Workflow templates: Liquid, interpreted (no `eval`), with HTML escaping by default and no file system
 * (`include`, `render` and `layout` are not tags here). Each source is parsed once and cached; rendering is
 * synchronous. Text for customers is escaped (`{{ slots.name }}` of `<b>` gives `&lt;b&gt;`; an author may
 * write `| raw` on a value they trust); call inputs are data for a connector, so they render unescaped.
 *
 * @example
 * renderTemplate('Order {{ slots.order_number }} has shipped.', { slots: { order_number: 'SB-1' } });
 * // 'Order SB-1 has shipped.'
 */

/** Liquid's memory budget for one render (range sizes, padding, joins): `(1..100000000)` fails instead of hanging a turn. */
const MEMORY_LIMIT = 1_000_000;
/**
 * The render budget of one template, enforced at run time: a template that loops for longer (a nested loop took
 * 46 s of one turn) or writes more fails with `workflow.template_failed` instead of holding the turn.
 */
export const TEMPLATE_RENDER_LIMIT_MS = 250;
export const TEMPLATE_OUTPUT_LIMIT_CHARS = 100_000;
/** `workflows check` warns about loops over literal ranges that run more times than this, nested loops multiplied. */
export const TEMPLATE_LOOP_WARNING = 1000;
/** Sources kept parsed; definitions are finite, this only bounds a server that reloads edited files for weeks. */
const CACHE_LIMIT = 5000;

function createLiquid(escapeHtml: boolean): Liquid {
  const liquid = new Liquid({
    ...(escapeHtml ? { outputEscape: 'escape' as const } : {}),
    strictFilters: true,
    ownPropertyOnly: true,
    renderLimit: TEMPLATE_RENDER_LIMIT_MS,
    // An empty in-memory file system: nothing is ever read from disk.
    templates: {},
  });
  for (const tag of ['include', 'render', 'layout']) delete liquid.tags[tag];
  return liquid;
}

const engines = { html: createLiquid(true), plain: createLiquid(false) };
const caches = { html: new Map<string, Template[]>(), plain: new Map<string, Template[]>() };

type Mode = keyof typeof engines;

function parsed(source: string, mode: Mode): Template[] {
  const cache = caches[mode];
  const hit = cache.get(source);
  if (hit) return hit;
  let templates: Template[];
  try {
    templates = engines[mode].parse(source);
  } catch (error) {
    throw new UserError(
      'workflow.template_invalid',
      `template ${quote(source)}: ${messageOf(error)}`,
      undefined,
      {
        cause: error,
      },
    );
  }
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(source, templates);
  return templates;
}

export interface TemplateRenderOptions {
  /** HTML-escape every output (the default); false for data that is not shown as HTML (call inputs). */
  escape?: boolean;
}

/** Renders a template over a scope (see `scopeOf`). Throws a UserError naming the template when it is invalid. */
export function renderTemplate(source: string, scope: object, options: TemplateRenderOptions = {}): string {
  const mode: Mode = options.escape === false ? 'plain' : 'html';
  const templates = parsed(source, mode);
  let text: string;
  try {
    text = engines[mode].renderSync(templates, scope, { memoryLimit: MEMORY_LIMIT }) as string;
  } catch (error) {
    throw new UserError(
      'workflow.template_failed',
      `template ${quote(source)}: ${messageOf(error)}`,
      undefined,
      {
        cause: error,
      },
    );
  }
  if (text.length > TEMPLATE_OUTPUT_LIMIT_CHARS) {
    throw new UserError(
      'workflow.template_failed',
      `template ${quote(source)}: the output is ${text.length} characters; a template may write at most ${TEMPLATE_OUTPUT_LIMIT_CHARS}`,
    );
  }
  return text;
}

/**
 * How many times the deepest nest of `for` loops over literal ranges runs (`(1..100)` inside `(1..50)`: 5000),
 * for `workflows check`'s warning; loops over variables count once, since their size is known only at run time.
 *
 * @example
 * templateLoopRuns('{% for i in (1..100) %}{% for j in (1..50) %}x{% endfor %}{% endfor %}'); // 5000
 */
export function templateLoopRuns(source: string): number {
  const sizes: number[] = [];
  let product = 1;
  let most = 0;
  for (const match of source.matchAll(/\{%-?\s*(for|endfor)\b([\s\S]*?)-?%\}/g)) {
    if (match[1] === 'endfor') {
      product /= sizes.pop() ?? 1;
      continue;
    }
    const range = /\(\s*(-?\d+)\s*\.\.\s*(-?\d+)\s*\)/.exec(match[2] ?? '');
    const size = range ? Math.max(Number(range[2]) - Number(range[1]) + 1, 1) : 1;
    sizes.push(size);
    product *= size;
    most = Math.max(most, product);
  }
  return most;
}

/**
 * The variables a template reads from its scope, as dotted paths (`slots.order_number`, `vars.orders.0.number`),
 * each once, in order of first use; names assigned or looped over inside the template are left out.
 *
 * @example
 * templateVariables('{{ customer.name }}: {% for o in vars.orders %}{{ o.number }}{% endfor %}');
 * // ['customer.name', 'vars.orders']
 */
export function templateVariables(source: string): string[] {
  const segments = engines.html.globalVariableSegmentsSync(parsed(source, 'html'));
  return [...new Set(segments.map((parts) => parts.join('.')))];
}

/** Why a template does not parse, or null when it does (for `workflows check`). */
export function templateProblem(source: string): string | null {
  try {
    parsed(source, 'html');
    return null;
  } catch (error) {
    return messageOf(error instanceof UserError ? error.cause : error);
  }
}

function quote(source: string): string {
  const oneLine = source.replace(/\s+/g, ' ').trim();
  return JSON.stringify(oneLine.length > 60 ? `${oneLine.slice(0, 57)}...` : oneLine);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * The plain text of a rendered template: undoes the HTML escaping templates apply for web channels, for a
 * terminal, a JSON transcript or a report that escapes on its own.
 *
 * @example
 * templatePlainText('Tom &amp; Jerry&#39;s order'); // "Tom & Jerry's order"
 */
export function templatePlainText(text: string): string {
  return text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&#34;|&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');
}
