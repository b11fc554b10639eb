import { readFileSync } from 'node:fs';
import { isMap, LineCounter, parseDocument } from 'yaml';
import { z } from 'zod';
import { GuardrailOverridesSchema } from '../domain/index.ts';
import { UserError } from '../shared/index.ts';

/**
 * A deployment's configuration file (`switchboard.yaml`): where its model and workflows are, its connectors
 * (each validated by the connector's own schema when the registry is built) and its global guardrails
 * (every key optional; a workflow's `guardrails` override them). Validated once at start-up; every problem
 * is listed with its line.
 *
 * @example
 * // switchboard.yaml
 * //   nlu: { model: .switchboard/nlu.model.json }
 * //   workflows: { dir: workflows }
 * //   guardrails: { maxExchangesWithoutProgress: 4, negativeSentimentBelow: -0.6 }
 * //   connectors:
 * //     demo-shop: { baseUrl: http://127.0.0.1:4010 }
 * const config = loadConfigFile('switchboard.yaml');
 */
export const SwitchboardConfigSchema = z.strictObject({
  nlu: z.strictObject({ model: z.string().min(1) }).optional(),
  workflows: z.strictObject({ dir: z.string().min(1) }).optional(),
  guardrails: GuardrailOverridesSchema.optional(),
  /** Connector name -> its config; checked against each connector's schema by the registry. */
  connectors: z.record(z.string(), z.unknown()).optional(),
});
export type SwitchboardConfig = z.infer<typeof SwitchboardConfigSchema>;

export const DEFAULT_CONFIG_FILE = 'switchboard.yaml';

export function loadConfigFile(file: string): SwitchboardConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    throw new UserError('config.unreadable', 'cannot read the configuration file', { file }, { cause });
  }
  return parseConfig(text, file);
}

/** Parses a configuration file's text; all problems in one UserError, each with its line. */
export function parseConfig(text: string, file: string): SwitchboardConfig {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  const syntax = doc.errors[0];
  if (syntax) {
    const pos = syntax.linePos?.[0];
    throw new UserError('config.syntax', syntax.message.split('\n')[0] ?? 'invalid YAML', {
      file,
      ...(pos ? { line: pos.line, column: pos.col } : {}),
    });
  }
  if (doc.contents !== null && !isMap(doc.contents)) {
    throw new UserError('config.invalid', 'the configuration must be a mapping of sections', {
      file,
      line: 1,
    });
  }
  const parsed = SwitchboardConfigSchema.safeParse(doc.toJS() ?? {});
  if (parsed.success) return parsed.data;
  const lines = parsed.error.issues.map((issue) => {
    let node: unknown;
    for (let n = issue.path.length; n >= 0 && !node; n--) {
      node = doc.getIn(issue.path.slice(0, n) as (string | number)[], true);
    }
    const offset = (node as { range?: [number, number, number] } | undefined)?.range?.[0];
    const where = offset === undefined ? '' : `${lineCounter.linePos(offset).line}: `;
    const field = issue.path.join('.') || '(top level)';
    return `${file}:${where}${field}: ${issue.message}`;
  });
  const first = parsed.error.issues[0];
  throw new UserError(
    'config.invalid',
    lines.length === 1
      ? (first?.message ?? 'invalid configuration')
      : `${lines.length} problems:\n  ${lines.join('\n  ')}`,
    lines.length === 1
      ? {
          file,
          field: first?.path.join('.') || '(top level)',
          ...lineOf(doc, lineCounter, first?.path ?? []),
        }
      : { file },
  );
}

function lineOf(
  doc: ReturnType<typeof parseDocument>,
  lineCounter: LineCounter,
  path: PropertyKey[],
): { line?: number } {
  for (let n = path.length; n >= 0; n--) {
    const node = doc.getIn(path.slice(0, n) as (string | number)[], true) as
      | { range?: [number, number, number] }
      | undefined;
    if (node?.range) return { line: lineCounter.linePos(node.range[0]).line };
  }
  return {};
}
