import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Where `npm install` / `npm run build` puts the widget, relative to this module in src/server or dist/server. */
const BUILT = [
  new URL('../web/widget.js', import.meta.url),
  new URL('../../dist/web/widget.js', import.meta.url),
];
const SOURCES = new URL('../web/widget/', import.meta.url);
const BUILD_SCRIPT = new URL('../../scripts/build-widget.mjs', import.meta.url);

/**
 * The widget script as served: the file `npm install` built, or, when running from the sources with the widget's
 * sources newer than that file (an edit during development), built again in memory with esbuild. Read once.
 * Null when there is neither a built file nor a way to build one.
 */
export function loadWidgetScript(): () => Promise<{ code: string; etag: string } | null> {
  let loaded: Promise<{ code: string; etag: string } | null> | null = null;
  return () => {
    loaded ??= load();
    return loaded;
  };
}

async function load(): Promise<{ code: string; etag: string } | null> {
  const built = BUILT.map((url) => fileURLToPath(url)).find((path) => existsSync(path));
  const stale =
    built !== undefined &&
    existsSync(fileURLToPath(SOURCES)) &&
    newest(fileURLToPath(SOURCES)) > statSync(built).mtimeMs;
  let code: string | null = built && !stale ? readFileSync(built, 'utf8') : null;
  if (code === null && existsSync(fileURLToPath(BUILD_SCRIPT))) {
    try {
      const { bundleWidget } = (await import(BUILD_SCRIPT.href)) as { bundleWidget: () => Promise<string> };
      code = await bundleWidget();
    } catch {
      code = built ? readFileSync(built, 'utf8') : null;
    }
  }
  if (code === null) return null;
  return { code, etag: `"${createHash('sha256').update(code).digest('base64url').slice(0, 22)}"` };
}

function newest(dir: string): number {
  let time = statSync(dir).mtimeMs;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = `${dir}/${entry.name}`;
    time = Math.max(time, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs);
  }
  return time;
}
