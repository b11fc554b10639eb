import { existsSync, statSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { createPeople, type People } from '../access/index.ts';
import { loadExclusionRules } from '../audit/index.ts';
import {
  buildChannels,
  type ChannelService,
  createChannelService,
  deliveryJobsOf,
} from '../channels/index.ts';
import {
  DEFAULT_CONFIG_FILE,
  type JobsConfig,
  JobsConfigSchema,
  loadConfigFile,
  type ServerConfig,
  ServerConfigSchema,
  type SwitchboardConfig,
} from '../config/index.ts';
import type { ConnectorRegistry } from '../connectors/index.ts';
import {
  type ConversationService,
  createConversationService,
  createTurnAnalyser,
  type KnowledgeSearch,
  type TurnAnalyser,
  type WorkflowSet,
  workflowSet,
} from '../conversations/index.ts';
import { type GuardrailConfig, GuardrailConfigSchema } from '../domain/index.ts';
import { createInbox, type Inbox } from '../inbox/index.ts';
import { createJobRunner, type JobAttempt, type JobRunner } from '../jobs/index.ts';
import { loadKnowledgeBase, parseKnowledgeIndex, readKnowledgeIndex } from '../kb/index.ts';
import { createNlu, type Nlu, parseModel, readModelFile } from '../nlu/index.ts';
import {
  createPilots,
  EMPTY_PILOT_STATE,
  foldPilotEvents,
  type PilotState,
  type Pilots,
  pilotDecisions,
} from '../pilots/index.ts';
import { type Clock, type Logger, silentLogger, systemClock, UserError } from '../shared/index.ts';
import type { Store } from '../store/index.ts';
import {
  checkWorkflows,
  formatDiagnostic,
  loadWorkflowDir,
  sortDiagnostics,
  type WorkflowDefinition,
} from '../workflows/index.ts';
import { buildConnectorRegistry } from './connectors.ts';
import { knowledgeSearchOf } from './knowledge.ts';
import { DEFAULT_DB_PATH, openStore } from './open-store.ts';
import { DEMO_CONVERSATION_TESTS_DIR, DEMO_WORKFLOWS_DIR } from './workflows-dir.ts';

/** How often every process checks the store for a newly activated model or knowledge base. */
export const RELOAD_INTERVAL_MS = 2000;

export interface OpenDeploymentProps {
  /** The validated configuration (`loadDeploymentConfig`). */
  config: SwitchboardConfig;
  /** The folder relative paths of the configuration are read from (the config file's folder). */
  baseDir: string;
  /** The file it came from, for messages. */
  configFile?: string | null;
  /** The environment (DATABASE_URL, SWITCHBOARD_PG_SCHEMA); modules never read process.env themselves. */
  env?: Readonly<Record<string, string | undefined>>;
  /**
   * Command-line overrides: `--db`, `--model FILE` / `--kb FILE` (a model or knowledge-base index file instead of
   * the store's active version), `--workflows DIR`.
   */
  overrides?: { db?: string; modelFile?: string; kbFile?: string; workflowsDir?: string };
  /**
   * `strict` (default): workflow errors stop the opening. `report`: the deployment opens and lists them in
   * `workflowErrors` (`switchboard start` prints its own check and stops there).
   */
  workflowCheck?: 'strict' | 'report';
  clock?: Clock;
  logger?: Logger;
}

/**
 * A deployment opened from its configuration: the one composition root every surface uses (CLI commands, the
 * HTTP service, workers). It picks the store, the connectors, the workflows (checked against those connectors
 * and the model's intents), the active NLU model and knowledge base (from the store, reloaded when another
 * version is activated anywhere), the conversation service and its job handlers.
 */
export interface Deployment {
  readonly config: SwitchboardConfig;
  readonly configFile: string | null;
  readonly server: ServerConfig;
  readonly jobs: JobsConfig;
  readonly store: Store;
  readonly clock: Clock;
  readonly logger: Logger;
  /** The global guardrails (the configuration's over the defaults); a workflow's own override them. */
  readonly guardrails: GuardrailConfig;
  readonly connectors: ConnectorRegistry;
  readonly workflows: readonly WorkflowDefinition[];
  readonly workflowSet: WorkflowSet;
  readonly workflowsDir: string | null;
  /** The conversation tests a retrained model must pass (`learning` in the configuration), or null. */
  readonly learningTestsDir: string | null;
  /** The workflows' errors, when opened with `workflowCheck: 'report'` (else there are none). */
  readonly workflowErrors: readonly string[];
  /** The active NLU model, or null (every request then goes to a person). */
  nlu(): Nlu | null;
  /** The active knowledge base, or null. */
  knowledge(): KnowledgeSearch | null;
  /** Versions in use: `file` when `--model` named a file. */
  versions(): { nlu: number | 'file' | null; kb: number | 'file' | null };
  /** Why an active version could not be loaded (written by another format version), when one could not. */
  problems(): { nlu?: string; kb?: string };
  readonly analyse: TurnAnalyser;
  readonly conversations: ConversationService;
  /** The helpdesks the bot answers inside (`channels` in the configuration): webhooks in, deliveries out. */
  readonly channels: ChannelService;
  /** The agent inbox's reads and actions (escalated conversations, take, reply, hand back, judge). */
  readonly inbox: Inbox;
  /** People of the web app: accounts, sign-in, sessions. */
  readonly people: People;
  /** Pilots per workflow and the kill switch (docs/pilots.md): read and changed in the store. */
  readonly pilots: Pilots;
  /** The pilot settings and kills this process applies now (reloaded with the models). */
  pilotState(): PilotState;
  /** Every job queue this deployment runs (conversations, connector calls, channels). */
  jobQueues(): string[];
  /** A job runner over the deployment's queues (all of them, or `queues`). */
  createRunner(options?: {
    concurrency?: number;
    queues?: readonly string[];
    onAttempt?: (a: JobAttempt) => void;
  }): JobRunner;
  /** Reads the active versions, pilot settings and kills now and loads what changed. */
  reload(): Promise<void>;
  /** Keeps reloading: on every change the store announces, and every RELOAD_INTERVAL_MS. */
  watch(): void;
  close(): Promise<void>;
}

/**
 * Reads `--config FILE`, else `./switchboard.yaml` when it exists, else an empty configuration (a deployment
 * with no connectors, no workflows unless `./workflows` exists, and the default store).
 *
 * @example
 * const { config, baseDir, configFile } = loadDeploymentConfig({ option: opts.config, cwd: process.cwd() });
 */
export function loadDeploymentConfig(props: { option?: string | undefined; cwd: string }): {
  config: SwitchboardConfig;
  baseDir: string;
  configFile: string | null;
} {
  const file = props.option
    ? resolve(props.cwd, props.option)
    : existsSync(resolve(props.cwd, DEFAULT_CONFIG_FILE))
      ? resolve(props.cwd, DEFAULT_CONFIG_FILE)
      : null;
  if (!file) return { config: {}, baseDir: props.cwd, configFile: null };
  return { config: loadConfigFile(file), baseDir: dirname(file), configFile: file };
}

/**
 * Opens a deployment. Every problem with the configuration, the connectors or the workflows is a UserError
 * listing all of them; nothing is written.
 *
 * @example
 * const { config, baseDir, configFile } = loadDeploymentConfig({ cwd: process.cwd() });
 * const deployment = await openDeployment({ config, baseDir, configFile, env: process.env });
 * const runner = deployment.createRunner();
 * runner.start();
 * deployment.watch();
 */
export async function openDeployment(props: OpenDeploymentProps): Promise<Deployment> {
  const { config, baseDir } = props;
  const clock = props.clock ?? systemClock;
  const logger = props.logger ?? silentLogger;
  const server = ServerConfigSchema.parse(config.server ?? {});
  const jobs = JobsConfigSchema.parse(config.jobs ?? {});
  const guardrails = GuardrailConfigSchema.parse(config.guardrails ?? {});

  // Everything that can be checked without the store first: a bad config writes nothing.
  const connectors = buildConnectorRegistry({
    config: { connectors: config.connectors ?? {} },
    clock,
    logger,
  });
  const channels = buildChannels({ config: config.channels ?? {}, env: props.env ?? {} });
  const workflowsDir = workflowsDirOf(props);
  const loaded = workflowsDir ? loadWorkflowDir(workflowsDir) : { workflows: [], diagnostics: [] };
  const fileModel = props.overrides?.modelFile
    ? readModelFile(resolve(baseDir, props.overrides.modelFile))
    : null;
  const fileKb = props.overrides?.kbFile
    ? knowledgeSearchOfFile(resolve(baseDir, props.overrides.kbFile))
    : null;

  const pgSchema = props.env?.SWITCHBOARD_PG_SCHEMA;
  const store = await openStore({
    db: storeTarget(props),
    ...(pgSchema ? { schema: pgSchema } : {}),
    clock,
    logger,
    jobRecoveryIntervalSeconds: jobs.recoveryIntervalSeconds,
    // A deployment is long-lived and answers customers: no commit of it waits for a checkpoint.
    checkpoints: 'background',
  });
  try {
    let nlu: Nlu | null = fileModel ? createNlu({ model: fileModel }) : null;
    let nluVersion: number | 'file' | null = fileModel ? 'file' : null;
    let kb: KnowledgeSearch | null = fileKb;
    let kbVersion: number | 'file' | null = fileKb ? 'file' : null;
    // An active version this build cannot read (another format version): kept out, and said.
    const problems: { nlu?: string; kb?: string } = {};
    const exclusions = loadExclusionRules();
    let analyser = createTurnAnalyser({ nlu, exclusions });

    // Pilot settings and kills: folded from the store's pilot events, read again when a newer one exists.
    let pilotState: PilotState = EMPTY_PILOT_STATE;
    let decisions = pilotDecisions(pilotState);
    const loadPilots = async () => {
      if ((await store.lastPilotEventId()) === pilotState.lastEventId) return;
      pilotState = foldPilotEvents(
        pilotState,
        await store.listPilotEvents({ afterId: pilotState.lastEventId }),
      );
      decisions = pilotDecisions(pilotState);
      logger.info(
        { pilots: pilotState.pilots.size, kills: pilotState.kills.size, event: pilotState.lastEventId },
        'pilot settings loaded',
      );
    };

    const load = async () => {
      await loadPilots();
      const active = await store.activeArtifacts();
      const wantedNlu = active['nlu-model'] ?? null;
      if (nluVersion !== 'file' && wantedNlu !== nluVersion) {
        const artifact = wantedNlu === null ? undefined : await store.getArtifact('nlu-model', wantedNlu);
        delete problems.nlu;
        try {
          nlu = artifact
            ? createNlu({ model: parseModel(artifact.content, `nlu-model v${artifact.version}`) })
            : null;
        } catch (error) {
          if (!(error instanceof UserError)) throw error;
          nlu = null;
          problems.nlu = error.describe();
          logger.error({ version: wantedNlu, code: error.code }, 'the active NLU model cannot be read');
        }
        nluVersion = artifact ? artifact.version : null;
        analyser = createTurnAnalyser({ nlu, exclusions });
        logger.info({ version: nluVersion }, 'NLU model loaded');
      }
      const wantedKb = active['kb-index'] ?? null;
      if (kbVersion !== 'file' && wantedKb !== kbVersion) {
        const artifact = wantedKb === null ? undefined : await store.getArtifact('kb-index', wantedKb);
        delete problems.kb;
        try {
          kb = artifact ? knowledgeSearchOfContent(artifact.content, `kb-index v${artifact.version}`) : null;
        } catch (error) {
          if (!(error instanceof UserError)) throw error;
          kb = null;
          problems.kb = error.describe();
          logger.error({ version: wantedKb, code: error.code }, 'the active knowledge base cannot be read');
        }
        kbVersion = artifact ? artifact.version : null;
        logger.info({ version: kbVersion }, 'knowledge base loaded');
      }
    };
    await load();

    const diagnostics = sortDiagnostics([
      ...loaded.diagnostics,
      ...checkWorkflows({
        workflows: loaded.workflows,
        catalogue: connectors.catalogue(),
        ...(nlu ? { knownIntents: (nlu as Nlu).model.labels } : {}),
      }),
    ]).filter((d) => d.severity === 'error');
    if (diagnostics.length > 0 && props.workflowCheck !== 'report') {
      throw new UserError(
        'workflows.invalid',
        `the workflows in ${workflowsDir} have ${diagnostics.length} error(s):\n${diagnostics
          .map((d) => `  ${formatDiagnostic(d)}`)
          .join('\n')}`,
        { file: workflowsDir ?? undefined },
      );
    }
    const workflows = loaded.workflows.map((w) => w.definition);
    const set = workflowSet(workflows);
    const analyse: TurnAnalyser = (text) => analyser(text);
    const conversations = createConversationService({
      store,
      analyse,
      workflows: set,
      connectors,
      guardrails,
      knowledge: () => kb,
      clock,
      logger,
      mode: 'durable',
      outbound: deliveryJobsOf(channels),
      modelVersion: () => nluVersion,
      pilots: () => decisions,
    });
    const channelService = createChannelService({ store, conversations, channels, clock, logger });
    const jobHandlers = () => ({ ...conversations.jobHandlers(), ...channelService.jobHandlers() });

    let reloading: Promise<void> | null = null;
    // A change heard while a reload runs may have come after that reload read the store: one more follows it (a
    // kill must not wait for the next poll).
    let again = false;
    const reload = (): Promise<void> => {
      if (reloading) {
        again = true;
        return reloading;
      }
      reloading = load()
        .catch((error: unknown) =>
          logger.error(
            { code: (error as { code?: string }).code ?? 'reload' },
            'cannot load the active model',
          ),
        )
        .finally(() => {
          reloading = null;
          if (again) {
            again = false;
            void reload();
          }
        });
      return reloading;
    };
    let stopWatching: (() => void) | null = null;

    return {
      config,
      configFile: props.configFile ?? null,
      server,
      jobs,
      store,
      clock,
      logger,
      guardrails,
      connectors,
      workflows,
      workflowSet: set,
      workflowsDir,
      learningTestsDir: config.learning?.demoTests
        ? DEMO_CONVERSATION_TESTS_DIR
        : config.learning?.tests
          ? resolve(baseDir, config.learning.tests)
          : null,
      workflowErrors: diagnostics.map((d) => formatDiagnostic(d)),
      nlu: () => nlu,
      knowledge: () => kb,
      versions: () => ({ nlu: nluVersion, kb: kbVersion }),
      problems: () => ({ ...problems }),
      analyse,
      conversations,
      channels: channelService,
      inbox: createInbox({
        store,
        clock,
        logger,
        deliveries: (c) => channelService.deliveryJobs(c),
        target: () => nlu?.model.thresholds.targetPrecision ?? null,
      }),
      people: createPeople({ store, clock }),
      pilots: createPilots({
        store,
        clock,
        workflows: workflows.map((w) => ({ id: w.id, intents: w.trigger.intents })),
      }),
      pilotState: () => pilotState,
      jobQueues: () => Object.keys(jobHandlers()),
      createRunner(options = {}) {
        const handlers = jobHandlers();
        const wanted = options.queues
          ? Object.fromEntries(Object.entries(handlers).filter(([queue]) => options.queues?.includes(queue)))
          : handlers;
        return createJobRunner({
          queue: store.jobs,
          handlers: wanted,
          concurrency: options.concurrency ?? jobs.concurrency,
          changes: store.changes,
          pollIntervalMs: jobs.pollIntervalMs,
          logger,
          ...(options.onAttempt ? { onAttempt: options.onAttempt } : {}),
        });
      },
      reload,
      watch() {
        if (stopWatching) return;
        const unsubscribe = store.changes.subscribe((change) => {
          if (change.topic === 'artifacts' || change.topic === 'settings' || change.topic === 'any') {
            void reload();
          }
        });
        const timer = setInterval(() => void reload(), RELOAD_INTERVAL_MS);
        timer.unref();
        stopWatching = () => {
          unsubscribe();
          clearInterval(timer);
        };
      },
      async close() {
        stopWatching?.();
        again = false;
        await reloading;
        await store.close();
      },
    };
  } catch (error) {
    await store.close();
    throw error;
  }
}

/**
 * Where a deployment's store is: `--db`, else a PostgreSQL DATABASE_URL, else the config's store (relative to its
 * folder), else the default beside the configuration. Commands that only read a store ask it first, to refuse
 * one that does not exist rather than create it empty.
 */
export function storeTarget(
  props: Pick<OpenDeploymentProps, 'config' | 'baseDir' | 'env' | 'overrides'>,
): string {
  if (props.overrides?.db) return props.overrides.db;
  const env = props.env?.DATABASE_URL;
  if (env && /^postgres(ql)?:\/\//i.test(env)) return env;
  const url = props.config.store?.url;
  if (url === undefined) return resolve(props.baseDir, DEFAULT_DB_PATH);
  if (url === ':memory:' || /^postgres(ql)?:\/\//i.test(url) || isAbsolute(url)) return url;
  return resolve(props.baseDir, url);
}

function workflowsDirOf(props: OpenDeploymentProps): string | null {
  if (props.overrides?.workflowsDir) return resolve(props.baseDir, props.overrides.workflowsDir);
  return deploymentWorkflowsDir(props.config, props.baseDir);
}

/**
 * Where a deployment's workflows are: the configuration's folder or the demo workflows (`demo: true`), else
 * `./workflows` beside the configuration when it exists, else none.
 */
export function deploymentWorkflowsDir(config: SwitchboardConfig, baseDir: string): string | null {
  const section = config.workflows;
  if (section?.demo) return DEMO_WORKFLOWS_DIR;
  if (section?.dir) return resolve(baseDir, section.dir);
  const local = resolve(baseDir, 'workflows');
  return existsSync(local) && statSync(local).isDirectory() ? local : null;
}

function knowledgeSearchOfFile(path: string): KnowledgeSearch {
  return knowledgeSearchOf(loadKnowledgeBase(readKnowledgeIndex(path)));
}

function knowledgeSearchOfContent(content: string, shownAs: string): KnowledgeSearch {
  return knowledgeSearchOf(loadKnowledgeBase(parseKnowledgeIndex(content, shownAs)));
}
