import { existsSync } from 'node:fs';
import { loadExclusionRules } from '../audit/index.ts';
import { DEFAULT_GUARDRAILS, type GuardrailConfig } from '../domain/index.ts';
import { createNlu, type Nlu, readModelFile } from '../nlu/index.ts';
import { type Clock, type Logger, silentLogger, systemClock, UserError } from '../shared/index.ts';
import type { Store } from '../store/index.ts';
import {
  checkWorkflows,
  formatDiagnostic,
  loadWorkflowDir,
  sortDiagnostics,
  type WorkflowDefinition,
} from '../workflows/index.ts';
import { buildConnectorRegistry, builtInConnectorCatalogue } from './connectors.ts';
import {
  type ConversationRuntime,
  createConversationRuntime,
  type KnowledgeSearch,
} from './conversation-runtime.ts';
import { openKnowledge } from './knowledge.ts';
import { createTurnAnalyser } from './turn-analysis.ts';

export interface OpenConversationsOptions {
  store: Store;
  /** The NLU model file; without one every turn is out of scope and goes to a person. */
  modelFile?: string | null;
  workflowsDir: string;
  /** The `connectors` section of the configuration; each connector's own schema checks its part. */
  connectors?: unknown;
  guardrails?: GuardrailConfig;
  clock?: Clock;
  logger?: Logger;
  /** A knowledge-base index file (`kb import`); absent or missing: `answer` steps take their fallback. */
  knowledgeIndex?: string;
  searchKnowledge?: KnowledgeSearch;
}

export interface OpenedConversations {
  runtime: ConversationRuntime;
  nlu: Nlu | null;
  workflows: WorkflowDefinition[];
}

/**
 * Wires a conversation runtime from a deployment's parts: the NLU model, the workflows (loaded and checked:
 * a set with errors is refused, listing every problem), the exclusion rules, the connectors and the
 * guardrails. The one place that picks them.
 *
 * @example
 * const { runtime } = openConversations({ store, modelFile: '.switchboard/nlu.model.json', workflowsDir: 'workflows' });
 */
export function openConversations(options: OpenConversationsOptions): OpenedConversations {
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? silentLogger;
  let nlu: Nlu | null = null;
  if (options.modelFile) {
    if (!existsSync(options.modelFile)) {
      throw new UserError('nlu.no_model', 'no NLU model file here (train one with `switchboard nlu train`)', {
        file: options.modelFile,
      });
    }
    nlu = createNlu({ model: readModelFile(options.modelFile) });
  }
  const loaded = loadWorkflowDir(options.workflowsDir);
  const diagnostics = sortDiagnostics([
    ...loaded.diagnostics,
    ...checkWorkflows({
      workflows: loaded.workflows,
      catalogue: builtInConnectorCatalogue(),
      ...(nlu ? { knownIntents: nlu.model.labels } : {}),
    }),
  ]).filter((d) => d.severity === 'error');
  if (diagnostics.length > 0) {
    throw new UserError(
      'workflows.invalid',
      `the workflows in ${options.workflowsDir} have ${diagnostics.length} error(s):\n${diagnostics
        .map((d) => `  ${formatDiagnostic(d)}`)
        .join('\n')}`,
      { file: options.workflowsDir },
    );
  }
  const workflows = loaded.workflows.map((w) => w.definition);
  const searchKnowledge =
    options.searchKnowledge ?? (options.knowledgeIndex ? openKnowledge(options.knowledgeIndex) : null);
  const connectors = buildConnectorRegistry({
    config: { connectors: options.connectors ?? {} },
    clock,
    logger,
  });
  const runtime = createConversationRuntime({
    store: options.store,
    analyse: createTurnAnalyser({ nlu, exclusions: loadExclusionRules() }),
    workflows,
    connectors,
    guardrails: options.guardrails ?? DEFAULT_GUARDRAILS,
    clock,
    logger,
    ...(searchKnowledge ? { searchKnowledge } : {}),
  });
  return { runtime, nlu, workflows };
}
