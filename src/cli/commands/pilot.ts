import type { Command } from 'commander';
import type { PilotSettings } from '../../domain/index.ts';
import type { PilotHistoryItem, PilotListItem } from '../../pilots/index.ts';
import { UserError } from '../../shared/index.ts';
import type { CliIo } from '../io.ts';
import { openDeploymentFromOptions, withStoreOptions } from './options.ts';

interface PilotOpts {
  config?: string;
  db?: string;
  workflows?: string;
  by?: string;
}

/**
 * `switchboard pilot list | set | kill | resume | history`: pilots per workflow (mode off, shadow or live, and who is
 * in) and the kill switch, which every serving process applies on its next turn, within 2 s. Every change is kept
 * with who made it and why (docs/pilots.md).
 *
 * @example
 * switchboard pilot set refund-request --mode shadow --segments vip --percent 10 --why "first week"
 * switchboard pilot kill --all --why "carrier outage: wrong delivery dates"
 * switchboard pilot resume --all --why "carrier fixed"
 */
export function registerPilot(program: Command, io: CliIo): void {
  const pilot = program
    .command('pilot')
    .description('pilots per workflow (off | shadow | live, who is in) and the kill switch');
  const common = (command: Command) =>
    withStoreOptions(command).option(
      '--workflows <dir>',
      "the workflows' folder (default: the configuration's)",
    );
  const changing = (command: Command) =>
    common(command)
      .requiredOption('--why <text>', 'why: kept with the change, for whoever reads the history')
      .option('--by <name>', 'who makes the change (default: cli:$USER)');

  common(pilot.command('list').description('every workflow with its pilot and kill state')).action(
    async (opts: PilotOpts) => {
      await withDeployment(opts, io, async (deployment) => {
        const state = await deployment.pilots.state();
        const all = state.kills.get(null);
        io.stdout.write(
          all
            ? `ALL AUTOMATION STOPPED since ${iso(all.at)} by ${all.by}: ${all.why}\n`
            : 'all automation: running\n',
        );
        for (const item of await deployment.pilots.list()) io.stdout.write(`${listLine(item)}\n`);
      });
    },
  );

  changing(
    pilot
      .command('set <workflow>')
      .description('replace a workflow’s pilot: its mode and who is in (lists left out: everyone)')
      .requiredOption('--mode <mode>', 'off | shadow | live')
      .option('--segments <list>', 'customer segments, comma-separated')
      .option('--channels <list>', 'channels, comma-separated (api, widget, chatwoot, ...)')
      .option('--categories <list>', 'categories (intents), comma-separated')
      .option('--percent <n>', 'share of customers in, 0 to 100 (sticky per customer)'),
  ).action(
    async (
      workflow: string,
      opts: PilotOpts & {
        why: string;
        mode: string;
        segments?: string;
        channels?: string;
        categories?: string;
        percent?: string;
      },
    ) => {
      const settings: Record<string, unknown> = { mode: opts.mode };
      if (opts.segments !== undefined) settings.segments = list(opts.segments);
      if (opts.channels !== undefined) settings.channels = list(opts.channels);
      if (opts.categories !== undefined) settings.categories = list(opts.categories);
      if (opts.percent !== undefined) settings.percent = number(opts.percent);
      await withDeployment(opts, io, async (deployment) => {
        const before = (await deployment.pilots.state()).pilots.get(workflow)?.settings ?? null;
        const entry = await deployment.pilots.set({
          workflowId: workflow,
          settings,
          by: byOf(opts, io),
          why: opts.why,
        });
        io.stdout.write(`${entry.workflowId}: ${describe(entry.settings)} (was: ${describe(before)})\n`);
      });
    },
  );

  for (const [name, verb] of [
    ['kill', 'stop'],
    ['resume', 'resume'],
  ] as const) {
    changing(
      pilot
        .command(`${name} [workflow]`)
        .description(
          name === 'kill'
            ? 'stop a workflow (or --all automation) on the next turn in every process; its conversations go to people'
            : 'lift a kill of a workflow (or --all: the kill of all automation)',
        )
        .option('--all', `${verb} all automation`),
    ).action(async (workflow: string | undefined, opts: PilotOpts & { why: string; all?: boolean }) => {
      if ((workflow === undefined) === (opts.all !== true)) {
        throw new UserError('pilot.target', `name a workflow or give --all (one of them)`, {
          field: 'workflow',
        });
      }
      const workflowId = opts.all ? null : (workflow as string);
      const what = workflowId === null ? 'all automation' : workflowId;
      await withDeployment(opts, io, async (deployment) => {
        const props = { workflowId, by: byOf(opts, io), why: opts.why };
        const { changed } =
          name === 'kill' ? await deployment.pilots.kill(props) : await deployment.pilots.resume(props);
        io.stdout.write(
          !changed
            ? `${what}: already ${name === 'kill' ? 'stopped' : 'running'}, nothing changed\n`
            : name === 'kill'
              ? `${what}: stopped. Every process applies it on its next turn (within 2 s); conversations with the bot go to people with their packet.\n`
              : `${what}: resumed on the next turn in every process.\n`,
        );
      });
    });
  }

  common(
    pilot
      .command('history [workflow]')
      .description('every change, oldest first: who, when, why, before and after')
      .option('--json', 'JSON lines'),
  ).action(async (workflow: string | undefined, opts: PilotOpts & { json?: boolean }) => {
    await withDeployment(opts, io, async (deployment) => {
      const items = await deployment.pilots.history(workflow !== undefined ? { workflowId: workflow } : {});
      for (const item of items) {
        io.stdout.write(opts.json ? `${JSON.stringify(item)}\n` : `${historyLine(item)}\n`);
      }
      if (items.length === 0 && !opts.json) io.stdout.write('no changes yet\n');
    });
  });
}

type Deployment = Awaited<ReturnType<typeof openDeploymentFromOptions>>;

async function withDeployment(
  opts: PilotOpts,
  io: CliIo,
  run: (deployment: Deployment) => Promise<void>,
): Promise<void> {
  // Broken workflows never stop a kill: the deployment opens and lists its problems instead.
  const deployment = await openDeploymentFromOptions(opts, io, undefined, { workflowCheck: 'report' });
  try {
    await run(deployment);
  } finally {
    await deployment.close();
  }
}

function byOf(opts: PilotOpts, io: CliIo): string {
  if (opts.by?.trim()) return opts.by.trim();
  const user = io.env.USER ?? io.env.USERNAME;
  return user ? `cli:${user}` : 'cli';
}

const list = (text: string) =>
  text
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '');

/** A number, or the text as given: the settings' check then names `percent`. */
function number(text: string): number | string {
  const value = Number(text);
  return text.trim() !== '' && Number.isFinite(value) ? value : text;
}

const iso = (at: number) => new Date(at).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** `shadow for segments vip, channel widget, 10% of customers`; `live for everyone` without settings. */
export function describe(settings: PilotSettings | null | undefined): string {
  if (!settings) return 'live for everyone (no pilot)';
  if (settings.mode === 'off') return 'off';
  const who = [
    settings.segments.length > 0 ? `segments ${settings.segments.join(', ')}` : null,
    settings.channels.length > 0 ? `channels ${settings.channels.join(', ')}` : null,
    settings.categories.length > 0 ? `categories ${settings.categories.join(', ')}` : null,
  ].filter((part): part is string => part !== null);
  const share = settings.percent < 100 ? `${settings.percent}% of ` : '';
  return `${settings.mode} for ${share}${who.length > 0 ? `customers in ${who.join('; ')}` : share ? 'customers' : 'everyone'}`;
}

function listLine(item: PilotListItem): string {
  const pilot = item.pilot
    ? `${describe(item.pilot.settings)}  (${iso(item.pilot.at)} by ${item.pilot.by}: ${item.pilot.why})`
    : describe(null);
  const kill = item.kill ? `  STOPPED since ${iso(item.kill.at)} by ${item.kill.by}: ${item.kill.why}` : '';
  return `${item.workflowId.padEnd(24)} ${pilot}${kill}`;
}

function historyLine(item: PilotHistoryItem): string {
  const what = item.workflowId ?? 'all automation';
  const change =
    item.type === 'pilot.changed'
      ? `${describe(item.before ?? null)} -> ${describe(item.after ?? null)}`
      : item.type === 'automation.killed'
        ? 'stopped'
        : 'resumed';
  return `${iso(item.at)}  ${what}: ${change}  by ${item.by}: ${item.why}`;
}
