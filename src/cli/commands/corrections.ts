import type { Command } from 'commander';
import {
  type CandidateExample,
  type CandidateStatus,
  listCandidates,
  proposeNewIntents,
  reviewCandidates,
} from '../../learning/index.ts';
import { systemClock, UserError } from '../../shared/index.ts';
import type { CliIo } from '../io.ts';
import { openStoreFromOptions, withStoreOptions } from './options.ts';

interface StoreOpts {
  config?: string;
  db?: string;
}

const STATUSES = ['candidate', 'accepted', 'rejected', 'all'] as const;

/**
 * `switchboard corrections list | accept | reject`: the training examples agents' judgements propose (a customer
 * message and its right intent, or "none of these"), reviewed by a lead before any retraining uses them;
 * candidates with nearly the same text and another label are shown together.
 *
 * @example
 * switchboard corrections list
 * switchboard corrections accept 412 415
 * switchboard corrections accept 420 --label gift_card_balance     # a new intent for an out-of-scope message
 * switchboard corrections reject 418
 */
export function registerCorrections(program: Command, io: CliIo): void {
  const corrections = program
    .command('corrections')
    .description("agents' corrections as training examples: list, accept (maybe relabelled), reject");
  const common = withStoreOptions;

  common(
    corrections
      .command('list')
      .description('candidate examples with their provenance and conflicts')
      .option('--status <status>', `${STATUSES.join(' | ')} (default candidate)`, 'candidate')
      .option('--json', 'JSON lines'),
  ).action(async (opts: StoreOpts & { status: string; json?: boolean }) => {
    if (!(STATUSES as readonly string[]).includes(opts.status)) {
      throw new UserError('corrections.bad_status', `--status is one of ${STATUSES.join(', ')}`, {
        field: '--status',
      });
    }
    const store = await openStoreFromOptions(opts, io);
    try {
      const all = await listCandidates({ store });
      const shown =
        opts.status === 'all' ? all : all.filter((c) => c.status === (opts.status as CandidateStatus));
      if (opts.json) {
        for (const c of shown) io.stdout.write(`${JSON.stringify(c)}\n`);
        return;
      }
      io.stdout.write(formatCandidates(shown));
    } finally {
      await store.close();
    }
  });

  common(
    corrections
      .command('clusters')
      .description(
        'new intents proposed from "none of these" messages: accept a cluster with --label to create one',
      ),
  ).action(async (opts: StoreOpts) => {
    const store = await openStoreFromOptions(opts, io);
    try {
      const proposals = proposeNewIntents(await listCandidates({ store }));
      if (proposals.length === 0) {
        io.stdout.write('no cluster yet: too few "none of these" messages waiting, or none alike\n');
        return;
      }
      for (const p of proposals) {
        io.stdout.write(
          `${p.name} (${p.ids.length} messages: ${p.terms.slice(0, 5).join(', ')})\n` +
            p.examples.map((e) => `    "${e.replace(/\s+/g, ' ').slice(0, 120)}"\n`).join('') +
            `    switchboard corrections accept ${p.ids.join(' ')} --label NEW_INTENT\n`,
        );
      }
    } finally {
      await store.close();
    }
  });

  for (const decision of ['accept', 'reject'] as const) {
    const command = corrections
      .command(`${decision} <ids...>`)
      .description(
        decision === 'accept' ? 'accept candidates (with their label, or --label)' : 'reject candidates',
      );
    if (decision === 'accept')
      command.option('--label <intent>', 'the label instead of the proposed one (`none`: out of scope)');
    common(command).action(async (ids: string[], opts: StoreOpts & { label?: string }) => {
      const numbers = ids.map((id) => {
        if (!/^\d+$/.test(id))
          throw new UserError('corrections.bad_id', `not a candidate id: ${id}`, { field: 'id' });
        return Number(id);
      });
      const store = await openStoreFromOptions(opts, io);
      try {
        const reviewed = await reviewCandidates({
          store,
          clock: systemClock,
          ids: numbers,
          decision: decision === 'accept' ? 'accepted' : 'rejected',
          ...(opts.label !== undefined ? { label: opts.label === 'none' ? null : opts.label } : {}),
          by: 'cli',
        });
        for (const c of reviewed)
          io.stdout.write(
            `${c.id}: ${c.status}${c.status === 'accepted' ? ` as ${c.label ?? 'out of scope'}` : ''}\n`,
          );
      } finally {
        await store.close();
      }
    });
  }
}

export function formatCandidates(candidates: readonly CandidateExample[]): string {
  if (candidates.length === 0) return 'no candidate examples\n';
  const lines: string[] = [];
  for (const c of candidates) {
    const label = c.label ?? 'none of these (out of scope)';
    lines.push(
      `${String(c.id).padStart(6)}  ${c.status.padEnd(9)} ${label}  (the bot said ${c.predicted ?? 'nothing'}${c.missedAutomation ? '; could have resolved it' : ''})`,
      `        "${c.text.replace(/\s+/g, ' ').slice(0, 160)}"`,
      `        ${c.conversationId} #${c.seq}, by ${c.by}, ${new Date(c.at).toISOString().slice(0, 16).replace('T', ' ')} UTC`,
    );
    if (c.conflicts.length > 0)
      lines.push(`        conflicts with ${c.conflicts.join(', ')}: nearly the same text, another label`);
  }
  return `${lines.join('\n')}\n`;
}
