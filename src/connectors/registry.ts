import type { z } from 'zod';
import { type Clock, err, type Logger, ok, type Result, seededRandom, UserError } from '../shared/index.ts';
import { describeConnector } from './catalogue.ts';
import type { AnyOperation, ConnectorCatalogue, ConnectorDefinition, ConnectorFailure } from './connector.ts';
import { scrubSecrets } from './scrub-secrets.ts';

/** A connector and its raw config (from a file or the environment), validated by `createConnectorRegistry`. */
export interface ConnectorEntry {
  definition: ConnectorDefinition<unknown>;
  config: unknown;
}

export interface ConnectorRegistryOptions {
  connectors: ConnectorEntry[];
  clock: Clock;
  logger: Logger;
  /** Waits between attempts; tests pass one that records the delays and returns at once. */
  sleep?: (ms: number) => Promise<void>;
  /** The jitter's source, in [0, 1); defaults to a seeded generator so runs are reproducible. */
  random?: () => number;
  /** The first retry waits about `baseDelayMs`, each next one twice as long, capped at `maxDelayMs`. */
  baseDelayMs?: number;
  maxDelayMs?: number;
}

/** One call, as a workflow's `call` step describes it. */
export interface ConnectorCall {
  connector: string;
  /** The connector version the workflow was written for; a different one is refused. */
  version: number;
  operation: string;
  input: unknown;
  /** Per attempt. */
  timeoutMs: number;
  /** Attempts after the first, for retryable failures only. */
  retries: number;
  /** Handed to the operation (`ctx.idempotencyKey`): every attempt of this call carries it. */
  idempotencyKey?: string;
}

/**
 * What a call came to: the operation's validated output or the last failure, how many attempts it took and how
 * long they took in all (backoff waits included), for the handoff packet and the benchmark.
 */
export interface ConnectorCallOutcome {
  result: Result<unknown, ConnectorFailure>;
  attempts: number;
  durationMs: number;
}

export interface ConnectorRegistry {
  call(call: ConnectorCall): Promise<ConnectorCallOutcome>;
  /** Every connector with every operation, config-declared ones included. */
  catalogue(): ConnectorCatalogue;
}

/** What the conversation runtime needs of the registry. */
export type ConnectorCaller = Pick<ConnectorRegistry, 'call'>;

/** At most this many retries whatever a call asks for: a runaway setting cannot hammer a service. */
const MAX_RETRIES = 10;

interface Registered {
  definition: ConnectorDefinition<unknown>;
  config: unknown;
  operations: Record<string, AnyOperation<unknown>>;
  /** The config's secrets (`definition.secrets`), taken out of every result. */
  secrets: string[];
}

const fieldOf = (path: readonly PropertyKey[]) => path.map(String).join('.');

/** Zod issues as `field: message` lines; zod's messages name types and keys, never the values themselves. */
function describeIssues(prefix: string, error: z.ZodError): Array<{ field: string; message: string }> {
  return error.issues.map((issue) => ({
    field: [prefix, fieldOf(issue.path)].filter(Boolean).join('.'),
    message: issue.message,
  }));
}

function register(entries: ConnectorEntry[]): Map<string, Registered> {
  const problems: Array<{ field: string; message: string }> = [];
  const registered = new Map<string, Registered>();
  for (const { definition, config } of entries) {
    const prefix = `connectors.${definition.name}`;
    if (registered.has(definition.name)) {
      problems.push({ field: prefix, message: `connector "${definition.name}" is configured twice` });
      continue;
    }
    const parsed = definition.config.safeParse(config);
    if (!parsed.success) {
      problems.push(...describeIssues(prefix, parsed.error));
      continue;
    }
    const operations = { ...definition.operations };
    for (const [name, operation] of Object.entries(definition.operationsFromConfig?.(parsed.data) ?? {})) {
      if (Object.hasOwn(operations, name)) {
        problems.push({
          field: `${prefix}.operations.${name}`,
          message: `"${name}" is a built-in operation`,
        });
      }
      operations[name] = operation;
    }
    const secrets = definition.secrets?.(parsed.data) ?? [];
    registered.set(definition.name, { definition, config: parsed.data, operations, secrets });
  }
  if (problems.length > 0) {
    const lines = problems.map((p) => `  ${p.field}: ${p.message}`).join('\n');
    const noun = problems.length === 1 ? 'problem' : 'problems';
    throw new UserError(
      'connectors.invalid_config',
      `connector config has ${problems.length} ${noun}:\n${lines}`,
      {
        field: problems[0]!.field,
      },
    );
  }
  return registered;
}

const failure = (code: string, message: string, retryable = false): ConnectorFailure => ({
  code,
  message,
  retryable,
});

/**
 * Builds the registry once at start-up: validates every connector's config (listing every problem in one
 * UserError), then runs calls with input validation, a timeout per attempt, retries with exponential backoff
 * and jitter for retryable failures, and output validation. Logs connector, operation, attempt, duration and
 * failure code only: never inputs, outputs or config, which hold customer data and secrets.
 *
 * @example
 * const registry = createConnectorRegistry({
 *   connectors: [{ definition: demoShopConnector, config: {} }],
 *   clock: systemClock,
 *   logger: silentLogger,
 * });
 * const { result, attempts } = await registry.call({
 *   connector: 'demo-shop', version: 1, operation: 'getOrder',
 *   input: { orderNumber: 'SB-100001' }, timeoutMs: 2000, retries: 2,
 * });
 */
export function createConnectorRegistry(options: ConnectorRegistryOptions): ConnectorRegistry {
  const { clock, logger } = options;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const random = options.random ?? seededRandom(0x5b);
  const baseDelayMs = options.baseDelayMs ?? 200;
  const maxDelayMs = options.maxDelayMs ?? 5000;
  const registered = register(options.connectors);
  const catalogue: ConnectorCatalogue = {
    connectors: [...registered.values()].map((r) => describeConnector(r.definition, r.operations)),
  };

  /** "Equal jitter": half the exponential delay for sure, the other half at random, so retries spread out. */
  const backoffMs = (retry: number) => {
    const delay = Math.min(maxDelayMs, baseDelayMs * 2 ** (retry - 1));
    return Math.round(delay / 2 + random() * (delay / 2));
  };

  async function attempt(
    target: Registered,
    operation: AnyOperation<unknown>,
    input: unknown,
    timeoutMs: number,
    idempotencyKey: string | undefined,
  ): Promise<Result<unknown, ConnectorFailure>> {
    const controller = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    // The race answers at the deadline even when an operation ignores its signal.
    const deadline = new Promise<Result<unknown, ConnectorFailure>>((resolve) => {
      timer = setTimeout(() => {
        controller.abort();
        resolve(err(failure('timeout', `no answer within ${timeoutMs} ms`, true)));
      }, timeoutMs);
    });
    const running = operation
      .run(
        {
          config: target.config,
          signal: controller.signal,
          clock,
          logger,
          ...(idempotencyKey !== undefined ? { idempotencyKey } : {}),
        },
        input,
      )
      .catch((cause: unknown) => {
        const name = cause instanceof Error ? cause.name : typeof cause;
        return err(failure('connector_error', `the connector threw ${name}`));
      });
    try {
      return await Promise.race([running, deadline]);
    } finally {
      clearTimeout(timer);
    }
  }

  async function call(request: ConnectorCall): Promise<ConnectorCallOutcome> {
    const started = clock.now();
    const done = (result: Result<unknown, ConnectorFailure>, attempts: number): ConnectorCallOutcome => ({
      result,
      attempts,
      durationMs: clock.now() - started,
    });
    const target = registered.get(request.connector);
    if (!target) {
      return done(err(failure('unknown_connector', `no connector "${request.connector}" is configured`)), 0);
    }
    const { definition } = target;
    if (request.version !== definition.version) {
      const message = `the workflow was written for ${definition.name} v${request.version}; this deployment has v${definition.version}`;
      return done(err(failure('version_mismatch', message)), 0);
    }
    const operation = Object.hasOwn(target.operations, request.operation)
      ? target.operations[request.operation]
      : undefined;
    if (!operation) {
      return done(
        err(failure('unknown_operation', `${definition.name} has no operation "${request.operation}"`)),
        0,
      );
    }
    const input = operation.input.safeParse(request.input);
    if (!input.success) {
      const fields = describeIssues('', input.error).map(
        (i) => `input field ${i.field || '(root)'}: ${i.message}`,
      );
      return done(err(failure('invalid_input', fields.join('; '))), 0);
    }

    const retries = Math.max(0, Math.min(MAX_RETRIES, Math.floor(request.retries)));
    const fields = { connector: definition.name, operation: request.operation };
    // A service may echo a credential (an Authorization header, the token in a message): the result is stored
    // in the conversation and shown in the handoff, so secrets leave it here.
    const scrubbed = (result: Result<unknown, ConnectorFailure>): Result<unknown, ConnectorFailure> =>
      result.ok
        ? ok(scrubSecrets(result.value, target.secrets))
        : err({ ...result.error, message: scrubSecrets(result.error.message, target.secrets) });
    let attempts = 0;
    for (;;) {
      attempts++;
      const attemptStarted = clock.now();
      let result = await attempt(target, operation, input.data, request.timeoutMs, request.idempotencyKey);
      if (result.ok) {
        const output = operation.output.safeParse(result.value);
        result = output.success
          ? ok(output.data)
          : err(
              failure(
                'bad_output',
                describeIssues('', output.error)
                  .map((i) => `output field ${i.field || '(root)'}: ${i.message}`)
                  .join('; '),
              ),
            );
      }
      const durationMs = clock.now() - attemptStarted;
      if (result.ok) {
        logger.debug({ ...fields, attempt: attempts, durationMs }, 'connector call succeeded');
        return done(scrubbed(result), attempts);
      }
      const { code, retryable } = result.error;
      const willRetry = retryable && attempts <= retries;
      logger.warn({ ...fields, attempt: attempts, durationMs, code, willRetry }, 'connector call failed');
      if (!willRetry) return done(scrubbed(result), attempts);
      await sleep(backoffMs(attempts));
    }
  }

  return { call, catalogue: () => structuredClone(catalogue) };
}
