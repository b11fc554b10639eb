// The CLI's main(), from the compiled dist/ when it is up to date with src/ (after `npm install`, which builds it
// through `prepare`, or `npm run build`), else from the TypeScript sources through tsx, so that an edit to src/
// is always what runs. dist/ saves about 90 MB of memory and the transpile on every start.
import { readdirSync, statSync } from 'node:fs';

const root = new URL('../', import.meta.url);

/** Newest modification time of src/ and everything in it (a deleted file changes its folder's time). */
function newestSourceTime(dir) {
  let newest = statSync(dir).mtimeMs;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = new URL(entry.isDirectory() ? `${entry.name}/` : entry.name, dir);
    newest = Math.max(newest, entry.isDirectory() ? newestSourceTime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

export function distIsCurrent() {
  let built;
  try {
    built = statSync(new URL('dist/.built', root)).mtimeMs;
  } catch {
    return false;
  }
  try {
    return newestSourceTime(new URL('src/', root)) <= built;
  } catch {
    return true; // no src/: an installed package, which ships dist/ only
  }
}

export async function loadMain() {
  if (distIsCurrent()) return (await import('../dist/cli/main.js')).main;
  const { register } = await import('tsx/esm/api');
  register();
  return (await import('../src/cli/main.ts')).main;
}
