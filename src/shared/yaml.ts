import {
  type Document,
  type DocumentOptions,
  isAlias,
  isCollection,
  isPair,
  LineCounter,
  type ParseOptions,
  parseDocument,
  type SchemaOptions,
} from 'yaml';
import { UserError } from './errors.ts';
import { err, ok, type Result } from './result.ts';

/**
 * The limits every YAML file the project reads is held to: a hostile file (an alias bomb, a file nested
 * thousands of levels deep, a huge file) is refused with a UserError instead of exhausting memory or the stack.
 */
export interface YamlLimits {
  /** The largest file, in bytes of UTF-8. */
  maxBytes: number;
  /** The `yaml` package's alias budget: how many nodes aliases may expand to, in total. */
  maxAliasCount: number;
  /** The deepest nesting of mappings and sequences. */
  maxDepth: number;
}

export const DEFAULT_YAML_LIMITS: YamlLimits = {
  maxBytes: 2 * 1024 * 1024,
  maxAliasCount: 100,
  maxDepth: 64,
};

export interface ReadYamlProps {
  text: string;
  /** Shown in messages only. */
  file: string;
  /** The stable code of the UserError for a syntax error or a broken limit, e.g. `config.syntax`. */
  code: string;
  options?: ParseOptions & DocumentOptions & SchemaOptions;
  limits?: Partial<YamlLimits>;
}

export interface YamlRead {
  doc: Document.Parsed;
  /** The document as plain data (aliases expanded within `maxAliasCount`). */
  value: unknown;
  lineCounter: LineCounter;
}

/**
 * Parses YAML text within limits: the first syntax error or broken limit is a UserError with the file and, where
 * known, the line and column.
 *
 * @example
 * const read = readYaml({ text: 'a: 1', file: 'x.yaml', code: 'config.syntax' });
 * if (read.ok) console.log(read.value.value); // { a: 1 }
 */
export function readYaml(props: ReadYamlProps): Result<YamlRead, UserError> {
  const limits = { ...DEFAULT_YAML_LIMITS, ...props.limits };
  const { text, file, code } = props;
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > limits.maxBytes) {
    return err(
      new UserError(code, `the file is ${bytes} bytes; YAML files are limited to ${limits.maxBytes} bytes`, {
        file,
      }),
    );
  }
  const lineCounter = new LineCounter();
  const at = (offset: number | undefined): { line?: number; column?: number } => {
    if (offset === undefined) return {};
    const pos = lineCounter.linePos(offset);
    return { line: pos.line, column: pos.col };
  };
  let doc: Document.Parsed;
  try {
    doc = parseDocument(text, { prettyErrors: false, ...props.options, lineCounter });
  } catch (cause) {
    // The parser itself recurses on nested flow collections: a deep enough file overflows the stack.
    return err(
      new UserError(code, `the file is too deeply nested to read (${String(cause)})`, { file }, { cause }),
    );
  }
  const syntax = doc.errors[0];
  if (syntax) {
    return err(
      new UserError(code, syntax.message.split('\n')[0] ?? 'invalid YAML', { file, ...at(syntax.pos[0]) }),
    );
  }
  const deep = tooDeep(doc, limits.maxDepth);
  if (deep !== undefined) {
    return err(
      new UserError(code, `the YAML is nested more than ${limits.maxDepth} levels deep`, {
        file,
        ...at(deep),
      }),
    );
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: limits.maxAliasCount });
  } catch (cause) {
    return err(
      new UserError(
        code,
        `the YAML's aliases (*name) expand to too much data (limit: ${limits.maxAliasCount} expanded nodes)`,
        { file, ...at(firstAlias(doc)) },
        { cause },
      ),
    );
  }
  return ok({ doc, value, lineCounter });
}

/** `readYaml` for callers that stop on the first problem: throws its UserError. */
export function loadYaml(props: ReadYamlProps): YamlRead {
  const read = readYaml(props);
  if (!read.ok) throw read.error;
  return read.value;
}

type Walked = { node: unknown; depth: number };

/** The offset of the first collection deeper than `maxDepth`, found without recursion; undefined if none. */
function tooDeep(doc: Document.Parsed, maxDepth: number): number | undefined {
  const stack: Walked[] = [{ node: doc.contents, depth: 1 }];
  for (let item = stack.pop(); item; item = stack.pop()) {
    const { node, depth } = item;
    if (!isCollection(node)) continue;
    if (depth > maxDepth) return node.range?.[0];
    for (const child of node.items as unknown[]) {
      if (isPair(child)) {
        stack.push({ node: child.key, depth: depth + 1 }, { node: child.value, depth: depth + 1 });
      } else stack.push({ node: child, depth: depth + 1 });
    }
  }
  return undefined;
}

function firstAlias(doc: Document.Parsed): number | undefined {
  const stack: unknown[] = [doc.contents];
  let found: number | undefined;
  for (let node = stack.pop(); node !== undefined; node = stack.pop()) {
    if (isAlias(node)) {
      const start = node.range?.[0];
      if (start !== undefined && (found === undefined || start < found)) found = start;
    } else if (isPair(node)) stack.push(node.key ?? null, node.value ?? null);
    else if (isCollection(node)) for (const child of node.items as unknown[]) stack.push(child);
  }
  return found;
}
