import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The demo workflows shipped with Switchboard, used when a project has no `workflows/` folder of its own. */
export const DEMO_WORKFLOWS_DIR = fileURLToPath(new URL('../demo/workflows/', import.meta.url));

/**
 * Where the workflow files are: the option (relative to `cwd`) when given, else `./workflows` when that
 * folder exists, else the shipped demo workflows.
 *
 * @example
 * resolveWorkflowsDir(undefined, '/srv/shop'); // '/srv/shop/workflows' when it exists
 */
export function resolveWorkflowsDir(option?: string, cwd: string = process.cwd()): string {
  if (option !== undefined) return resolve(cwd, option);
  const local = resolve(cwd, 'workflows');
  if (existsSync(local) && statSync(local).isDirectory()) return local;
  return DEMO_WORKFLOWS_DIR;
}
