import { spawn } from 'node:child_process';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { type CliIo, memoryIo } from './io.ts';
import { reportError } from './main.ts';

/**
 * Runs one command in-process, on a program of its own (main.ts wires the commands in separately), and returns
 * its exit code and output, as `main` would. For the commands' tests.
 *
 * @example
 * const { code, stdout } = await runCommand((program, io) => registerTopics(program, io), ['topics', '--data', 'x.jsonl'], dir);
 */
export async function runCommand(
  register: (program: Command, io: CliIo) => void,
  args: string[],
  cwd: string,
  stdin = '',
): Promise<{ code: number; stdout: string; stderr: string }> {
  const { io, stdout, stderr } = memoryIo({}, cwd);
  io.stdin = Readable.from([stdin]);
  const program = new Command('switchboard').exitOverride().configureOutput({
    writeOut: (s) => io.stdout.write(s),
    writeErr: (s) => io.stderr.write(s),
  });
  register(program, io);
  let code = 0;
  try {
    await program.parseAsync(['node', 'switchboard', ...args]);
  } catch (error) {
    code = reportError(error, io);
  }
  return { code, stdout: stdout(), stderr: stderr() };
}

const BIN = fileURLToPath(new URL('../../bin/switchboard.js', import.meta.url));

/**
 * Runs the CLI as a process, as a user would (`bin/switchboard.js`: the compiled dist/ when it is current, else
 * the sources through tsx), for what is about the process: exit codes, hangs, what reaches stdout. `stdin` is
 * written and, unless `keepStdinOpen`, closed; a process still running after `timeoutMs` is killed and reported
 * with `timedOut`.
 *
 * @example
 * const r = await runCli(['stats', '--db', 'missing.db'], { cwd: dir });
 * r.code; // 2
 */
export function runCli(
  args: string[],
  options: {
    cwd: string;
    stdin?: string;
    keepStdinOpen?: boolean;
    timeoutMs?: number;
    env?: NodeJS.ProcessEnv;
  },
): Promise<{ code: number | null; stdout: string; stderr: string; timedOut: boolean; ms: number }> {
  const started = performance.now();
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: options.cwd,
    env: { ...process.env, DATABASE_URL: '', ...options.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout.on('data', (b: Buffer) => out.push(b));
  child.stderr.on('data', (b: Buffer) => err.push(b));
  child.stdin.on('error', () => {}); // a process that exits before reading it all
  if (options.stdin !== undefined) child.stdin.write(options.stdin);
  if (!options.keepStdinOpen) child.stdin.end();
  return new Promise((done) => {
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutMs ?? 20_000);
    // Our end of stdin would hold 'close' back; 'close' waits for the output to be read to the end.
    child.once('exit', () => child.stdin.destroy());
    child.once('close', (code) => {
      clearTimeout(timer);
      done({
        code,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        timedOut,
        ms: performance.now() - started,
      });
    });
  });
}
