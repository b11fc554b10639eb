import { z } from 'zod';
import { err, ok, type Result } from '../../shared/index.ts';
import {
  type AnyOperation,
  type ConnectorContext,
  type ConnectorFailure,
  defineConnector,
  defineOperation,
} from '../connector.ts';
import { fetchJson } from '../fetch-json.ts';
import { compileMapping, compilePathTemplate, compileTemplate, readPath } from './templates.ts';

export const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

/** A path below `baseUrl`: no scheme, no `//host`, so a request can never leave the configured service. */
const RelativePath = z
  .string()
  .min(1)
  .refine(
    (path) => !/^[a-z][a-z0-9+.-]*:/i.test(path) && !path.startsWith('//'),
    'a path is relative to baseUrl',
  );

const OperationNameSchema = z
  .string()
  .regex(/^[a-zA-Z][a-zA-Z0-9_]*$/, 'an operation name is letters, digits and _');

const HttpOperationShape = z.strictObject({
  description: z.string().optional(),
  method: z.enum(HTTP_METHODS),
  /** Liquid over the call's input; every output is URL-encoded: `/orders/{{ orderNumber }}`. */
  path: RelativePath,
  /** Query parameters; values are Liquid templates over the input. */
  query: z.record(z.string(), z.string()).optional(),
  /** A JSON mapping: strings are Liquid templates; `"{{ amount }}"` alone keeps the input's type. */
  body: z.json().optional(),
  /**
   * Output key -> dotted path into the JSON response (`order.status`, `orders.length`); a missing path gives
   * null. Without it the operation answers `{ status, body }`.
   */
  output: z.record(z.string(), z.string().min(1)).optional(),
});

/** Liquid parse errors in one operation's templates, at the config path they sit at. */
function operationTemplateIssues(op: HttpOperationConfig, ctx: z.RefinementCtx): void {
  const check = (path: PropertyKey[], compile: () => unknown) => {
    try {
      compile();
    } catch (cause) {
      const reason = cause instanceof Error ? cause.message.split('\n')[0] : 'invalid template';
      ctx.addIssue({ code: 'custom', path, message: `not a valid template: ${reason}` });
    }
  };
  check(['path'], () => compilePathTemplate(op.path));
  for (const [key, value] of Object.entries(op.query ?? {}))
    check(['query', key], () => compileTemplate(value));
  if (op.body !== undefined) check(['body'], () => compileMapping(op.body));
}

export const HttpOperationConfigSchema = HttpOperationShape.superRefine(operationTemplateIssues);
export type HttpOperationConfig = z.infer<typeof HttpOperationShape>;

const StringRecord = z.record(z.string(), z.string());

/**
 * Header templates may only read `secrets.NAME` of a configured secret, and no operation may be called
 * `request`. Runs even when other fields are wrong, so one pass lists every problem.
 */
function crossFieldIssues(config: unknown, ctx: z.RefinementCtx): void {
  const value = config as Record<string, unknown>;
  const headers = StringRecord.safeParse(value.headers ?? {});
  const secrets = StringRecord.safeParse(value.secrets ?? {});
  if (headers.success && secrets.success) {
    for (const [name, template] of Object.entries(headers.data)) {
      const path = ['headers', name];
      let variables: string[];
      try {
        variables = compileTemplate(template).fullVariables;
      } catch (cause) {
        const reason = cause instanceof Error ? cause.message.split('\n')[0] : 'invalid template';
        ctx.addIssue({ code: 'custom', path, message: `not a valid template: ${reason}` });
        continue;
      }
      for (const variable of variables) {
        const [root, secret, ...rest] = variable.split('.');
        if (root !== 'secrets' || secret === undefined || rest.length > 0) {
          ctx.addIssue({ code: 'custom', path, message: 'a header may only use {{secrets.NAME}}' });
        } else if (!Object.hasOwn(secrets.data, secret)) {
          ctx.addIssue({ code: 'custom', path, message: `secrets.${secret} is not in secrets` });
        }
      }
    }
  }
  const operations = value.operations;
  if (operations !== null && typeof operations === 'object' && Object.hasOwn(operations, 'request')) {
    ctx.addIssue({
      code: 'custom',
      path: ['operations', 'request'],
      message: '"request" is the built-in generic operation',
    });
  }
}

export const HttpConfigSchema = z
  .strictObject({
    baseUrl: z.url({ protocol: /^https?$/ }),
    /** Sent with every request; values may use `{{secrets.NAME}}`. */
    headers: StringRecord.default({}),
    /** Never logged; only reachable from header templates. */
    secrets: StringRecord.default({}),
    operations: z.record(OperationNameSchema, HttpOperationConfigSchema).default({}),
    /** A cap on every request, whatever the workflow's own timeout. */
    timeoutMs: z.number().int().positive().max(120_000).optional(),
  })
  .superRefine(crossFieldIssues, {
    when: (payload) => payload.value !== null && typeof payload.value === 'object',
  });
export type HttpConfig = z.infer<typeof HttpConfigSchema>;

type Ctx = ConnectorContext<HttpConfig>;

function baseOf(config: HttpConfig): URL {
  return new URL(config.baseUrl.endsWith('/') ? config.baseUrl : `${config.baseUrl}/`);
}

/** Resolves a path below baseUrl; `..` that climbs out of it is refused. */
function resolve(config: HttpConfig, path: string): Result<URL, ConnectorFailure> {
  const base = baseOf(config);
  const url = new URL(path.replace(/^\/+/, ''), base);
  if (url.origin !== base.origin || !url.pathname.startsWith(base.pathname)) {
    return err({ code: 'bad_path', message: 'the path leaves baseUrl', retryable: false });
  }
  return ok(url);
}

/**
 * The configured headers (secrets rendered), and the call's idempotency key as `Idempotency-Key` (the IETF
 * draft's header, honoured by payment and commerce APIs) unless the configuration sets that header itself.
 */
function configHeaders(config: HttpConfig, idempotencyKey?: string): Record<string, string> {
  const context = { secrets: config.secrets };
  const headers = Object.fromEntries(
    Object.entries(config.headers).map(([name, value]) => [name, compileTemplate(value).render(context)]),
  );
  const named = Object.keys(headers).some((name) => name.toLowerCase() === 'idempotency-key');
  return idempotencyKey && !named ? { 'Idempotency-Key': idempotencyKey, ...headers } : headers;
}

function withTimeout(config: HttpConfig, signal: AbortSignal): AbortSignal {
  return config.timeoutMs === undefined
    ? signal
    : AbortSignal.any([signal, AbortSignal.timeout(config.timeoutMs)]);
}

const QueryValue = z.union([z.string(), z.number(), z.boolean()]);

const requestOperation = defineOperation({
  description:
    'Any request below baseUrl: method, path, query, headers and a JSON body; answers status and body.',
  input: z.object({
    method: z.enum(HTTP_METHODS).default('GET'),
    path: RelativePath,
    query: z.record(z.string(), QueryValue).optional(),
    headers: z.record(z.string(), z.string()).optional(),
    body: z.json().optional(),
  }),
  output: z.object({ status: z.number().int(), body: z.unknown() }),
  run: async (ctx: Ctx, input) => {
    const url = resolve(ctx.config, input.path);
    if (!url.ok) return url;
    for (const [key, value] of Object.entries(input.query ?? {}))
      url.value.searchParams.set(key, String(value));
    const res = await fetchJson({
      url: url.value,
      method: input.method,
      // Configured headers win: a workflow cannot replace the credentials.
      headers: { ...input.headers, ...configHeaders(ctx.config, ctx.idempotencyKey) },
      body: input.body,
      signal: withTimeout(ctx.config, ctx.signal),
    });
    return res.ok ? ok({ status: res.value.status, body: res.value.body }) : res;
  },
});

/** A template variable's value: anything but missing or null. */
const TemplateInput = z.union([
  z.string(),
  z.number(),
  z.boolean(),
  z.array(z.unknown()),
  z.record(z.string(), z.unknown()),
]);

/** One configured request as an operation; its input fields are the variables its templates read. */
function configuredOperation(op: HttpOperationConfig): AnyOperation<HttpConfig> {
  const path = compilePathTemplate(op.path);
  const query = Object.entries(op.query ?? {}).map(([key, value]) => [key, compileTemplate(value)] as const);
  const body = op.body === undefined ? undefined : compileMapping(op.body);
  const variables = new Set([
    ...path.variables,
    ...query.flatMap(([, template]) => template.variables),
    ...(body?.variables ?? []),
  ]);
  const output = op.output
    ? z.object(Object.fromEntries(Object.keys(op.output).map((key) => [key, z.unknown()])))
    : z.object({ status: z.number().int(), body: z.unknown() });

  return defineOperation({
    description: op.description ?? `${op.method} ${op.path}`,
    input: z.looseObject(Object.fromEntries([...variables].map((variable) => [variable, TemplateInput]))),
    output: output as z.ZodType<Record<string, unknown>>,
    run: async (ctx: Ctx, input: Record<string, unknown>) => {
      const url = resolve(ctx.config, path.render(input));
      if (!url.ok) return url;
      for (const [key, template] of query) url.value.searchParams.set(key, template.render(input));
      const res = await fetchJson({
        url: url.value,
        method: op.method,
        headers: configHeaders(ctx.config, ctx.idempotencyKey),
        body: body?.render(input),
        signal: withTimeout(ctx.config, ctx.signal),
      });
      if (!res.ok) return res;
      if (!op.output) return ok({ status: res.value.status, body: res.value.body });
      const mapped: Record<string, unknown> = {};
      for (const [key, dotted] of Object.entries(op.output))
        mapped[key] = readPath(res.value.body, dotted) ?? null;
      return ok(mapped);
    },
  });
}

/**
 * Calls any JSON API. The definition declares one generic operation, `request`; each entry of the config's
 * `operations` becomes an operation of its own (through `operationsFromConfig`), whose input fields are the
 * variables its templates read and whose output fields are the keys of its `output` map.
 *
 * @example
 * const config = {
 *   baseUrl: 'https://api.shop.example/v2',
 *   headers: { authorization: 'Bearer {{secrets.SHOP_TOKEN}}' },
 *   secrets: { SHOP_TOKEN: process.env.SHOP_TOKEN },
 *   operations: {
 *     orderStatus: { method: 'GET', path: '/orders/{{ orderNumber }}', output: { status: 'order.status' } },
 *   },
 * };
 * const registry = createConnectorRegistry({ connectors: [{ definition: httpConnector, config }], clock, logger });
 * await registry.call({ connector: 'http', version: 1, operation: 'orderStatus',
 *   input: { orderNumber: 'SB-100001' }, timeoutMs: 5000, retries: 2 });
 */
export const httpConnector = defineConnector<HttpConfig>({
  name: 'http',
  version: 1,
  description: 'Any JSON API: templated paths, headers with secrets, JSON mapping in and out.',
  config: HttpConfigSchema,
  operations: { request: requestOperation },
  // The secrets, and every header made from one (`Bearer {{secrets.token}}`), not the plain ones like Accept.
  secrets: (config) => {
    const rendered = configHeaders(config);
    const fromSecrets = Object.keys(config.headers).filter((name) =>
      config.headers[name]?.includes('secrets'),
    );
    return [...Object.values(config.secrets), ...fromSecrets.map((name) => rendered[name] ?? '')];
  },
  operationsFromConfig: (config) =>
    Object.fromEntries(
      Object.entries(config.operations).map(([name, op]) => [name, configuredOperation(op)]),
    ),
});
