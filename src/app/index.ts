export {
  DEMO_PAGE_CUSTOMERS,
  type DemoPageSource,
  demoConfigText,
  demoPageSource,
  writeDemoConfig,
} from './demo-deployment.ts';
export {
  type Deployment,
  deploymentWorkflowsDir,
  loadDeploymentConfig,
  type OpenDeploymentProps,
  openDeployment,
  RELOAD_INTERVAL_MS,
  storeTarget,
} from './deployment.ts';
export { createLogger, logLevelFromEnv } from './logger.ts';
export { DEFAULT_DB_PATH, type OpenStoreOptions, openStore } from './open-store.ts';
export {
  SIMULATED_AGENT_EMAIL,
  type SimulateProps,
  type SimulateResult,
  type SimulationConfigPatch,
  simulate,
} from './simulate.ts';
