import type { z } from 'zod';
import type { Clock, Logger, Result } from '../shared/index.ts';

/**
 * A connector: a versioned description (name, version, config schema, operations with zod input and output
 * schemas) plus small functions `(ctx, input) => Promise<Result>`. No classes, no `this`: the registry
 * (`registry.ts`) validates config once at start-up and hands each operation its context.
 *
 * @example
 * const ping = defineConnector({
 *   name: 'ping',
 *   version: 1,
 *   description: 'Answers pong.',
 *   config: z.object({}),
 *   operations: {
 *     ping: defineOperation({
 *       description: 'Says pong.',
 *       input: z.object({ name: z.string() }),
 *       output: z.object({ reply: z.string() }),
 *       run: async (_ctx, input) => ok({ reply: `pong ${input.name}` }),
 *     }),
 *   },
 * });
 */
export interface ConnectorContext<Config> {
  /** The connector's validated configuration (secrets included: never log it). */
  config: Config;
  /** Aborted when the call's timeout passes. */
  signal: AbortSignal;
  /**
   * The same for every attempt and every retry of one workflow call, and for no other call: a connector that
   * changes something (a refund, an email) passes it on (an `Idempotency-Key` header, a request id) or keeps it
   * itself, so a call repeated after a crash is done once.
   */
  idempotencyKey?: string;
  clock: Clock;
  logger: Logger;
}

/** Why an operation failed. `retryable` failures (timeouts, 5xx, refused connections) are retried with backoff. */
export interface ConnectorFailure {
  code: string;
  message: string;
  retryable: boolean;
}

export interface ConnectorOperation<Config, Input, Output> {
  description: string;
  input: z.ZodType<Input>;
  output: z.ZodType<Output>;
  run(ctx: ConnectorContext<Config>, input: Input): Promise<Result<Output, ConnectorFailure>>;
}

/** An operation with its types erased, as the registry stores it. */
export interface AnyOperation<Config> {
  description: string;
  input: z.ZodType;
  output: z.ZodType;
  run(ctx: ConnectorContext<Config>, input: unknown): Promise<Result<unknown, ConnectorFailure>>;
}

export interface ConnectorDefinition<Config> {
  name: string;
  version: number;
  description: string;
  config: z.ZodType<Config>;
  operations: Record<string, AnyOperation<Config>>;
  /**
   * Operations declared by the configuration itself (the `http` connector's named requests). The registry
   * calls this once, after validating the config, and adds the result to `operations`; a name already in
   * `operations` is a config error.
   */
  operationsFromConfig?(config: Config): Record<string, AnyOperation<Config>>;
  /**
   * The values of the configuration that must never be stored or shown (tokens, passwords, the headers made
   * from them). The registry takes them out of every result before a workflow stores it.
   *
   * @example
   * secrets: (config) => [config.apiToken, `Bearer ${config.apiToken}`],
   */
  secrets?(config: Config): string[];
}

/** Types an operation's `run` from its schemas, then erases them for the connector's record. */
export function defineOperation<Config, Input, Output>(
  op: ConnectorOperation<Config, Input, Output>,
): AnyOperation<Config> {
  return op as unknown as AnyOperation<Config>;
}

export function defineConnector<Config>(
  definition: ConnectorDefinition<Config>,
): ConnectorDefinition<Config> {
  return definition;
}

/** What `workflows check` needs to know about the connectors of a deployment. */
export interface ConnectorCatalogue {
  connectors: Array<{
    name: string;
    version: number;
    operations: Array<{
      name: string;
      inputFields: string[];
      requiredInputFields: string[];
      outputFields: string[];
    }>;
  }>;
}
