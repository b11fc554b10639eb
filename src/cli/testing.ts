import { Readable } from 'node:stream';
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
