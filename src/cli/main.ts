import { Command, CommanderError } from 'commander';
import { isSwitchboardError } from '../shared/index.ts';
import type { CliIo } from './io.ts';
import { processIo } from './io.ts';

type Register = (program: Command, io: CliIo) => void;

/**
 * The commands, each loaded only when it is needed: a run of one command loads that command's modules alone
 * (`switchboard import` does not load the NLU, the workflow engine or the knowledge base), which keeps start-up
 * time and memory down. Help, or a name that is not a command, loads them all.
 */
const COMMANDS: Record<string, () => Promise<Register>> = {
  import: async () => (await import('./commands/import.ts')).registerImport,
  stats: async () => (await import('./commands/stats.ts')).registerStats,
  demo: async () => (await import('./commands/demo.ts')).registerDemo,
  nlu: async () => (await import('./commands/nlu.ts')).registerNlu,
  audit: async () => (await import('./commands/audit.ts')).registerAudit,
  topics: async () => (await import('./commands/topics.ts')).registerTopics,
  start: async () => (await import('./commands/start.ts')).registerStart,
  workflows: async () => (await import('./commands/workflows.ts')).registerWorkflows,
  chat: async () => (await import('./commands/chat.ts')).registerChat,
  replay: async () => (await import('./commands/replay.ts')).registerReplay,
  kb: async () => (await import('./commands/kb.ts')).registerKb,
  serve: async () => (await import('./commands/serve.ts')).registerServe,
  worker: async () => (await import('./commands/worker.ts')).registerWorker,
  keys: async () => (await import('./commands/keys.ts')).registerKeys,
  channels: async () => (await import('./commands/channels.ts')).registerChannels,
  users: async () => (await import('./commands/users.ts')).registerUsers,
  report: async () => (await import('./commands/report.ts')).registerReport,
  test: async () => (await import('./commands/test.ts')).registerTest,
  pilot: async () => (await import('./commands/pilot.ts')).registerPilot,
  corrections: async () => (await import('./commands/corrections.ts')).registerCorrections,
  review: async () => (await import('./commands/review.ts')).registerReview,
  simulate: async () => (await import('./commands/simulate.ts')).registerSimulate,
};

/**
 * Builds the `switchboard` program for `argv` (all commands when `argv` does not name one). Each command lives
 * in `commands/` and receives the IO it writes to.
 */
export async function buildProgram(io: CliIo, argv: readonly string[] = []): Promise<Command> {
  const program = new Command('switchboard')
    .description('Customer-support automation: import, audit and automate your tickets, offline.')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) })
    .showHelpAfterError();
  const name = argv[2];
  const wanted = name !== undefined && Object.hasOwn(COMMANDS, name) ? [name] : Object.keys(COMMANDS);
  for (const command of wanted) (await (COMMANDS[command] as () => Promise<Register>)())(program, io);
  return program;
}

/**
 * Runs the CLI and returns the exit code: 0 done, 2 user error (bad input, bad option: the message says what
 * and where), 1 anything else.
 */
export async function main(argv: string[], io: CliIo = processIo()): Promise<number> {
  try {
    await (await buildProgram(io, argv)).parseAsync(argv);
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
