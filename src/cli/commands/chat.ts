import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import { z } from 'zod';
import type { Deployment } from '../../app/index.ts';
import { DEFAULT_CONFIG_FILE } from '../../config/index.ts';
import { type MessageReport, mergeTurnReports, type TurnReport } from '../../conversations/index.ts';
import { lookUpDemoCustomer } from '../../demo-tour/index.ts';
import type { CustomerProfile } from '../../domain/index.ts';
import { renderHandoffMarkdown } from '../../escalation/index.ts';
import { loadYaml, UserError } from '../../shared/index.ts';
import { templatePlainText } from '../../workflows/index.ts';
import type { CliIo } from '../io.ts';
import { DB_HELP, MODEL_HELP, openDeploymentFromOptions } from './options.ts';

const ScriptSchema = z.strictObject({
  customer: z
    .strictObject({
      email: z.string().optional(),
      name: z.string().optional(),
      plan: z.string().optional(),
      segment: z.string().optional(),
    })
    .optional(),
  channel: z.string().min(1).optional(),
  // The YAML is read with the failsafe schema: every scalar is text, so a turn `2` (picking a choice) or `yes`
  // is what the customer typed.
  turns: z.array(z.string().min(1)).min(1, 'a script needs at least one customer turn'),
});
type ChatScript = z.infer<typeof ScriptSchema>;

interface ChatOptions {
  db?: string;
  config?: string;
  model?: string;
  kb?: string;
  workflows?: string;
  customer?: string;
  name?: string;
  plan?: string;
  channel: string;
  conversation?: string;
  script?: string;
  debug?: boolean;
}

/**
 * `switchboard chat`: a conversation in the terminal against the deployment (its store, active NLU model,
 * knowledge base, workflows and connectors), through the same turns the live service runs: each message is
 * stored, its turn and the connector calls it asks for run as jobs, here and now. `--script FILE` plays customer
 * turns from a file and prints a JSON transcript.
 *
 * @example
 * switchboard chat --customer olivia.okafor@example.net --debug
 * switchboard chat --script order-status-happy.yaml
 */
export function registerChat(program: Command, io: CliIo): void {
  program
    .command('chat')
    .description(
      'talk to the automation in the terminal; --script FILE plays a scripted conversation as JSON',
    )
    .option('--config <file>', `deployment configuration (default: ./${DEFAULT_CONFIG_FILE} when it exists)`)
    .option('--db <path>', DB_HELP)
    .option('--model <file>', MODEL_HELP)
    .option(
      '--kb <file>',
      "a knowledge-base index file (kb import --index) instead of the store's active one",
    )
    .option('--workflows <dir>', "workflow folder (default: the configuration's, else ./workflows)")
    .option(
      '--customer <email>',
      "the customer's email address; with the demo shop, its account gives the name and plan",
    )
    .option('--name <name>', "the customer's name")
    .option('--plan <plan>', "the customer's plan or segment")
    .option('--channel <channel>', 'the channel the conversation is on', 'chat')
    .option('--conversation <id>', 'conversation id (default: a new random id)')
    .option(
      '--script <file>',
      'customer turns from a file (YAML with customer/channel/turns, or one per line)',
    )
    .option('--debug', 'show intent, confidence, guardrail and workflow step for each turn')
    .action(async (opts: ChatOptions) => {
      const script = opts.script ? readScript(resolve(io.cwd, opts.script)) : null;
      const channel = script?.channel ?? opts.channel;
      const deployment = await openDeploymentFromOptions(opts, io);
      try {
        const given = customerOf(opts, script);
        const known = given.email ? await lookUpDemoCustomer(deployment.connectors, given.email) : null;
        // What the command line or the script says wins over the shop's account.
        const customer: CustomerProfile = known ? { ...known, ...given } : given;
        if (!deployment.nlu()) {
          io.stderr.write(
            'note: no NLU model is active in the store: every request goes to a person. ' +
              'Run `npm start`, or `switchboard nlu train --from-store --activate`, first.\n',
          );
        }
        if (deployment.workflows.length === 0) {
          io.stderr.write(
            'note: no workflows (none configured, no ./workflows folder): every request goes to a person.\n',
          );
        }
        const id = opts.conversation ?? `chat-${randomUUID()}`;
        await deployment.conversations.start({ id, customer, channel });
        const say = converser(deployment, id);
        if (script) {
          const turns: MessageReport[] = [];
          for (const text of script.turns) turns.push(await say(text));
          io.stdout.write(
            `${JSON.stringify(scriptTranscript(id, customer, channel, script.turns, turns, opts.debug === true), null, 2)}\n`,
          );
          return;
        }
        await interactive(io, async (text) => {
          io.stdout.write(formatTurn(await say(text), opts.debug === true));
        });
      } finally {
        await deployment.close();
      }
    });
}

/**
 * Sends one customer message and runs the jobs it leads to (its turn, the connector calls, their results) until
 * none is left, then reports what the bot said.
 */
function converser(deployment: Deployment, conversationId: string) {
  const runner = deployment.createRunner({ concurrency: 1 });
  return async (text: string): Promise<MessageReport> => {
    const reports: TurnReport[] = [];
    const stop = deployment.conversations.subscribe(({ report }) => {
      if (report.conversationId === conversationId) reports.push(report);
    });
    try {
      await deployment.conversations.receive({ conversationId, text, idempotencyKey: randomUUID() });
      await runner.drain();
    } finally {
      stop();
    }
    const conversation = await deployment.store.findConversation(conversationId);
    return mergeTurnReports(conversationId, reports, conversation ?? null);
  };
}

async function interactive(io: CliIo, onTurn: (text: string) => Promise<void>): Promise<void> {
  io.stdout.write('Type a message as the customer; an empty line or Ctrl-D ends the conversation.\n');
  const lines = createInterface({ input: io.stdin, crlfDelay: Number.POSITIVE_INFINITY });
  try {
    io.stdout.write('you> ');
    for await (const line of lines) {
      const text = line.trim();
      if (text === '' || text === '/quit') break;
      await onTurn(text);
      io.stdout.write('you> ');
    }
  } finally {
    // Leaving the loop does not close the interface: it would keep reading stdin, and the process would wait
    // for Ctrl-D after the conversation ended.
    lines.close();
  }
  io.stdout.write('\n');
}

function formatTurn(turn: MessageReport, debug: boolean): string {
  const out: string[] = [];
  const a = turn.analysis;
  if (debug && a) {
    const entities = a.entities.map((e) => `${e.type}=${e.value}`).join(', ');
    out.push(
      `  [intent ${a.intent ?? '-'} ${a.confidence.toFixed(2)}${a.reason !== 'accepted' ? ` (${a.reason})` : ''}` +
        ` | sentiment ${a.sentiment.score.toFixed(2)}${a.humanRequested ? ' | asks for a person' : ''}` +
        `${a.exclusions.length ? ` | exclusions ${a.exclusions.join(', ')}` : ''}` +
        `${entities ? ` | ${entities}` : ''}` +
        ` | guardrail ${turn.guardrail}` +
        `${turn.workflow ? ` | ${turn.workflow.id} @ ${turn.workflow.stepId ?? '-'} (${turn.workflow.status})` : ''}]`,
    );
  }
  for (const line of turn.bot) {
    out.push(`bot> ${templatePlainText(line.text)}`);
    line.choices?.forEach((choice, i) => {
      out.push(`     ${i + 1}. ${templatePlainText(choice)}`);
    });
  }
  if (turn.bot.length === 0 && turn.owner === 'human') out.push('  (a person owns this conversation now)');
  if (turn.handoff) {
    out.push('', '--- handoff packet ---', renderHandoffMarkdown(turn.handoff), '--- end of handoff ---');
  }
  return `${out.join('\n')}\n`;
}

function scriptTranscript(
  conversationId: string,
  customer: CustomerProfile,
  channel: string,
  texts: readonly string[],
  turns: MessageReport[],
  debug: boolean,
) {
  const last = turns.at(-1);
  const handoff = turns.find((t) => t.handoff)?.handoff ?? null;
  const escalation = turns.find((t) => t.escalation)?.escalation ?? null;
  return {
    conversationId,
    customer,
    channel,
    turns: turns.map((t, i) => ({
      customer: t.analysis?.text ?? texts[i] ?? '',
      intent: t.analysis?.intent ?? null,
      confidence: Math.round((t.analysis?.confidence ?? 0) * 1000) / 1000,
      outOfScope: t.analysis?.outOfScope ?? true,
      entities: (t.analysis?.entities ?? []).map((e) => ({ type: e.type, value: e.value })),
      guardrail: t.guardrail,
      bot: t.bot.map((b) => ({
        kind: b.kind,
        text: templatePlainText(b.text),
        ...(b.stepId ? { step: b.stepId } : {}),
        ...(b.choices ? { choices: b.choices.map(templatePlainText) } : {}),
      })),
      workflow: t.workflow,
      status: t.status,
      owner: t.owner,
      ...(debug ? { effects: t.effects } : {}),
    })),
    outcome: {
      status: last?.status ?? 'open',
      owner: last?.owner ?? 'bot',
      workflow: turns.find((t) => t.workflow)?.workflow?.id ?? null,
      escalation,
    },
    handoff,
  };
}

function customerOf(opts: ChatOptions, script: ChatScript | null): CustomerProfile {
  const c = script?.customer ?? {};
  const email = c.email ?? opts.customer;
  const name = c.name ?? opts.name;
  const plan = c.plan ?? opts.plan;
  const segment = c.segment ?? plan;
  return {
    ...(email ? { email, id: email } : {}),
    ...(name ? { name } : {}),
    ...(plan ? { plan } : {}),
    ...(segment ? { segment } : {}),
    attributes: {},
  };
}

/** A YAML script (`customer`, `channel`, `turns`) or plain text with one customer turn per line. */
export function readScript(file: string): ChatScript {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    throw new UserError('chat.unreadable_script', 'cannot read the chat script', { file }, { cause });
  }
  if (!/\.ya?ml$/i.test(file)) {
    const turns = text
      .split(/\r?\n/)
      .map((l) => l.trim())
      .filter((l) => l !== '' && !l.startsWith('#'));
    if (turns.length === 0)
      throw new UserError('chat.empty_script', 'the script has no customer turns', { file });
    return { turns };
  }
  const { doc, value } = loadYaml({ text, file, code: 'chat.bad_script', options: { schema: 'failsafe' } });
  const parsed = ScriptSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = issue?.path ?? [];
    let node: unknown;
    for (let n = path.length; n >= 0 && !node; n--)
      node = doc.getIn(path.slice(0, n) as (string | number)[], true);
    const offset = (node as { range?: [number, number, number] } | undefined)?.range?.[0];
    const line = offset === undefined ? undefined : text.slice(0, offset).split('\n').length;
    throw new UserError('chat.bad_script', issue?.message ?? 'invalid script', {
      file,
      ...(line ? { line } : {}),
      field: path.join('.') || 'script',
    });
  }
  return parsed.data;
}
