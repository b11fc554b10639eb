import { fileURLToPath } from 'node:url';

/** The demo workflows shipped with Switchboard: a deployment runs them when its configuration says `workflows: { demo: true }`. */
export const DEMO_WORKFLOWS_DIR = fileURLToPath(new URL('../demo/workflows/', import.meta.url));

/** The demo's conversation tests (one per file), shipped beside the package: what `learning: { demoTests: true }` names. */
export const DEMO_CONVERSATION_TESTS_DIR = fileURLToPath(
  new URL('../../examples/conversation-tests/', import.meta.url),
);
