import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryIo } from '../io.ts';
import { main } from '../main.ts';
import { runCli } from '../testing.ts';
import { demoDeployment, EXAMPLE_CHATS, steps, type Transcript } from './chat-testing.ts';

// The demo deployment as `npm start` leaves it: a generated history, the NLU trained on it (with the shop's
// order-number pattern), the demo workflows and the in-process demo shop.
const demo = demoDeployment('sb-chat-');
const { dir, db } = demo;
beforeAll(async () => {
  expect(await demo.setUp()).toMatch(/trained the NLU on \d+ tickets/);
}, 120_000);
afterAll(() => demo.tearDown());

async function play(script: string, id: string): Promise<Transcript> {
  const run = await demo.play(join(EXAMPLE_CHATS, script), id);
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  return run.transcript as Transcript;
}

describe('switchboard chat --script: the order-status workflow', () => {
  it('happy path: one order, shipped, tracking link, confirmed, resolved', async () => {
    const t = await play('order-status-happy.yaml', 'happy');
    expect(t.turns[0]?.intent).toBe('order_status');
    expect(steps(t)).toEqual(['say_shipped_tracked', 'did_it_help', 'done']);
    expect(t.turns[0]?.bot[0]?.text).toContain('https://track.');
    expect(t.outcome).toMatchObject({
      status: 'resolved',
      owner: 'bot',
      workflow: 'order-status',
      escalation: null,
    });
    expect(t.handoff).toBeNull();
  });

  it('no order number and none on file: asks for it, then answers', async () => {
    const t = await play('order-status-ask-number.yaml', 'ask');
    expect(t.turns[0]?.bot[0]).toMatchObject({ kind: 'ask', step: 'ask_number' });
    expect(t.turns[1]?.bot[0]?.text).toMatch(/SB-100002.*being prepared/);
    expect(t.outcome.status).toBe('resolved');
  });

  it('several orders: offers them as choices, answers about the one chosen', async () => {
    const t = await play('order-status-choose.yaml', 'choose');
    const ask = t.turns[0]?.bot[0];
    expect(ask).toMatchObject({ kind: 'ask', step: 'choose_order' });
    expect(ask?.choices).toHaveLength(3);
    expect(t.turns[1]?.bot[0]?.step).toBe('say_delivered');
    expect(t.outcome.status).toBe('resolved');
  });

  it('not found: asks again, then escalates with a handoff packet and a person owns the conversation', async () => {
    const t = await play('order-status-not-found.yaml', 'not-found');
    expect(t.turns[0]?.bot[0]).toMatchObject({ kind: 'ask', step: 'ask_again' });
    expect(t.turns[1]?.bot[0]).toMatchObject({ kind: 'escalate', step: 'not_found' });
    expect(t.outcome).toMatchObject({ status: 'escalated', owner: 'human' });
    expect(t.outcome.escalation?.code).toBe('workflow_escalated');
    expect(t.handoff?.escalation.code).toBe('workflow_escalated');
    expect(t.handoff?.transcript).toHaveLength(4);
  });

  it('an explicit request for a person escalates at once', async () => {
    const t = await play('order-status-human.yaml', 'human');
    expect(t.turns[1]?.guardrail).toBe('escalate');
    expect(t.outcome.escalation?.code).toBe('human_requested');
    expect(t.turns[1]?.bot.map((b) => b.kind)).toEqual(['escalate']);
  });

  it('"no" to "did this answer your question" escalates as not resolved', async () => {
    const t = await play('order-status-not-resolved.yaml', 'not-resolved');
    expect(t.outcome.escalation?.code).toBe('not_resolved');
    expect(t.handoff?.suggestedNextStep).toBeTruthy();
  });

  it('stays silent once a person owns the conversation, and stores the turns', async () => {
    const script = join(dir, 'after-handoff.txt');
    writeFileSync(script, 'I need a human\nhello? anyone there?\n');
    const m = memoryIo({}, dir);
    expect(
      await main(
        ['node', 'switchboard', 'chat', '--db', db, '--script', script, '--conversation', 'silent'],
        m.io,
      ),
    ).toBe(0);
    const t = JSON.parse(m.stdout()) as Transcript;
    expect(t.turns[0]?.owner).toBe('human');
    expect(t.turns[1]?.bot).toEqual([]);
    const again = memoryIo({}, dir);
    // The same conversation id again: it is stored, so starting it twice is refused.
    expect(
      await main(
        ['node', 'switchboard', 'chat', '--db', db, '--script', script, '--conversation', 'silent'],
        again.io,
      ),
    ).toBe(2);
    expect(again.stderr()).toContain('silent');
  });
});

describe('switchboard chat: the knowledge base that npm start imports answers the billing FAQ', () => {
  it('quotes the best passage with its source, asks whether it helped, resolves on yes', async () => {
    const script = join(dir, 'billing.txt');
    writeFileSync(script, 'what is this charge on my card statement\nyes, thanks\n');
    const m = memoryIo({}, dir);
    expect(
      await main(
        ['node', 'switchboard', 'chat', '--db', db, '--script', script, '--conversation', 'kb-1'],
        m.io,
      ),
    ).toBe(0);
    const t = JSON.parse(m.stdout()) as Transcript;
    expect(t.turns[0]?.bot.map((b) => b.kind)).toEqual(['reply', 'confirm']);
    expect(t.turns[0]?.bot[0]?.text).toMatch(/Source: .+\(https:\/\/help\.sablebramble\.example\//);
    expect(t.outcome).toMatchObject({ status: 'resolved', workflow: 'billing-faq' });
  });
});

describe('switchboard chat, interactive', () => {
  it('prints the replies, intents with --debug, and the handoff packet on escalation', async () => {
    const m = memoryIo({}, dir);
    m.io.stdin = Readable.from(['where is my order\n', 'let me talk to a human\n', '\n']);
    const code = await main(
      ['node', 'switchboard', 'chat', '--db', db, '--customer', 'olivia.okafor@example.net', '--debug'],
      m.io,
    );
    expect(code).toBe(0);
    const out = m.stdout();
    expect(out).toContain('[intent order_status');
    expect(out).toMatch(/bot> Order SB-100001 has shipped/);
    expect(out).toContain('--- handoff packet ---');
    expect(out).toMatch(/human_requested/);
  });
});

describe('switchboard chat, interactive, as a process', () => {
  it('exits once an empty line ends the conversation, though stdin stays open', async () => {
    const r = await runCli(['chat', '--db', db, '--customer', 'olivia.okafor@example.net'], {
      cwd: dir,
      stdin: 'where is my order\n\n',
      keepStdinOpen: true,
      timeoutMs: 20_000,
    });
    expect(r.timedOut).toBe(false);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/bot> Order SB-100001 has shipped/);
  }, 30_000);
});

describe('switchboard chat --customer', () => {
  it("gives the conversation the demo shop customer's profile, as the tour does", async () => {
    const script = join(dir, 'profile.txt');
    writeFileSync(script, 'where is my order\n');
    const run = async (args: string[]) => {
      const m = memoryIo({}, dir);
      expect(await main(['node', 'switchboard', 'chat', '--db', db, '--script', script, ...args], m.io)).toBe(
        0,
      );
      return JSON.parse(m.stdout()) as Transcript & { customer: Record<string, unknown> };
    };
    const known = await run(['--customer', 'olivia.okafor@example.net', '--conversation', 'profile-1']);
    expect(known.customer).toEqual({
      id: 'olivia.okafor@example.net',
      email: 'olivia.okafor@example.net',
      name: 'Olivia Okafor',
      plan: 'pro',
      segment: 'pro',
      attributes: {},
    });
    // What the command line says wins; an address the shop does not know keeps what was given.
    const named = await run([
      '--customer',
      'olivia.okafor@example.net',
      '--name',
      'Liv',
      '--conversation',
      'profile-2',
    ]);
    expect(named.customer).toMatchObject({ name: 'Liv', plan: 'pro' });
    const stranger = await run(['--customer', 'nobody@nowhere.example', '--conversation', 'profile-3']);
    expect(stranger.customer).toEqual({
      id: 'nobody@nowhere.example',
      email: 'nobody@nowhere.example',
      attributes: {},
    });
  });
});

describe('switchboard chat --script: what the customer types is text', () => {
  it('a bare number picks a choice, as typed', async () => {
    const script = join(dir, 'number.yaml');
    writeFileSync(
      script,
      [
        'customer: { email: liam.garcia@mail.example, name: Liam Garcia, plan: business }',
        'turns:',
        '  - Can you tell me the status of my order?',
        '  - 2',
        '  - yes',
        '',
      ].join('\n'),
    );
    const run = await demo.play(script, 'number');
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const t = run.transcript as Transcript;
    expect(t.turns.map((turn) => turn.customer)).toEqual([
      'Can you tell me the status of my order?',
      '2',
      'yes',
    ]);
    expect(t.turns[0]?.bot[0]).toMatchObject({ kind: 'ask', step: 'choose_order' });
    expect(t.turns[1]?.bot[0]?.step).toBe('say_delivered');
  });
});

describe('switchboard chat --config', () => {
  it('global guardrails come from the configuration file', async () => {
    const script = join(dir, 'gibberish.txt');
    writeFileSync(script, 'qwxz blorp\n');
    const run = async (args: string[]) => {
      const m = memoryIo({}, dir);
      expect(await main(['node', 'switchboard', 'chat', '--db', db, '--script', script, ...args], m.io)).toBe(
        0,
      );
      return JSON.parse(m.stdout()) as Transcript;
    };
    // By default one clarifying question comes first ...
    expect((await run(['--conversation', 'cfg-1'])).turns[0]?.guardrail).toBe('clarify');
    // ... a deployment that allows none escalates at once.
    const config = join(dir, 'switchboard.yaml');
    writeFileSync(config, 'guardrails:\n  clarifyingQuestions: 0\n');
    const t = await run(['--conversation', 'cfg-2', '--config', config]);
    // Gibberish: out of scope or unsure, as the model's thresholds have it; either way not understood.
    expect(t.outcome.escalation?.code).toMatch(/^(out_of_scope|low_confidence)$/);
  });
});

describe('switchboard chat, bad input', () => {
  it('a script with an error names the file and line, exit 2', async () => {
    const script = join(dir, 'bad.yaml');
    writeFileSync(script, 'customer: { email: a@b.example }\nturns: []\n');
    const m = memoryIo({}, dir);
    expect(await main(['node', 'switchboard', 'chat', '--db', db, '--script', script], m.io)).toBe(2);
    expect(m.stderr()).toMatch(/bad\.yaml:2: turns: a script needs at least one customer turn/);
  });

  it('a missing model file is a clear error, exit 2', async () => {
    const m = memoryIo({}, dir);
    expect(
      await main(
        [
          'node',
          'switchboard',
          'chat',
          '--db',
          db,
          '--model',
          'nope.json',
          '--script',
          join(EXAMPLE_CHATS, 'order-status-happy.yaml'),
        ],
        m.io,
      ),
    ).toBe(2);
    expect(m.stderr()).toContain('nope.json');
  });
});

describe('switchboard chat: the log of a whole conversation', () => {
  it('logs at the level asked for, on stderr, and never the personal data or card the customer wrote', async () => {
    const script = join(dir, 'planted.yaml');
    writeFileSync(
      script,
      [
        'turns:',
        '  - "where is my order SB-100001? I am jane.doe@example.org, call +44 7700 900123"',
        '  - "my card is 4111 1111 1111 1111 cvv 123, can I just talk to a human please"',
        '',
      ].join('\n'),
    );
    const m = memoryIo({ SWITCHBOARD_LOG_LEVEL: 'debug' }, dir);
    const code = await main(
      [
        'node',
        'switchboard',
        'chat',
        '--db',
        db,
        '--script',
        script,
        '--conversation',
        'planted',
        '--customer',
        'jane.doe@example.org',
      ],
      m.io,
    );
    expect(code).toBe(0);
    const lines = m
      .stderr()
      .split('\n')
      .filter((l) => l.startsWith('{'));
    // Debug shows at least the deployment loading its model and knowledge base: there is a log to search.
    expect(lines.some((l) => JSON.parse(l).msg === 'NLU model loaded')).toBe(true);
    expect(lines.every((l) => typeof JSON.parse(l).level === 'number')).toBe(true);
    const log = lines.join('\n');
    for (const planted of [
      'jane.doe@example.org',
      '7700 900123',
      '4111 1111 1111 1111',
      '4111111111111111',
      'cvv 123',
    ]) {
      expect(log).not.toContain(planted);
    }
    // At the default level (warn) a conversation that goes well writes nothing there.
    const quiet = memoryIo({}, dir);
    expect(
      await main(
        ['node', 'switchboard', 'chat', '--db', db, '--script', script, '--conversation', 'planted-2'],
        quiet.io,
      ),
    ).toBe(0);
    expect(
      quiet
        .stderr()
        .split('\n')
        .filter((l) => l.startsWith('{')),
    ).toEqual([]);
  });
});
