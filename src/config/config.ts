import { readFileSync } from 'node:fs';
import { type Document, isMap, type LineCounter } from 'yaml';
import { z } from 'zod';
import { GuardrailOverridesSchema } from '../domain/index.ts';
import { loadYaml, UserError } from '../shared/index.ts';

/** The HTTP service (`switchboard serve`). */
export const ServerConfigSchema = z.strictObject({
  host: z.string().min(1).default('127.0.0.1'),
  port: z.number().int().min(0).max(65535).default(8080),
  /** Origins a browser may call the API from (the widget on your site); same-origin pages need none. */
  corsOrigins: z.array(z.url({ protocol: /^https?$/ })).default([]),
  /** Request bodies above this are refused with 413. */
  bodyLimitBytes: z.number().int().min(1024).max(10_485_760).default(65_536),
  /** Helpdesk webhook bodies above this are refused with 413 (a conversation payload can be large). */
  webhookBodyLimitBytes: z.number().int().min(1024).max(10_485_760).default(524_288),
  /** Requests per minute per API key and per client address; past them 429 with Retry-After. */
  rateLimit: z
    .strictObject({
      perKeyPerMinute: z.number().int().min(1).default(600),
      perAddressPerMinute: z.number().int().min(1).default(300),
    })
    .default({ perKeyPerMinute: 600, perAddressPerMinute: 300 }),
  /** Behind a proxy: read the client address from X-Forwarded-For, and mark cookies Secure. */
  trustProxy: z.boolean().default(false),
  /** The demo shop page with the widget at `/` (the demo deployment of `npm start`). */
  demoPage: z.boolean().default(false),
});
export type ServerConfig = z.infer<typeof ServerConfigSchema>;

/** Background jobs (turns, connector calls) in this process. */
export const JobsConfigSchema = z.strictObject({
  /** Jobs run at once by each process. */
  concurrency: z.number().int().min(1).max(256).default(8),
  /** Due jobs (retries, scheduled ones) are looked for at least this often. */
  pollIntervalMs: z.number().int().min(50).max(60_000).default(1000),
  /** PostgreSQL: how often jobs of a process that died are looked for. */
  recoveryIntervalSeconds: z.number().int().min(1).max(3600).default(5),
});
export type JobsConfig = z.infer<typeof JobsConfigSchema>;

/**
 * A deployment's configuration file (`switchboard.yaml`): where its store and workflows are, its connectors
 * (each validated by the connector's own schema when the registry is built), its global guardrails (a workflow's
 * `guardrails` override them), the HTTP service and the jobs. Relative paths are read from the file's folder.
 * Models and the knowledge base are not here: they live in the store, versioned (`nlu import`, `kb import`).
 * Validated once at start-up; every problem is listed with its line. Nothing demo is wired unless asked for:
 * the demo shop is a connector like any other, the demo workflows are `workflows: { demo: true }`.
 *
 * @example
 * // switchboard.yaml
 * //   store: { url: ./switchboard.db }
 * //   workflows: { dir: workflows }
 * //   guardrails: { maxExchangesWithoutProgress: 4, negativeSentimentBelow: -0.6 }
 * //   connectors:
 * //     demo-shop: { baseUrl: http://127.0.0.1:4010 }
 * //   server: { port: 8080, corsOrigins: [https://shop.example.com] }
 * const config = loadConfigFile('switchboard.yaml');
 */
export const SwitchboardConfigSchema = z.strictObject({
  store: z
    .strictObject({
      /** A SQLite file (relative to this file), or a postgres:// URL. DATABASE_URL overrides it. */
      url: z.string().min(1),
    })
    .optional(),
  nlu: z
    .strictObject({ model: z.string().optional() })
    .refine((nlu) => nlu.model === undefined, {
      message:
        'models live in the store now (several processes share them): import the file with `switchboard nlu import FILE --activate` and remove nlu.model',
      path: ['model'],
    })
    .optional(),
  workflows: z
    .strictObject({
      /** The folder of workflow files, relative to this file. */
      dir: z.string().min(1).optional(),
      /** The seven demo workflows shipped with Switchboard (they need the demo-shop connector). */
      demo: z.boolean().optional(),
    })
    .refine((w) => !(w.dir !== undefined && w.demo === true), {
      message: 'either dir or demo: true, not both',
    })
    .optional(),
  guardrails: GuardrailOverridesSchema.optional(),
  /** Connector name -> its config; checked against each connector's schema by the registry. */
  connectors: z.record(z.string(), z.unknown()).optional(),
  /** Channel name -> a helpdesk the bot answers inside (Chatwoot, Zendesk, Intercom); checked by the channel registry. */
  channels: z.record(z.string(), z.unknown()).optional(),
  /** Learning from agents (docs/learning.md): the conversation tests every retrained model must pass. */
  learning: z
    .strictObject({
      /** A folder of conversation tests, relative to this file. */
      tests: z.string().min(1).optional(),
      /** The demo's own tests (examples/conversation-tests), for the demo workflows. */
      demoTests: z.boolean().optional(),
    })
    .refine((l) => !(l.tests !== undefined && l.demoTests === true), {
      message: 'either tests or demoTests: true, not both',
    })
    .optional(),
  server: ServerConfigSchema.optional(),
  jobs: JobsConfigSchema.optional(),
  /** Personal data in reports and exports (docs/security.md): `redact: false` shows customer text as written. */
  privacy: z.strictObject({ redact: z.boolean().default(true) }).optional(),
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
  const { doc, value, lineCounter } = loadYaml({ text, file, code: 'config.syntax' });
  if (doc.contents !== null && !isMap(doc.contents)) {
    throw new UserError('config.invalid', 'the configuration must be a mapping of sections', {
      file,
      line: 1,
    });
  }
  const parsed = SwitchboardConfigSchema.safeParse(value ?? {});
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

function lineOf(doc: Document.Parsed, lineCounter: LineCounter, path: PropertyKey[]): { line?: number } {
  for (let n = path.length; n >= 0; n--) {
    const node = doc.getIn(path.slice(0, n) as (string | number)[], true) as
      | { range?: [number, number, number] }
      | undefined;
    if (node?.range) return { line: lineCounter.linePos(node.range[0]).line };
  }
  return {};
}
