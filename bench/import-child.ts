// One import in a fresh process, so its peak RSS is the import's alone. Prints one JSON line on stdout:
// the import summary plus maxRssMb. Used by bench/import.bench.ts.
import { main } from '../src/cli/main.ts';

const captured: string[] = [];
const code = await main(['node', 'switchboard', 'import', ...process.argv.slice(2), '--json'], {
  stdout: { write: (s: string) => captured.push(s), isTTY: false },
  stderr: process.stderr,
  stdin: process.stdin,
  env: process.env,
  cwd: process.cwd(),
});
if (code !== 0) process.exit(code);
const summary = JSON.parse(captured.join(''));
const maxRssMb = process.resourceUsage().maxRSS / 1024;
process.stdout.write(`${JSON.stringify({ ...summary, maxRssMb })}\n`);
