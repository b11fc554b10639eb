export {
  type AbcdCall,
  type AbcdConfig,
  AbcdConfigSchema,
  type AbcdConnectorProps,
  AbcdOutputSchema,
  abcdCatalogueEntry,
  abcdConnector,
} from './connector.ts';
