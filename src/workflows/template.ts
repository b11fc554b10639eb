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
/** Sources kept parsed; definitions are finite, this only bounds a server that reloads edited files for weeks. */
const CACHE_LIMIT = 5000;

function createLiquid(escapeHtml: boolean): Liquid {
  const liquid = new Liquid({
    ...(escapeHtml ? { outputEscape: 'escape' as const } : {}),
    strictFilters: true,
    ownPropertyOnly: true,
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
  try {
    return engines[mode].renderSync(templates, scope, { memoryLimit: MEMORY_LIMIT }) as string;
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
