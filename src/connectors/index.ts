export { type CapturedLine, capturingLogger } from './capturing-logger.ts';
export { type CatalogueEntry, describeConnector } from './catalogue.ts';
export * from './connector.ts';
export { type FetchJsonProps, fetchJson, type JsonResponse } from './fetch-json.ts';
export {
  type ConnectorCall,
  type ConnectorCaller,
  type ConnectorCallOutcome,
  type ConnectorEntry,
  type ConnectorRegistry,
  type ConnectorRegistryOptions,
  createConnectorRegistry,
} from './registry.ts';
