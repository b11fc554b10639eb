import type { Command } from 'commander';
import { DEMO_FORMATS, type DemoFormat, writeDemoFile } from '../../demo/index.ts';
import { UserError } from '../../shared/index.ts';
import type { CliIo } from '../io.ts';
import { progressBar } from '../progress.ts';
import { outputFile, parseInteger, parsePositiveInt } from './options.ts';

interface GenerateOpts {
  tickets: string;
  seed: string;
  out: string;
  format: string;
  messagesPerTicket?: string;
}

/** Past this a typo in --tickets would run for hours; nobody needs a bigger demo. */
const MAX_TICKETS = 50_000_000;
const MAX_MESSAGES_PER_TICKET = 1000;

export function registerDemo(program: Command, io: CliIo): void {
  const demo = program
    .command('demo')
    .description(
      'a believable support history for a fictional shop, to try Switchboard without your own data',
    );
  demo
    .command('generate')
    .description('write a seeded demo helpdesk history (same seed and count, same file)')
    .requiredOption('--tickets <n>', 'number of tickets')
    .option('--seed <n>', 'seed of the generator', '1')
    .requiredOption('--out <file>', 'file to write (replaced if it exists)')
    .option(
      '--format <name>',
      `${DEMO_FORMATS.join(' or ')}: CSV with one row per message, or Zendesk JSON Lines`,
      'generic',
    )
    .option('--messages-per-ticket <k>', 'exactly K messages on every ticket (for benchmarks)')
    .action(async (opts: GenerateOpts) => {
      const props = checkGenerateOptions(opts, io);
      const started = performance.now();
      const bar = progressBar(io, props.tickets, 'tickets');
      let summary: Awaited<ReturnType<typeof writeDemoFile>>;
      try {
        summary = await writeDemoFile({
          ...props,
          onProgress: (done) => bar.update(done, { records: done }),
        });
      } finally {
        bar.stop();
      }
      const seconds = (performance.now() - started) / 1000;
      const n = (v: number) => v.toLocaleString('en-US');
      io.stdout.write(
        `wrote ${n(summary.tickets)} tickets, ${n(summary.messages)} messages to ${props.out} ` +
          `(${props.format}, ${(summary.bytes / 1e6).toFixed(1)} MB) in ${seconds.toFixed(1)} s\n`,
      );
    });
}

/** Every flag is checked before the output file is touched. */
function checkGenerateOptions(opts: GenerateOpts, io: CliIo) {
  const tickets = parsePositiveInt(opts.tickets, '--tickets');
  if (tickets > MAX_TICKETS) {
    throw new UserError('cli.bad_option', `at most ${n(MAX_TICKETS)} tickets, got ${n(tickets)}`, {
      field: '--tickets',
    });
  }
  const seed = parseInteger(opts.seed, '--seed');
  if (!(DEMO_FORMATS as readonly string[]).includes(opts.format)) {
    throw new UserError(
      'cli.bad_option',
      `unknown format "${opts.format}": expected ${DEMO_FORMATS.join(' or ')}`,
      {
        field: '--format',
      },
    );
  }
  const format = opts.format as DemoFormat;
  let messagesPerTicket: number | undefined;
  if (opts.messagesPerTicket !== undefined) {
    messagesPerTicket = parsePositiveInt(opts.messagesPerTicket, '--messages-per-ticket');
    if (messagesPerTicket > MAX_MESSAGES_PER_TICKET) {
      throw new UserError('cli.bad_option', `at most ${MAX_MESSAGES_PER_TICKET} messages per ticket`, {
        field: '--messages-per-ticket',
      });
    }
  }
  // A device or a pipe (/dev/stdout) is written in place; the file's folder must exist.
  const out = outputFile(opts.out, '--out', io, { inPlace: true, newFolders: false });
  return { tickets, seed, format, out, ...(messagesPerTicket !== undefined ? { messagesPerTicket } : {}) };
}

const n = (v: number) => v.toLocaleString('en-US');
