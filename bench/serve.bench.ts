// npm run bench:serve [-- --conversations N --concurrency N --warmup N --in-process N --cpu-prof DIR --dump FILE]
// The HTTP service under bounded load, as a user runs it: `switchboard serve` (compiled dist/, built first) on a
// SQLite store in its own process, and a client here (fetch, the event stream parsed by hand) that keeps
// `--concurrency` scripted 5-turn conversations going at once until `--conversations` have run. Per turn: POST the
// customer message (with an Idempotency-Key), then wait for the stream's `turn` event for its seq; latency is from
// just before the POST to that event's arrival, connector calls included (the demo shop is in process). A turn not
// answered within 10 s, or any non-2xx answer, is an error and ends its conversation.
// Three measurements in one run:
//   1. in process: the same scripts through the jobs without HTTP (`measureInProcess`), first, on a store of its own
//      prepared the same way, before the server starts;
//   2. capacity: the conversations back to back (each sends its next message as soon as the last is answered):
//      the most turns/s the service answers; the latency here is a saturated server's;
//   3. at the target load: the same 50 conversations paced so that together they send 0.5 x the in-process turns/s
//      (each waits between its messages, as customers do): the latency a customer sees at that load.
// Targets: capacity >= 0.5 x in-process turns/s; p99 <= 50 ms at that load (and the load reached); server peak
// RSS <= 300 MB. Prints a table and one JSON line. `--cpu-prof DIR` runs the server with `node --cpu-prof` and
// leaves its profile in DIR; `--dump FILE` writes every measured turn of the capacity run and the server's /metrics after it (FILE.paced: the
// target-load run's).

import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { stringify } from 'yaml';
import { createApiKey } from '../src/access/index.ts';
import { openStore } from '../src/app/index.ts';
import { ServerConfigSchema } from '../src/config/index.ts';
import { quantile, sortedNumbers } from '../src/shared/index.ts';
import { demoConfig, prepareDemoStore, SCRIPTS } from './demo-deployment.ts';
import { type InProcessFigures, measureInProcess } from './engine.bench.ts';

const args = process.argv.slice(2);
const flag = (name: string, fallback: number) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const textFlag = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const concurrency = flag('--concurrency', 50);
const conversations = flag('--conversations', 1000);
const warmup = flag('--warmup', 50);
// As many as over HTTP by default: the jobs table grows with every turn, and a claim's cost with it.
const inProcessConversations = flag('--in-process', conversations);
const cpuProfDir = textFlag('--cpu-prof');
/** One line per measured turn, `startMs postMs turnMs index` (start from the window's start); /metrics in FILE.metrics. */
const dumpFile = textFlag('--dump');
/** A turn not answered within this is an error. */
const TURN_TIMEOUT_MS = 10_000;
const targets = { ratio: 0.5, p99Ms: 50, serverPeakRssMb: 300 };

// ---- the server process ----------------------------------------------------------------------------------------

interface ServerProcess {
  child: ChildProcess;
  url: string;
  /** The server's stderr lines so far (pino JSON). */
  stderr: string[];
  exited: Promise<number | null>;
}

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolvePort(port));
    });
  });
}

function startServerProcess(configFile: string, port: number): ServerProcess {
  const node = [
    // SWITCHBOARD_BENCH_NODE_FLAGS: Node flags for the server only (say, --max-old-space-size=160).
    ...(process.env.SWITCHBOARD_BENCH_NODE_FLAGS ?? '').split(' ').filter(Boolean),
    ...(cpuProfDir ? ['--cpu-prof', '--cpu-prof-dir', resolve(cpuProfDir)] : []),
  ];
  const child = spawn(
    process.execPath,
    [...node, 'bin/switchboard.js', 'serve', '--config', configFile, '--port', String(port)],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, SWITCHBOARD_LOG_LEVEL: 'info' } },
  );
  const stderr: string[] = [];
  let partial = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    const lines = (partial + chunk).split('\n');
    partial = lines.pop() ?? '';
    stderr.push(...lines.filter((l) => l.trim() !== ''));
  });
  child.stdout?.resume();
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  return { child, url: `http://127.0.0.1:${port}`, stderr, exited };
}

/** `switchboard_nodejs_heap_size_used_bytes` from the server's /metrics, in MB. */
async function heapUsedMb(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const match = /^switchboard_nodejs_heap_size_used_bytes (\S+)$/m.exec(text);
  return match ? Math.round(Number(match[1]) / 1e6) : 0;
}

async function waitReady(server: ServerProcess, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  let gone = false;
  void server.exited.then(() => {
    gone = true;
  });
  while (performance.now() < deadline) {
    if (gone) throw new Error(`the server exited before it was ready:\n${server.stderr.join('\n')}`);
    try {
      const res = await fetch(`${server.url}/readyz`, { signal: AbortSignal.timeout(1000) });
      await res.arrayBuffer();
      if (res.status === 200) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the server was not ready within ${timeoutMs} ms`);
}

const CLOCK_TICKS = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

/** User + system CPU seconds of a process, from /proc/<pid>/stat. */
function cpuSecondsOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces): state is field 3, utime 14, stime 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

/** CPU seconds spent by the whole machine (all cores, every process), from /proc/stat. */
function machineCpuSeconds(): number {
  const [, ...ticks] = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '').trim().split(/\s+/);
  // user nice system idle iowait irq softirq steal: busy is all but idle and iowait.
  const busy = ticks.slice(0, 8).reduce((sum, t, i) => (i === 3 || i === 4 ? sum : sum + Number(t)), 0);
  return busy / CLOCK_TICKS;
}

/** Peak resident set (VmHWM) of a process, MB. */
function peakRssMbOf(pid: number): number {
  const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Math.round(Number(match[1]) / 1024) : Number.NaN;
}

// ---- the client ------------------------------------------------------------------------------------------------

interface Tally {
  turns: number;
  /** Per turn: start (performance.now()), POST answered and turn event arrived (ms after the start), turn index. */
  timeline: [number, number, number, number][];
  latencies: number[];
  /** From before the POST to its 202. */
  postLatencies: number[];
  errors: Record<string, number>;
  /** Turn events whose customer message got no bot or agent line before them. */
  turnsWithoutReply: number;
  duplicateMessages: number;
  duplicateTurns: number;
  /** Status after each conversation's last turn (from the stream's `state` events). */
  lastStatus: Record<string, number>;
}

function newTally(): Tally {
  return {
    turns: 0,
    timeline: [],
    latencies: [],
    postLatencies: [],
    errors: {},
    turnsWithoutReply: 0,
    duplicateMessages: 0,
    duplicateTurns: 0,
    lastStatus: {},
  };
}

class TurnError extends Error {
  constructor(readonly kind: string) {
    super(kind);
  }
}

/** A conversation's event stream, read by hand: `turn` arrival times by seq, the messages seen, the state. */
function openStream(url: string, token: string, tally: Tally) {
  const abort = new AbortController();
  const turnsAt = new Map<number, number>();
  const waiters = new Map<number, (at: number) => void>();
  const messageSeqs = new Set<number>();
  let lastReplySeq = -1;
  let status = 'open';
  let readyResolve: () => void = () => {};
  let readyReject: (error: Error) => void = () => {};
  const ready = new Promise<void>((ok, fail) => {
    readyResolve = ok;
    readyReject = fail;
  });

  const dispatch = (event: string, data: string) => {
    const at = performance.now();
    if (event === 'ready') {
      readyResolve();
    } else if (event === 'message') {
      const { messages } = JSON.parse(data) as { messages: { seq: number; role: string }[] };
      for (const m of messages) {
        if (messageSeqs.has(m.seq)) tally.duplicateMessages++;
        messageSeqs.add(m.seq);
        if (m.role !== 'customer') lastReplySeq = Math.max(lastReplySeq, m.seq);
      }
    } else if (event === 'state') {
      status = (JSON.parse(data) as { status: string }).status;
    } else if (event === 'turn') {
      const { seq } = JSON.parse(data) as { seq: number };
      if (turnsAt.has(seq)) {
        tally.duplicateTurns++;
        return;
      }
      if (lastReplySeq < seq) tally.turnsWithoutReply++;
      turnsAt.set(seq, at);
      waiters.get(seq)?.(at);
    }
  };

  const pump = (async () => {
    const res = await fetch(url, { headers: { authorization: `Bearer ${token}` }, signal: abort.signal });
    if (res.status !== 200 || !res.body) {
      await res.body?.cancel();
      throw new TurnError(`stream ${res.status}`);
    }
    const decoder = new TextDecoder();
    let buffer = '';
    for await (const chunk of res.body) {
      buffer += decoder.decode(chunk as Uint8Array, { stream: true }).replace(/\r\n?/g, '\n');
      let end = buffer.indexOf('\n\n');
      while (end >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        let event = 'message';
        const data: string[] = [];
        for (const line of block.split('\n')) {
          if (line.startsWith(':')) continue;
          const colon = line.indexOf(':');
          const field = colon < 0 ? line : line.slice(0, colon);
          const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
          if (field === 'event') event = value;
          else if (field === 'data') data.push(value);
        }
        if (data.length > 0 || event === 'ready') dispatch(event, data.join('\n'));
        end = buffer.indexOf('\n\n');
      }
    }
  })();
  pump.catch((error: unknown) => {
    readyReject(error instanceof TurnError ? error : new TurnError('stream failed'));
  });

  return {
    ready,
    get status() {
      return status;
    },
    /** When the `turn` event for `seq` arrived (performance.now()); rejects at `deadline`. */
    turn(seq: number, deadline: number): Promise<number> {
      const arrived = turnsAt.get(seq);
      if (arrived !== undefined) return Promise.resolve(arrived);
      return new Promise<number>((done, fail) => {
        const timer = setTimeout(
          () => {
            waiters.delete(seq);
            fail(new TurnError('timeout'));
          },
          Math.max(0, deadline - performance.now()),
        );
        waiters.set(seq, (at) => {
          clearTimeout(timer);
          waiters.delete(seq);
          done(at);
        });
      });
    },
    close() {
      abort.abort();
      pump.catch(() => {});
    },
  };
}

async function postJson(url: string, auth: string, body: unknown, headers: Record<string, string> = {}) {
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { authorization: `Bearer ${auth}`, 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(TURN_TIMEOUT_MS),
    });
  } catch (error) {
    throw new TurnError((error as Error).name === 'TimeoutError' ? 'timeout' : 'network');
  }
  const json = (await res.json().catch(() => null)) as unknown;
  if (res.status < 200 || res.status > 299) throw new TurnError(`http ${res.status}`);
  return json;
}

async function converse(
  baseUrl: string,
  key: string,
  script: (typeof SCRIPTS)[number],
  tally: Tally,
  /** Paced: the next message goes this long after the previous one was sent (or at once when it is late). */
  intervalMs = 0,
) {
  const local = script.email.split('@')[0] ?? 'customer';
  const name = local
    .split('.')
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join(' ');
  const started = (await postJson(`${baseUrl}/v1/conversations`, key, {
    customer: { email: script.email, name },
  })) as { conversation: { id: string }; token: string };
  const id = encodeURIComponent(started.conversation.id);
  const stream = openStream(`${baseUrl}/v1/conversations/${id}/events`, started.token, tally);
  try {
    await stream.ready;
    // Paced, the first message waits too (a random part of the interval), or each new conversation would add its
    // first message to the rate unpaced.
    let due = performance.now() + intervalMs * Math.random();
    for (const [index, text] of script.turns.entries()) {
      const wait = due - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      const t0 = performance.now();
      // Spread out, so the paced conversations do not fall into step.
      due = t0 + intervalMs * (0.5 + Math.random());
      const posted = (await postJson(
        `${baseUrl}/v1/conversations/${id}/messages`,
        started.token,
        { text },
        { 'idempotency-key': randomUUID() },
      )) as { message: { seq: number } };
      const postedAt = performance.now();
      tally.postLatencies.push(postedAt - t0);
      const at = await stream.turn(posted.message.seq, t0 + TURN_TIMEOUT_MS);
      tally.latencies.push(at - t0);
      tally.timeline.push([t0, postedAt - t0, at - t0, index]);
      tally.turns++;
    }
    tally.lastStatus[stream.status] = (tally.lastStatus[stream.status] ?? 0) + 1;
  } finally {
    stream.close();
  }
}

/**
 * `total` conversations, `parallel` at a time; an error ends its conversation and is counted. With `intervalMs`, each
 * conversation sends a message every `intervalMs` on average instead of as soon as the last was answered.
 */
async function runLoad(
  baseUrl: string,
  key: string,
  total: number,
  parallel: number,
  intervalMs = 0,
): Promise<Tally> {
  const tally = newTally();
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < total; i = next++) {
      try {
        await converse(baseUrl, key, SCRIPTS[i % SCRIPTS.length]!, tally, intervalMs);
      } catch (error) {
        const kind = error instanceof TurnError ? error.kind : `client: ${(error as Error).message}`;
        tally.errors[kind] = (tally.errors[kind] ?? 0) + 1;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, total) }, worker));
  return tally;
}

// ---- the run ---------------------------------------------------------------------------------------------------

interface HttpFigures {
  conversations: number;
  concurrency: number;
  turns: number;
  seconds: number;
  turnsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  postP50Ms: number;
  postP99Ms: number;
  errors: number;
  errorKinds: Record<string, number>;
  serverCpuSeconds: number;
  clientCpuSeconds: number;
  otherCpuSeconds: number;
  serverPeakRssMb: number;
  /** The server's V8 heap in use at the end of the run (its /metrics), to tell live memory from heap slack. */
  serverHeapUsedMb: number;
  turnsWithoutReply: number;
  duplicateMessages: number;
  duplicateTurns: number;
  lastTurnStatus: Record<string, number>;
  runtime: 'dist' | 'tsx';
}

const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;

const dir = mkdtempSync(join(tmpdir(), 'sb-bench-serve-'));
let server: ServerProcess | null = null;
const cleanUp = () => {
  if (server && server.child.exitCode === null && server.child.signalCode === null) {
    server.child.kill('SIGKILL');
  }
  rmSync(dir, { recursive: true, force: true });
};
process.once('exit', cleanUp);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    cleanUp();
    process.exit(130);
  });
}

/** SIGTERM, then SIGKILL if it has not stopped within `graceMs`; the exit code, or null when killed. */
async function stopServer(running: ServerProcess, graceMs: number): Promise<number | null> {
  if (running.child.exitCode !== null || running.child.signalCode !== null) return running.child.exitCode;
  running.child.kill('SIGTERM');
  const timer = setTimeout(() => running.child.kill('SIGKILL'), graceMs);
  const code = await running.exited;
  clearTimeout(timer);
  return code;
}

let http: HttpFigures;
let paced: HttpFigures & { offeredTurnsPerSecond: number };
let inProcess: InProcessFigures;
let serverExit: number | null;
let serverLog: { warnings: number; errors: number; samples: string[] };
try {
  // The CLI as a user runs it: compiled (bin/load-main.js runs dist/ when it is current).
  execFileSync(process.execPath, ['scripts/build.mjs'], { stdio: ['ignore', 'ignore', 'inherit'] });
  const { distIsCurrent } = (await import(pathToFileURL(resolve('bin/load-main.js')).href)) as {
    distIsCurrent: () => boolean;
  };

  // The reference first, with the machine to itself: the same scripts without HTTP, on a store of its own.
  const db2 = join(dir, 'in-process.db');
  await prepareDemoStore(db2);
  inProcess = await measureInProcess(db2, inProcessConversations);

  const db = join(dir, 'serve.db');
  await prepareDemoStore(db);
  const store = await openStore({ db });
  const { secret: key } = await createApiKey({
    store,
    name: 'bench',
    scopes: ['conversations'],
    by: 'bench',
    at: Date.now(),
  });
  await store.close();
  const port = await freePort();
  const config = demoConfig(
    db,
    ServerConfigSchema.parse({
      host: '127.0.0.1',
      port,
      rateLimit: { perKeyPerMinute: 10_000_000, perAddressPerMinute: 10_000_000 },
    }),
  );
  const configFile = join(dir, 'switchboard.yaml');
  writeFileSync(configFile, stringify(config));

  const runtime = distIsCurrent() ? 'dist' : 'tsx';
  server = startServerProcess(configFile, port);
  await waitReady(server, 60_000);
  const pid = server.child.pid!;
  const running = server;

  /** Runs a load and reads its figures: the client's and the server's. */
  const measure = async (total: number, intervalMs: number) => {
    const serverCpu0 = cpuSecondsOf(pid);
    const machineCpu0 = machineCpuSeconds();
    const clientCpu0 = process.cpuUsage();
    const t0 = performance.now();
    const tally = await runLoad(running.url, key, total, concurrency, intervalMs);
    const wallMs = performance.now() - t0;
    const clientCpu = process.cpuUsage(clientCpu0);
    const serverCpuSeconds = cpuSecondsOf(pid) - serverCpu0;
    const machineCpu = machineCpuSeconds() - machineCpu0;
    const sorted = sortedNumbers(tally.latencies);
    const posts = sortedNumbers(tally.postLatencies);
    const figures: HttpFigures = {
      conversations: total,
      concurrency,
      turns: tally.turns,
      seconds: round(wallMs / 1000, 2),
      turnsPerSecond: Math.round(tally.turns / (wallMs / 1000)),
      p50Ms: round(quantile(sorted, 0.5) ?? 0, 2),
      p99Ms: round(quantile(sorted, 0.99) ?? 0, 2),
      maxMs: round(sorted[sorted.length - 1] ?? 0, 2),
      postP50Ms: round(quantile(posts, 0.5) ?? 0, 2),
      postP99Ms: round(quantile(posts, 0.99) ?? 0, 2),
      errors: Object.values(tally.errors).reduce((a, b) => a + b, 0),
      errorKinds: tally.errors,
      serverCpuSeconds: round(serverCpuSeconds, 2),
      clientCpuSeconds: round((clientCpu.user + clientCpu.system) / 1e6, 2),
      // Anything else the machine ran during the window (another build, tests) competes with both.
      otherCpuSeconds: round(
        Math.max(0, machineCpu - serverCpuSeconds - (clientCpu.user + clientCpu.system) / 1e6),
        2,
      ),
      serverPeakRssMb: peakRssMbOf(pid),
      serverHeapUsedMb: await heapUsedMb(running.url),
      turnsWithoutReply: tally.turnsWithoutReply,
      duplicateMessages: tally.duplicateMessages,
      duplicateTurns: tally.duplicateTurns,
      lastTurnStatus: tally.lastStatus,
      runtime,
    };
    return { figures, tally, t0 };
  };

  await runLoad(server.url, key, warmup, concurrency);
  const capacity = await measure(conversations, 0);
  http = capacity.figures;
  /** Every measured turn of a run in FILE (`startMs postMs turnMs index`, from the run's start), its /metrics in FILE.metrics. */
  const dump = async (file: string, run: Awaited<ReturnType<typeof measure>>) => {
    const lines = run.tally.timeline.map(
      ([at, post, turn, index]) =>
        `${(at - run.t0).toFixed(1)} ${post.toFixed(2)} ${turn.toFixed(2)} ${index}`,
    );
    writeFileSync(file, `${lines.join('\n')}\n`);
    // The server's own view (request and job durations, event-loop delay) beside the client's.
    writeFileSync(`${file}.metrics`, await (await fetch(`${running.url}/metrics`)).text());
  };
  if (dumpFile) await dump(dumpFile, capacity);

  // The target load: 0.5 x the in-process turns/s, sent by the same number of conversations, for about 20 s.
  const offered = flag('--load', targets.ratio) * inProcess.turnsPerSecond;
  const intervalMs = (concurrency / offered) * 1000;
  const pacedConversations = Math.max(concurrency * 2, Math.round((offered * 20) / 5));
  const atTarget = await measure(pacedConversations, intervalMs);
  paced = { ...atTarget.figures, offeredTurnsPerSecond: Math.round(offered) };
  if (dumpFile) await dump(`${dumpFile}.paced`, atTarget);
  serverExit = await stopServer(server, 15_000);

  const levels = server.stderr.map((line) => {
    try {
      return { level: (JSON.parse(line) as { level?: number }).level ?? 0, line };
    } catch {
      return { level: 40, line };
    }
  });
  const loud = levels.filter((l) => l.level >= 40);
  serverLog = {
    warnings: loud.filter((l) => l.level < 50).length,
    errors: loud.filter((l) => l.level >= 50).length,
    samples: loud.slice(0, 3).map((l) => l.line.slice(0, 300)),
  };
} finally {
  if (server) await stopServer(server, 5000);
  cleanUp();
}

const ratio = round(http.turnsPerSecond / inProcess.turnsPerSecond, 2);
const pass = {
  ratio: ratio >= targets.ratio,
  // At the target load: its p99, with the load actually sent and answered (within 5%).
  p99:
    paced.p99Ms <= targets.p99Ms &&
    paced.errors === 0 &&
    paced.turnsPerSecond >= 0.95 * paced.offeredTurnsPerSecond,
  serverPeakRss: Math.max(http.serverPeakRssMb, paced.serverPeakRssMb) <= targets.serverPeakRssMb,
};
const met = (ok: boolean) => (ok ? 'met' : 'NOT met');
console.log(
  `\nbench:serve: scripted 5-turn conversations over HTTP (POST + event stream), ${http.concurrency} at once, ` +
    `\`switchboard serve\` (${http.runtime}) on SQLite in its own process, jobs in it; beside the same scripts in process`,
);
console.log(
  '| mode | conversations | turns | seconds | turns/s | p50 ms | p99 ms | max ms | errors | CPU s | peak RSS MB |',
);
console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const [name, f] of [
  [`http, ${http.concurrency} back to back (capacity)`, http],
  [`http, ${paced.concurrency} paced to ${paced.offeredTurnsPerSecond} turns/s (target load)`, paced],
] as const) {
  console.log(
    `| ${name} | ${f.conversations} | ${f.turns} | ${f.seconds} | ${f.turnsPerSecond} | ` +
      `${f.p50Ms} | ${f.p99Ms} | ${f.maxMs} | ${f.errors} | ${f.serverCpuSeconds} (server) | ${f.serverPeakRssMb} (server) |`,
  );
}
console.log(
  `| in-process, one at a time | ${inProcess.conversations} | ${inProcess.turns} | ${inProcess.seconds} | ` +
    `${inProcess.turnsPerSecond} | ${inProcess.p50Ms} | ${inProcess.p99Ms} | ${inProcess.maxMs} | - | ${inProcess.cpuSeconds} | ` +
    `${inProcess.maxRssMb} (bench) |`,
);
console.log(
  `targets: capacity >= ${targets.ratio} x in-process turns/s (ratio ${ratio}) ${met(pass.ratio)}; ` +
    `p99 <= ${targets.p99Ms} ms at ${paced.offeredTurnsPerSecond} turns/s ${met(pass.p99)}; ` +
    `server peak RSS <= ${targets.serverPeakRssMb} MB ${met(pass.serverPeakRss)}`,
);
for (const [name, f] of [
  ['capacity', http],
  ['target load', paced],
] as const) {
  console.log(
    `${name}: POST p50 ${f.postP50Ms} ms, p99 ${f.postP99Ms} ms; server heap in use ${f.serverHeapUsedMb} MB; client CPU ${f.clientCpuSeconds} s, other processes ${f.otherCpuSeconds} s; ` +
      `errors ${JSON.stringify(f.errorKinds)}; turns without a reply ${f.turnsWithoutReply}; duplicate messages ` +
      `${f.duplicateMessages}, turn events ${f.duplicateTurns}; status after the last turn ${JSON.stringify(f.lastTurnStatus)}`,
  );
}
console.log(
  `server: exit code ${serverExit}; ${serverLog.warnings} warnings, ${serverLog.errors} errors in its log` +
    (serverLog.samples.length > 0 ? `\n  ${serverLog.samples.join('\n  ')}` : '') +
    (cpuProfDir ? `\n  CPU profile in ${resolve(cpuProfDir)}` : '') +
    '\n',
);
console.log(
  JSON.stringify({
    bench: 'serve',
    http,
    paced,
    inProcess,
    ratio,
    targets,
    pass,
    server: { exitCode: serverExit, ...serverLog },
  }),
);
