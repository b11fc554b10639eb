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

export type { ConnectorCaller } from '../connectors/index.ts';

export interface BuildConnectorRegistryProps {
  /** The deployment config; only its `connectors` section is read. */
  config: { connectors?: unknown };
  clock: Clock;
  logger: Logger;
  /** Passed through to the registry (tests skip the backoff waits). */
  sleep?: (ms: number) => Promise<void>;
}

/**
 * The start-up wiring: one registry from the config object, no globals, no glob loading. Only the connectors the
 * configuration names are there: a deployment that configures none has none (the demo shop included: the demo
 * deployment of `npm start` asks for it). Throws a UserError listing every problem (an unknown connector name,
 * or each connector's own config problems).
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
  for (const definition of BUILT_IN) {
    const value = connectors[definition.name as keyof typeof connectors];
    if (value !== undefined) entries.push({ definition, config: value ?? {} });
  }
  return createConnectorRegistry({ connectors: entries, clock, logger, ...(sleep ? { sleep } : {}) });
}

/** The demo shop answered in process: what replay, the tour and the benchmarks use (never a live system). */
export const DEMO_SHOP_IN_PROCESS = { 'demo-shop': {} } as const;

/**
 * The connectors a replay may use: never a live system. The demo shop, when the deployment configures it, answers
 * in process (whatever its baseUrl); every other connector is left out, so a workflow step calling it fails as a
 * refused call would and the replay counts where that leads.
 *
 * @example
 * replayTickets({ ...props, connectors: replayConnectors({ config: deployment.config, clock, logger }) });
 */
export function replayConnectors(props: {
  config: { connectors?: Record<string, unknown> };
  clock: Clock;
  logger: Logger;
}): ConnectorRegistry {
  const demo = props.config.connectors?.['demo-shop'] !== undefined;
  return buildConnectorRegistry({
    config: { connectors: demo ? DEMO_SHOP_IN_PROCESS : {} },
    clock: props.clock,
    logger: props.logger,
  });
}
