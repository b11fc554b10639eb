import { z } from 'zod';
import { demoShopConnector } from '../connectors/demo-shop/index.ts';
import { helpdeskConnector } from '../connectors/helpdesk/index.ts';
import { httpConnector } from '../connectors/http/index.ts';
import {
  type ConnectorCatalogue,
  type ConnectorDefinition,
  type ConnectorEntry,
  type ConnectorRegistry,
  createConnectorRegistry,
  describeConnector,
} from '../connectors/index.ts';
import { type Clock, type Logger, UserError } from '../shared/index.ts';

/** The connectors this build ships, in catalogue order. */
const BUILT_IN: ReadonlyArray<ConnectorDefinition<unknown>> = [
  httpConnector,
  demoShopConnector,
  helpdeskConnector,
];

/**
 * The built-in connectors and their static operations, for `workflows check` when no deployment config is at
 * hand. The `http` connector lists only its generic `request` here; its configured operations appear in
 * `registry.catalogue()`.
 */
export function builtInConnectorCatalogue(): ConnectorCatalogue {
  return { connectors: BUILT_IN.map((definition) => describeConnector(definition)) };
}

/**
 * The deployment's `connectors` section: one optional key per built-in connector. Each value is checked by
 * its connector's own schema when the registry is built, so every problem is listed at once.
 */
export const ConnectorsConfigSchema = z.strictObject({
  'demo-shop': z.unknown().optional(),
  http: z.unknown().optional(),
  helpdesk: z.unknown().optional(),
});
export type ConnectorsConfig = z.infer<typeof ConnectorsConfigSchema>;

/** What the conversation runtime needs of the registry. */
export type ConnectorCaller = Pick<ConnectorRegistry, 'call'>;

export interface BuildConnectorRegistryProps {
  /** The deployment config; only its `connectors` section is read. */
  config: { connectors?: unknown };
  clock: Clock;
  logger: Logger;
  /** Passed through to the registry (tests skip the backoff waits). */
  sleep?: (ms: number) => Promise<void>;
}

/**
 * The start-up wiring: one registry from the config object, no globals, no glob loading. With nothing
 * configured, the demo shop answers in-process, which is what the benchmark and `npm start` use. Throws a
 * UserError listing every problem (an unknown connector name, or each connector's own config problems).
 *
 * @example
 * const registry = buildConnectorRegistry({
 *   config: { connectors: { helpdesk: { baseUrl, email, apiToken } } },
 *   clock: systemClock,
 *   logger,
 * });
 */
export function buildConnectorRegistry({
  config,
  clock,
  logger,
  sleep,
}: BuildConnectorRegistryProps): ConnectorRegistry {
  const parsed = ConnectorsConfigSchema.safeParse(config.connectors ?? {});
  if (!parsed.success) {
    const known = BUILT_IN.map((d) => d.name).join(', ');
    const lines = parsed.error.issues.map((issue) => {
      const keys = issue.code === 'unrecognized_keys' ? issue.keys.join(', ') : '';
      return keys
        ? `  connectors: unknown connector ${keys} (built in: ${known})`
        : `  connectors: ${issue.message}`;
    });
    throw new UserError('connectors.invalid_config', `connector config has problems:\n${lines.join('\n')}`, {
      field: 'connectors',
    });
  }
  const connectors = parsed.data;
  const entries: ConnectorEntry[] = [];
  if (connectors.http !== undefined) entries.push({ definition: httpConnector, config: connectors.http });
  if (
    connectors['demo-shop'] !== undefined ||
    (connectors.http === undefined && connectors.helpdesk === undefined)
  ) {
    entries.push({ definition: demoShopConnector, config: connectors['demo-shop'] ?? {} });
  }
  if (connectors.helpdesk !== undefined)
    entries.push({ definition: helpdeskConnector, config: connectors.helpdesk });
  return createConnectorRegistry({ connectors: entries, clock, logger, ...(sleep ? { sleep } : {}) });
}
