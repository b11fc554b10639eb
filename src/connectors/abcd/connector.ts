import { z } from 'zod';
import type { AbcdAction } from '../../abcd/index.ts';
import { ok } from '../../shared/index.ts';
import { type CatalogueEntry, describeConnector } from '../catalogue.ts';
import {
  type AnyOperation,
  type ConnectorDefinition,
  defineConnector,
  defineOperation,
} from '../connector.ts';

/** One call the connector received, in the order received. */
export interface AbcdCall {
  operation: string;
  input: Record<string, string>;
}

/** `refuse`: actions that answer `done: false` (an identity that does not match, a purchase not found). */
export const AbcdConfigSchema = z.strictObject({ refuse: z.array(z.string()).default([]) });
export type AbcdConfig = z.output<typeof AbcdConfigSchema>;

export const AbcdOutputSchema = z.object({
  /** Whether the action went through; a workflow escalates when it did not. */
  done: z.boolean(),
  /** What the agent would tell the customer; the answer for FAQ and policy actions. */
  message: z.string(),
});

export interface AbcdConnectorProps {
  /** The ontology's actions (`readAbcdData(dir).actions`): one operation each, named as in ABCD. */
  actions: readonly AbcdAction[];
  /** Told about every call, in order, after its input validated. */
  record?: (call: AbcdCall) => void;
}

const words = (name: string) => name.replaceAll('-', ' ');

/**
 * ABCD's agent actions as an in-process connector: the buttons of the dataset's agent interface have no
 * back end, so each operation checks its input (a `kb_query` action needs every slot value of its form, the
 * others take any of theirs), records the call and answers `done` unless the config refuses the action.
 *
 * @example
 * const calls: AbcdCall[] = [];
 * const definition = abcdConnector({ actions: readAbcdData(dir).actions, record: (c) => calls.push(c) });
 * const registry = createConnectorRegistry({ connectors: [{ definition, config: {} }], clock, logger });
 * await registry.call({ connector: 'abcd', version: 1, operation: 'pull-up-account',
 *   input: { customer_name: 'Joyce Wu' }, timeoutMs: 1000, retries: 0 });
 * // calls: [{ operation: 'pull-up-account', input: { customer_name: 'Joyce Wu' } }]
 */
export function abcdConnector(props: AbcdConnectorProps): ConnectorDefinition<AbcdConfig> {
  const operations: Record<string, AnyOperation<AbcdConfig>> = {};
  for (const action of props.actions) {
    const field = action.kind === 'kb_query' ? z.string().min(1) : z.string().optional();
    const shape = Object.fromEntries(action.slots.map((slot) => [slot, field]));
    operations[action.name] = defineOperation<
      AbcdConfig,
      Record<string, string | undefined>,
      z.output<typeof AbcdOutputSchema>
    >({
      description: `ABCD's ${action.kind} action ${action.name}.`,
      input: z.strictObject(shape),
      output: AbcdOutputSchema,
      run: async (ctx, input) => {
        const given = Object.fromEntries(
          Object.entries(input).filter((entry): entry is [string, string] => entry[1] !== undefined),
        );
        props.record?.({ operation: action.name, input: given });
        const done = !ctx.config.refuse.includes(action.name);
        return ok({
          done,
          message: done ? `Done: ${words(action.name)}.` : `Refused: ${words(action.name)}.`,
        });
      },
    });
  }
  return defineConnector<AbcdConfig>({
    name: 'abcd',
    version: 1,
    description: "The agent actions of ABCD (ASAPP's Action-Based Conversations Dataset), in process.",
    config: AbcdConfigSchema,
    operations,
  });
}

/**
 * The connector's entry for `workflows check` (`checkWorkflows({ catalogue: { connectors: [entry] } })`).
 *
 * @example
 * const entry = abcdCatalogueEntry(readAbcdData(dir).actions);
 * entry.operations.find((o) => o.name === 'verify-identity')?.requiredInputFields;
 * // ['customer_name', 'account_id', 'order_id', 'zip_code']
 */
export function abcdCatalogueEntry(actions: readonly AbcdAction[]): CatalogueEntry {
  return describeConnector(abcdConnector({ actions }));
}
