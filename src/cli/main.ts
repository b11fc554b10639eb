import { Command, CommanderError } from 'commander';
import { isSwitchboardError } from '../shared/index.ts';
import { registerAudit } from './commands/audit.ts';
import { registerChat } from './commands/chat.ts';
import { registerDemo } from './commands/demo.ts';
import { registerImport } from './commands/import.ts';
import { registerKb } from './commands/kb.ts';
import { registerNlu } from './commands/nlu.ts';
import { registerReplay } from './commands/replay.ts';
import { registerStart } from './commands/start.ts';
import { registerStats } from './commands/stats.ts';
import { registerTopics } from './commands/topics.ts';
import { registerWorkflows } from './commands/workflows.ts';
import type { CliIo } from './io.ts';
import { processIo } from './io.ts';

/** Builds the `switchboard` program. Each command lives in `commands/` and receives the IO it writes to. */
export function buildProgram(io: CliIo): Command {
  const program = new Command('switchboard')
    .description('Customer-support automation: import, audit and automate your tickets, offline.')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) })
    .showHelpAfterError();
  registerImport(program, io);
  registerStats(program, io);
  registerDemo(program, io);
  registerNlu(program, io);
  registerAudit(program, io);
  registerTopics(program, io);
  registerStart(program, io);
  registerWorkflows(program, io);
  registerChat(program, io);
  registerReplay(program, io);
  registerKb(program, io);
  return program;
}

/**
 * Runs the CLI and returns the exit code: 0 done, 2 user error (bad input, bad option: the message says what
 * and where), 1 anything else.
 */
export async function main(argv: string[], io: CliIo = processIo()): Promise<number> {
  try {
    await buildProgram(io).parseAsync(argv);
    return 0;
  } catch (error) {
    return reportError(error, io);
  }
}

export function reportError(error: unknown, io: CliIo): number {
  if (error instanceof CommanderError) {
    if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return 0;
    return error.exitCode === 0 ? 0 : 2;
  }
  if (isSwitchboardError(error)) {
    io.stderr.write(`error: ${error.describe()}\n`);
    if (error.kind === 'user') return 2;
    if (error.cause instanceof Error) io.stderr.write(`  cause: ${error.cause.message}\n`);
    return 1;
  }
  io.stderr.write(
    `unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  return 1;
}
