import { fileURLToPath } from 'node:url';

/** The demo workflows shipped with Switchboard: a deployment runs them when its configuration says `workflows: { demo: true }`. */
export const DEMO_WORKFLOWS_DIR = fileURLToPath(new URL('../demo/workflows/', import.meta.url));
