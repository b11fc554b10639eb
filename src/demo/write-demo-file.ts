import { once } from 'node:events';
import { createWriteStream, statSync } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { finished } from 'node:stream/promises';
import { isSwitchboardError, OperationalError } from '../shared/index.ts';
import type { DemoTicket } from './demo-ticket.ts';
import { type DemoOptions, generateDemoTickets, validateDemoOptions } from './generator.ts';
import { GENERIC_CSV_HEADER, ticketToCsvRows } from './generic-csv.ts';
import { ticketToZendeskLine } from './zendesk-jsonl.ts';

/** `generic`: CSV, one row per message. `zendesk`: JSON Lines, one ticket with its comments per line. */
export const DEMO_FORMATS = ['generic', 'zendesk'] as const;
export type DemoFormat = (typeof DEMO_FORMATS)[number];

export interface WriteDemoFileProps extends DemoOptions {
  out: string;
  format: DemoFormat;
  /** Called after each chunk with the number of tickets written so far. */
  onProgress?: (ticketsWritten: number) => void;
}

/** What was written; `bytes` is the file size. */
export interface DemoFileSummary {
  tickets: number;
  messages: number;
  bytes: number;
}

/** Tickets are gathered up to this size before a write: big enough to keep syscalls rare, small enough to stay flat. */
const CHUNK_BYTES = 1 << 20;
/** Several chunks may queue, so the disk writes one while the generator builds the next. */
const QUEUE_BYTES = 8 << 20;

const FORMATTERS: Record<DemoFormat, { header: string; encode: (t: DemoTicket) => string }> = {
  generic: { header: `${GENERIC_CSV_HEADER}\n`, encode: ticketToCsvRows },
  zendesk: { header: '', encode: ticketToZendeskLine },
};

/**
 * Streams the demo history to `out` in chunks, waiting whenever the file stream asks it to, so memory stays
 * flat at any size. Writes to a temporary file beside `out` and renames it at the end, so a failed run leaves
 * nothing half-written (a device such as /dev/stdout is written in place).
 *
 * @example
 * await writeDemoFile({ tickets: 10_000, seed: 1, out: 'demo.csv', format: 'generic' });
 */
export async function writeDemoFile(props: WriteDemoFileProps): Promise<DemoFileSummary> {
  const { out, format, onProgress, ...options } = props;
  validateDemoOptions(options);
  const formatter = FORMATTERS[format];
  // A device or pipe (/dev/stdout, a FIFO) is written in place: renaming over it would replace it.
  const inPlace = isSpecialFile(out);
  const target = inPlace ? out : `${out}.partial-${process.pid}`;
  const stream = createWriteStream(target, { highWaterMark: QUEUE_BYTES });
  let failure: unknown = null;
  stream.on('error', (error) => {
    failure ??= error;
  });
  let tickets = 0;
  let messages = 0;
  let bytes = 0;
  try {
    await once(stream, 'open');
    // Strings are encoded straight into a fresh buffer per chunk: no long string ropes to flatten, one copy.
    let chunk = Buffer.allocUnsafe(CHUNK_BYTES);
    let used = chunk.write(formatter.header);
    const flush = async () => {
      if (failure) throw failure;
      bytes += used;
      const ok = stream.write(chunk.subarray(0, used));
      chunk = Buffer.allocUnsafe(CHUNK_BYTES);
      used = 0;
      if (!ok) await once(stream, 'drain');
      onProgress?.(tickets);
    };
    for (const ticket of generateDemoTickets(options)) {
      const text = formatter.encode(ticket);
      // UTF-8 takes at most 3 bytes per UTF-16 unit.
      if (used + text.length * 3 > CHUNK_BYTES) {
        await flush();
        if (text.length * 3 > CHUNK_BYTES) chunk = Buffer.allocUnsafe(text.length * 3);
      }
      used += chunk.write(text, used);
      tickets++;
      messages += ticket.messages.length;
    }
    if (used > 0) await flush();
    stream.end();
    await finished(stream);
    if (failure) throw failure;
    if (!inPlace) await rename(target, out);
  } catch (error) {
    stream.destroy();
    if (!inPlace) await rm(target, { force: true });
    if (isSwitchboardError(error)) throw error;
    throw new OperationalError(
      'demo.write_failed',
      `could not write ${out}`,
      { file: out },
      { cause: error },
    );
  }
  return { tickets, messages, bytes };
}

function isSpecialFile(path: string): boolean {
  try {
    return !statSync(path).isFile();
  } catch {
    return false;
  }
}
