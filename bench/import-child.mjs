// One `switchboard import` in a fresh process, as a user runs it (compiled dist/ when current, see
// bin/load-main.js), so its peak RSS is the import's alone. Prints one JSON line on stdout: the import summary,
// wallMs (the whole command, store opening and closing included; the summary's elapsedMs counts the batches
// only), maxRssMb and `compiled` (whether dist/ ran). Used by bench/import.bench.ts.
import { distIsCurrent, loadMain } from '../bin/load-main.js';

const compiled = distIsCurrent();
const started = performance.now();
const main = await loadMain();
const captured = [];
const code = await main(['node', 'switchboard', 'import', ...process.argv.slice(2), '--json'], {
  stdout: { write: (s) => captured.push(s), isTTY: false },
  stderr: process.stderr,
  stdin: process.stdin,
  env: process.env,
  cwd: process.cwd(),
});
const wallMs = performance.now() - started;
if (code !== 0) process.exit(code);
const summary = JSON.parse(captured.join(''));
const maxRssMb = process.resourceUsage().maxRSS / 1024;
process.stdout.write(`${JSON.stringify({ ...summary, wallMs, maxRssMb, compiled })}\n`);
