import { Liquid, type Template } from 'liquidjs';

/*
 * Liquid with no file system (`templates: {}` makes include/render look only in an empty map), unknown filters
 * rejected, and only own properties readable, so a template cannot reach prototype members.
 */
const LIQUID_OPTIONS = { templates: {}, strictFilters: true, ownPropertyOnly: true } as const;

/** For path templates: every output is URL-encoded, so `a/b c` in an input stays one path segment. */
const pathLiquid = new Liquid({
  ...LIQUID_OPTIONS,
  outputEscape: (value: unknown) => encodeURIComponent(String(value)),
});
/** For header, query and body templates: values are encoded later (URLSearchParams, JSON.stringify). */
const plainLiquid = new Liquid(LIQUID_OPTIONS);

export interface CompiledTemplate {
  render(context: Record<string, unknown>): string;
  /** Top-level names the template reads (`orderNumber` in `{{ orderNumber | upcase }}`). */
  variables: string[];
  /** Full dotted names (`secrets.TOKEN`). */
  fullVariables: string[];
}

function compileWith(liquid: Liquid, source: string): CompiledTemplate {
  const templates: Template[] = liquid.parse(source);
  return {
    render: (context) => liquid.renderSync(templates, context) as string,
    variables: liquid.globalVariablesSync(templates),
    fullVariables: liquid.fullVariablesSync(templates),
  };
}

/** Throws liquidjs's parse error on a bad template; config validation turns it into a config problem. */
export const compilePathTemplate = (source: string) => compileWith(pathLiquid, source);
export const compileTemplate = (source: string) => compileWith(plainLiquid, source);

const SINGLE_OUTPUT = /^\s*\{\{-?\s*([A-Za-z_][\w.]*(?:\[\d+\])*)\s*-?\}\}\s*$/;

/**
 * A JSON mapping: a JSON value whose strings are templates. A string that is exactly one variable
 * (`"{{ amount }}"`) keeps the input's type (a number stays a number); any other string renders as text.
 */
export interface CompiledMapping {
  render(context: Record<string, unknown>): unknown;
  variables: string[];
}

export function compileMapping(value: unknown): CompiledMapping {
  if (typeof value === 'string') {
    const single = SINGLE_OUTPUT.exec(value);
    const template = compileTemplate(value);
    if (single) {
      const expression = single[1]!;
      return {
        render: (context) => plainLiquid.evalValueSync(expression, context) ?? null,
        variables: template.variables,
      };
    }
    return { render: template.render, variables: template.variables };
  }
  if (Array.isArray(value)) {
    const items = value.map(compileMapping);
    return {
      render: (context) => items.map((item) => item.render(context)),
      variables: [...new Set(items.flatMap((item) => item.variables))],
    };
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).map(([key, item]) => [key, compileMapping(item)] as const);
    return {
      render: (context) => Object.fromEntries(entries.map(([key, item]) => [key, item.render(context)])),
      variables: [...new Set(entries.flatMap(([, item]) => item.variables))],
    };
  }
  return { render: () => value, variables: [] };
}

/**
 * Reads a dotted path from a JSON value: `order.tracking.url`, `orders.0.id`, `orders.length`. A missing step
 * gives undefined.
 */
export function readPath(value: unknown, path: string): unknown {
  let current = value;
  for (const step of path.split('.')) {
    if (current === null || current === undefined) return undefined;
    if (Array.isArray(current)) {
      current = step === 'length' ? current.length : /^\d+$/.test(step) ? current[Number(step)] : undefined;
    } else if (typeof current === 'object' && Object.hasOwn(current, step)) {
      current = (current as Record<string, unknown>)[step];
    } else {
      return undefined;
    }
  }
  return current;
}
