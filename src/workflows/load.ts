import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { isMap, isNode, isPair, isScalar, isSeq, type Node } from 'yaml';
import type { z } from 'zod';
import { readYaml, UserError } from '../shared/index.ts';
import {
  AnswerStepSchema,
  AskStepSchema,
  BranchStepSchema,
  CallStepSchema,
  ConfirmStepSchema,
  EscalateStepSchema,
  GotoStepSchema,
  ReplyStepSchema,
  ResolveStepSchema,
  SlotSchema,
  STEP_TYPES,
  TriggerSchema,
  type WorkflowDefinition,
  WorkflowSchema,
} from './definition.ts';

/** A place in a workflow file, 1-based. */
export interface SourcePosition {
  line: number;
  column: number;
}

/** A path into a workflow file's data: `['steps', 2, 'next']`. */
export type YamlPath = ReadonlyArray<string | number>;

/**
 * One problem found in a workflow file, by `loadWorkflowFile` or `checkWorkflows`. `code` is stable
 * (`workflow.unknown_step`, ...): tests and editors match on it, messages may change.
 */
export interface Diagnostic {
  file: string;
  line: number;
  column: number;
  code: string;
  message: string;
  severity: 'error' | 'warning';
}

/** A workflow file that passed the schema, with a way back from any field to its place in the file. */
export interface LoadedWorkflow {
  file: string;
  definition: WorkflowDefinition;
  /**
   * Where the value at `path` is written (its key with `of: 'key'`); the nearest existing ancestor when the
   * path is not in the file (a missing field points at the object that lacks it).
   */
  positionOf(path: YamlPath, of?: 'value' | 'key'): SourcePosition;
}

export interface LoadResult {
  workflows: LoadedWorkflow[];
  /** Files that could not be read, parsed or validated: every problem of each, not only the first. */
  diagnostics: Diagnostic[];
}

export const WORKFLOW_EXTENSIONS = ['.yaml', '.yml'] as const;

/**
 * Reads one workflow file. Never throws for a bad file: a YAML syntax error or a schema violation comes back
 * as diagnostics with the file, line and column of the offending node.
 *
 * @example
 * const { workflows, diagnostics } = loadWorkflowFile('workflows/order-status.yaml');
 * for (const d of diagnostics) console.log(`${d.file}:${d.line}:${d.column}: ${d.message}`);
 */
export function loadWorkflowFile(file: string): LoadResult {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return failed(diagnostic(file, { line: 1, column: 1 }, 'workflow.unreadable', `cannot read: ${reason}`));
  }
  return parseWorkflow(text, file);
}

/**
 * Reads every `.yaml` and `.yml` file of a directory (not its subdirectories), in name order. A missing
 * directory is a UserError; bad files are diagnostics, and the good ones still load.
 */
export function loadWorkflowDir(dir: string): LoadResult {
  let names: string[];
  try {
    if (!statSync(dir).isDirectory()) throw new Error('not a directory');
    names = readdirSync(dir);
  } catch (error) {
    throw new UserError(
      'workflows.no_dir',
      `no workflow directory at ${dir}`,
      { file: dir },
      { cause: error },
    );
  }
  const result: LoadResult = { workflows: [], diagnostics: [] };
  for (const name of names.sort()) {
    if (!(WORKFLOW_EXTENSIONS as readonly string[]).includes(extname(name).toLowerCase())) continue;
    const path = join(dir, name);
    if (!statSync(path).isFile()) continue;
    const one = loadWorkflowFile(path);
    result.workflows.push(...one.workflows);
    result.diagnostics.push(...one.diagnostics);
  }
  return result;
}

/** Parses and validates the text of a workflow file; `file` is only used in positions and messages. */
export function parseWorkflow(text: string, file: string): LoadResult {
  // Only the first problem: after a syntax error the parser's later complaints are mostly echoes of it.
  const read = readYaml({ text, file, code: 'workflow.yaml_syntax', options: { uniqueKeys: true } });
  if (!read.ok) {
    const where = read.error.location;
    return failed(
      diagnostic(
        file,
        { line: where?.line ?? 1, column: where?.column ?? 1 },
        'workflow.yaml_syntax',
        firstLine(read.error.message),
      ),
    );
  }
  const { doc, lineCounter } = read.value;
  const positionOf = (path: YamlPath, of: 'value' | 'key' = 'value'): SourcePosition => {
    const offset = offsetOf(doc.contents, path, of);
    const at = lineCounter.linePos(offset);
    return { line: Math.max(at.line, 1), column: Math.max(at.col, 1) };
  };
  const data: unknown = read.value.value;
  if (data === null || data === undefined) {
    return failed(diagnostic(file, { line: 1, column: 1 }, 'workflow.empty', 'the file holds no workflow'));
  }
  const parsed = WorkflowSchema.safeParse(data);
  if (!parsed.success) {
    const diagnostics = flattenIssues(parsed.error.issues, []).flatMap((issue) =>
      describeIssue(issue, data, file, positionOf),
    );
    return { workflows: [], diagnostics: sortDiagnostics(dedupe(diagnostics)) };
  }
  return { workflows: [{ file, definition: parsed.data, positionOf }], diagnostics: [] };
}

function failed(d: Diagnostic): LoadResult {
  return { workflows: [], diagnostics: [d] };
}

function diagnostic(
  file: string,
  at: SourcePosition,
  code: string,
  message: string,
  severity: Diagnostic['severity'] = 'error',
): Diagnostic {
  return { file, line: at.line, column: at.column, code, message, severity };
}

function firstLine(message: string): string {
  return message.split('\n')[0] ?? message;
}

/** The offset of the node at `path`, or of its nearest ancestor that exists. */
function offsetOf(root: unknown, path: YamlPath, of: 'value' | 'key'): number {
  let node: unknown = root;
  let offset = rangeStart(root) ?? 0;
  for (const [i, segment] of path.entries()) {
    const last = i === path.length - 1;
    if (isMap(node)) {
      const pair = node.items.find(
        (p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(segment),
      );
      if (!pair) return offset;
      const keyStart = rangeStart(pair.key);
      if (last && of === 'key' && keyStart !== undefined) return keyStart;
      // `key:` with no value has no value node: the key is the closest place to point at.
      const valueStart = isNode(pair.value) ? rangeStart(pair.value) : undefined;
      offset = valueStart ?? keyStart ?? offset;
      node = pair.value;
    } else if (isSeq(node) && typeof segment === 'number') {
      const item = node.items[segment];
      if (item === undefined) return offset;
      offset = rangeStart(item) ?? offset;
      node = item;
    } else {
      return offset;
    }
  }
  return offset;
}

function rangeStart(node: unknown): number | undefined {
  return isNode(node) ? (node as Node).range?.[0] : undefined;
}

/** A zod issue with its path made absolute (union branches report paths relative to the union). */
interface FlatIssue {
  code: string;
  path: Array<string | number>;
  message: string;
  raw: z.core.$ZodIssue;
}

/**
 * Turns zod's issues into one list. A union that failed in every branch is reported through the branch that
 * came closest (fewest issues), so a condition with a bad `op` says "op" rather than listing four shapes.
 */
function flattenIssues(issues: readonly z.core.$ZodIssue[], prefix: Array<string | number>): FlatIssue[] {
  const out: FlatIssue[] = [];
  for (const issue of issues) {
    const path = [...prefix, ...issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p))];
    if (issue.code === 'invalid_union' && issue.errors.length > 0) {
      const branches = issue.errors;
      if (branches.every((b) => b.length === 1 && b[0]?.code === 'invalid_type' && b[0].path.length === 0)) {
        const expected = branches.map((b) => (b[0] as { expected?: string }).expected ?? 'value');
        out.push({ code: 'invalid_type', path, message: `expected ${orList(expected)}`, raw: issue });
        continue;
      }
      const best = [...branches].sort((a, b) => a.length - b.length)[0] ?? [];
      out.push(...flattenIssues(best, path));
      continue;
    }
    if (issue.code === 'invalid_key' && issue.issues.length > 0) {
      // A record key that fails its schema (a slot named `Order` or `constructor`): say why, not "Invalid key".
      out.push(...flattenIssues(issue.issues, path));
      continue;
    }
    out.push({ code: issue.code, path, message: issue.message, raw: issue });
  }
  return out;
}

const STEP_SCHEMAS: Record<string, { shape: Record<string, unknown> }> = {
  ask: AskStepSchema,
  call: CallStepSchema,
  branch: BranchStepSchema,
  reply: ReplyStepSchema,
  answer: AnswerStepSchema,
  confirm: ConfirmStepSchema,
  resolve: ResolveStepSchema,
  escalate: EscalateStepSchema,
  goto: GotoStepSchema,
};

function describeIssue(
  issue: FlatIssue,
  data: unknown,
  file: string,
  positionOf: LoadedWorkflow['positionOf'],
): Diagnostic[] {
  const where = fieldName(issue.path);
  const raw = issue.raw;
  if (raw.code === 'invalid_union' && 'discriminator' in raw) {
    const value = valueAt(data, issue.path);
    const expected = STEP_TYPES.join(', ');
    const message =
      value === undefined
        ? `${fieldName(issue.path.slice(0, -1))}: a step needs a type (one of ${expected})`
        : `unknown step type ${JSON.stringify(value)} (expected one of ${expected})`;
    return [diagnostic(file, positionOf(issue.path), 'workflow.unknown_step_type', message)];
  }
  if (raw.code === 'unrecognized_keys') {
    const allowed = allowedKeys(data, issue.path);
    const hint = allowed ? ` (allowed: ${allowed.join(', ')})` : '';
    return raw.keys.map((key) =>
      diagnostic(
        file,
        positionOf([...issue.path, key], 'key'),
        'workflow.unknown_field',
        `${where ? `${where}: ` : ''}unknown field "${key}"${hint}`,
      ),
    );
  }
  if (raw.code === 'invalid_type' && valueAt(data, issue.path) === undefined) {
    const key = issue.path[issue.path.length - 1];
    const parent = fieldName(issue.path.slice(0, -1));
    return [
      diagnostic(
        file,
        positionOf(issue.path),
        'workflow.missing_field',
        `${parent ? `${parent}: ` : ''}missing required field "${String(key)}"`,
      ),
    ];
  }
  if (raw.code === 'invalid_value') {
    const value = valueAt(data, issue.path);
    const options = raw.values.map((v) => String(v)).join(', ');
    return [
      diagnostic(
        file,
        positionOf(issue.path),
        'workflow.invalid',
        `${where ? `${where}: ` : ''}${JSON.stringify(value)} is not one of ${options}`,
      ),
    ];
  }
  const message = issue.message.replace(/^Invalid input: /, '');
  return [
    diagnostic(file, positionOf(issue.path), 'workflow.invalid', `${where ? `${where}: ` : ''}${message}`),
  ];
}

/** The fields an object at `path` may have, when it is one we know the schema of. */
function allowedKeys(data: unknown, path: Array<string | number>): string[] | undefined {
  const [first, second, third] = path;
  if (path.length === 0) return Object.keys(WorkflowSchema.shape);
  if (path.length === 1 && first === 'trigger') return Object.keys(TriggerSchema.shape);
  if (path.length === 2 && first === 'slots') return Object.keys(SlotSchema.shape);
  if (path.length === 2 && first === 'steps' && typeof second === 'number') {
    const type = valueAt(data, [...path, 'type']);
    const schema = typeof type === 'string' ? STEP_SCHEMAS[type] : undefined;
    return schema ? Object.keys(schema.shape) : undefined;
  }
  if (path.length === 4 && first === 'steps' && third === 'cases') return ['when', 'goto', 'label'];
  return undefined;
}

function valueAt(data: unknown, path: ReadonlyArray<string | number>): unknown {
  let value = data;
  for (const segment of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string | number, unknown>)[segment];
  }
  return value;
}

/** `steps[3].cases[0].when.op` */
export function fieldName(path: YamlPath): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}

function orList(words: string[]): string {
  if (words.length <= 1) return words.join('');
  return `${words.slice(0, -1).join(', ')} or ${words[words.length - 1]}`;
}

/** By file, then line, then column: the order an editor lists them in. */
export function sortDiagnostics(diagnostics: Diagnostic[]): Diagnostic[] {
  return [...diagnostics].sort(
    (a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0) || a.line - b.line || a.column - b.column,
  );
}

function dedupe(diagnostics: Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return diagnostics.filter((d) => {
    const key = `${d.line}:${d.column}:${d.code}:${d.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
