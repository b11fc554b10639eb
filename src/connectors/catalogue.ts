import { z } from 'zod';
import type { AnyOperation, ConnectorCatalogue, ConnectorDefinition } from './connector.ts';

export type CatalogueEntry = ConnectorCatalogue['connectors'][number];

/** The top-level keys of an object schema; any other schema has no named fields. */
function objectShape(schema: z.ZodType): Record<string, z.ZodType> {
  return schema instanceof z.ZodObject ? (schema.shape as Record<string, z.ZodType>) : {};
}

/** A field is required when its schema refuses `undefined` (optional and defaulted fields accept it). */
const isRequired = (field: z.ZodType) => !field.safeParse(undefined).success;

/**
 * Describes a connector for `workflows check`: each operation's input fields (and which are required) and output
 * fields, read from the zod object shapes. `operations` defaults to the definition's static ones; the registry
 * passes the full set, config-declared operations included.
 *
 * @example
 * describeConnector(pingConnector).operations[0];
 * // { name: 'ping', inputFields: ['name'], requiredInputFields: ['name'], outputFields: ['reply'] }
 */
export function describeConnector<Config>(
  definition: ConnectorDefinition<Config>,
  operations: Record<string, AnyOperation<Config>> = definition.operations,
): CatalogueEntry {
  return {
    name: definition.name,
    version: definition.version,
    operations: Object.entries(operations).map(([name, operation]) => {
      const input = objectShape(operation.input);
      return {
        name,
        inputFields: Object.keys(input),
        requiredInputFields: Object.entries(input)
          .filter(([, field]) => isRequired(field))
          .map(([key]) => key),
        outputFields: Object.keys(objectShape(operation.output)),
      };
    }),
  };
}
