import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { err, fakeClock, ok, UserError } from '../shared/index.ts';
import { capturingLogger } from './capturing-logger.ts';
import { type ConnectorFailure, defineConnector, defineOperation } from './connector.ts';
import { type ConnectorCall, type ConnectorEntry, createConnectorRegistry } from './registry.ts';

const SECRET = 'sk-live-do-not-log-4242';
const CUSTOMER_EMAIL = 'aiko.tanaka@mail.example';

const TestConfigSchema = z.strictObject({ apiKey: z.string().min(8), region: z.enum(['eu', 'us']) });
type TestConfig = z.infer<typeof TestConfigSchema>;

/** A scripted connector: each call to `flaky` takes the next failure from the queue, then succeeds. */
function testConnector() {
  const failures: ConnectorFailure[] = [];
  let flakyCalls = 0;
  const definition = defineConnector<TestConfig>({
    name: 'test',
    version: 2,
    description: 'For registry tests.',
    config: TestConfigSchema,
    operations: {
      echo: defineOperation({
        description: 'Echoes the email.',
        input: z.object({ email: z.email(), note: z.string().optional() }),
        output: z.object({ email: z.string() }),
        run: async (_ctx, input) => ok({ email: input.email }),
      }),
      flaky: defineOperation({
        description: 'Fails as scripted.',
        input: z.object({}),
        output: z.object({ calls: z.number() }),
        run: async () => {
          flakyCalls++;
          const next = failures.shift();
          return next ? err(next) : ok({ calls: flakyCalls });
        },
      }),
      slowIgnoringSignal: defineOperation({
        description: 'Never answers and ignores its signal.',
        input: z.object({}),
        output: z.object({}),
        run: () => new Promise(() => {}),
      }),
      wrongShape: defineOperation({
        description: 'Answers the wrong shape.',
        input: z.object({}),
        output: z.object({ count: z.number() }),
        run: async () => ok({ count: 'three' }) as never,
      }),
      throws: defineOperation({
        description: 'Throws (a bug in the connector).',
        input: z.object({}),
        output: z.object({}),
        run: async () => {
          throw new TypeError(`cannot read ${SECRET}`);
        },
      }),
      seesConfig: defineOperation({
        description: 'Answers its validated config.',
        input: z.object({}),
        output: z.object({ region: z.string() }),
        run: async (ctx) => ok({ region: ctx.config.region }),
      }),
    },
  });
  return { definition, failures, calls: () => flakyCalls };
}

function setup(options: { random?: () => number } = {}) {
  const { definition, failures, calls } = testConnector();
  const logger = capturingLogger();
  const sleeps: number[] = [];
  const clock = fakeClock();
  const registry = createConnectorRegistry({
    connectors: [{ definition, config: { apiKey: SECRET, region: 'eu' } }],
    clock,
    logger,
    sleep: async (ms) => {
      sleeps.push(ms);
      clock.advance(ms);
    },
    baseDelayMs: 100,
    maxDelayMs: 1000,
    ...options,
  });
  const call = (operation: string, input: unknown = {}, extra: Partial<ConnectorCall> = {}) =>
    registry.call({ connector: 'test', version: 2, operation, input, timeoutMs: 1000, retries: 3, ...extra });
  return { registry, logger, sleeps, failures, calls, call };
}

const retryable = (code: string): ConnectorFailure => ({
  code,
  message: `${code} happened`,
  retryable: true,
});

describe('createConnectorRegistry: config', () => {
  it('lists every config problem at once, with field paths, and never the values', () => {
    const a = testConnector().definition;
    const b = { ...testConnector().definition, name: 'other' };
    const build = () =>
      createConnectorRegistry({
        connectors: [
          { definition: a, config: { apiKey: 'short', region: 'mars', extra: SECRET } },
          { definition: b, config: {} },
        ],
        clock: fakeClock(),
        logger: capturingLogger(),
      });
    expect(build).toThrow(UserError);
    try {
      build();
    } catch (error) {
      const e = error as UserError;
      expect(e.code).toBe('connectors.invalid_config');
      expect(e.location?.field).toBe('connectors.test.apiKey');
      expect(e.message).toContain('5 problems');
      for (const field of ['connectors.test.apiKey', 'connectors.test.region', 'connectors.other.apiKey']) {
        expect(e.message).toContain(`${field}:`);
      }
      expect(e.message).toContain('"extra"');
      expect(e.message).not.toContain(SECRET);
      expect(e.message).not.toContain('mars');
    }
  });

  it('rejects a connector configured twice', () => {
    const { definition } = testConnector();
    const config = { apiKey: SECRET, region: 'eu' };
    expect(() =>
      createConnectorRegistry({
        connectors: [
          { definition, config },
          { definition, config },
        ],
        clock: fakeClock(),
        logger: capturingLogger(),
      }),
    ).toThrow(/connectors\.test: connector "test" is configured twice/);
  });

  it('adds operations declared by the config, and refuses one that shadows a built-in operation', () => {
    const { definition } = testConnector();
    const withExtra = (names: string[]) =>
      ({
        definition: {
          ...definition,
          operationsFromConfig: () =>
            Object.fromEntries(names.map((name) => [name, definition.operations.seesConfig!])),
        },
        config: { apiKey: SECRET, region: 'us' },
      }) satisfies ConnectorEntry;
    const registry = createConnectorRegistry({
      connectors: [withExtra(['lookup'])],
      clock: fakeClock(),
      logger: capturingLogger(),
    });
    expect(registry.catalogue().connectors[0]?.operations.map((o) => o.name)).toContain('lookup');
    expect(() =>
      createConnectorRegistry({
        connectors: [withExtra(['echo'])],
        clock: fakeClock(),
        logger: capturingLogger(),
      }),
    ).toThrow(/connectors\.test\.operations\.echo: "echo" is a built-in operation/);
  });

  it('hands operations the validated config', async () => {
    const { call } = setup();
    const outcome = await call('seesConfig');
    expect(outcome.result).toEqual({ ok: true, value: { region: 'eu' } });
  });

  it('describes its connectors in the catalogue', () => {
    const { registry } = setup();
    const [entry] = registry.catalogue().connectors;
    expect(entry?.name).toBe('test');
    expect(entry?.version).toBe(2);
    expect(entry?.operations.find((o) => o.name === 'echo')).toEqual({
      name: 'echo',
      inputFields: ['email', 'note'],
      requiredInputFields: ['email'],
      outputFields: ['email'],
    });
  });
});

describe('createConnectorRegistry: calls', () => {
  it('answers the validated output with one attempt', async () => {
    const { call } = setup();
    expect(await call('echo', { email: CUSTOMER_EMAIL })).toEqual({
      result: { ok: true, value: { email: CUSTOMER_EMAIL } },
      attempts: 1,
      durationMs: 0,
    });
  });

  it.each([
    [{ connector: 'nope' }, 'unknown_connector'],
    [{ version: 1 }, 'version_mismatch'],
    [{ operation: 'nope' }, 'unknown_operation'],
    [{ operation: 'toString' }, 'unknown_operation'],
  ])('returns a failure, without throwing, for %j', async (override, code) => {
    const { registry } = setup();
    const outcome = await registry.call({
      connector: 'test',
      version: 2,
      operation: 'echo',
      input: { email: CUSTOMER_EMAIL },
      timeoutMs: 1000,
      retries: 3,
      ...override,
    });
    expect(outcome.attempts).toBe(0);
    expect(outcome.result.ok).toBe(false);
    if (!outcome.result.ok) {
      expect(outcome.result.error.code).toBe(code);
      expect(outcome.result.error.retryable).toBe(false);
    }
  });

  it('names the failing input field and does not retry invalid input', async () => {
    const { call } = setup();
    const outcome = await call('echo', { email: 'not-an-email', note: 3 });
    expect(outcome.attempts).toBe(0);
    expect(outcome.result).toMatchObject({ ok: false, error: { code: 'invalid_input', retryable: false } });
    if (!outcome.result.ok) {
      expect(outcome.result.error.message).toContain('input field email:');
      expect(outcome.result.error.message).toContain('input field note:');
      expect(outcome.result.error.message).not.toContain('not-an-email');
    }
  });

  it('retries retryable failures with exponential backoff and jitter, then succeeds', async () => {
    const { call, failures, sleeps, calls } = setup({ random: () => 0.5 });
    failures.push(retryable('network'), retryable('http_503'), retryable('timeout'));
    const outcome = await call('flaky', {}, { retries: 3 });
    expect(outcome.result).toEqual({ ok: true, value: { calls: 4 } });
    expect(outcome.attempts).toBe(4);
    expect(calls()).toBe(4);
    // Equal jitter at random() = 0.5: three quarters of 100, 200, 400 ms.
    expect(sleeps).toEqual([75, 150, 300]);
    expect(outcome.durationMs).toBe(525);
  });

  it('keeps each wait between half and all of the capped exponential delay', async () => {
    const { call, failures, sleeps } = setup();
    for (let i = 0; i < 6; i++) failures.push(retryable('http_503'));
    await call('flaky', {}, { retries: 6 });
    const caps = [100, 200, 400, 800, 1000, 1000];
    expect(sleeps).toHaveLength(6);
    sleeps.forEach((ms, i) => {
      expect(ms).toBeGreaterThanOrEqual(caps[i]! / 2);
      expect(ms).toBeLessThanOrEqual(caps[i]!);
    });
  });

  it('gives up after `retries` retries with the last failure', async () => {
    const { call, failures, sleeps } = setup();
    failures.push(retryable('http_502'), retryable('http_503'), retryable('http_504'));
    const outcome = await call('flaky', {}, { retries: 2 });
    expect(outcome.attempts).toBe(3);
    expect(sleeps).toHaveLength(2);
    expect(outcome.result).toMatchObject({ ok: false, error: { code: 'http_504', retryable: true } });
  });

  it('does not retry a non-retryable failure', async () => {
    const { call, failures, sleeps } = setup();
    failures.push({ code: 'http_404', message: 'not found', retryable: false });
    const outcome = await call('flaky', {}, { retries: 3 });
    expect(outcome.attempts).toBe(1);
    expect(sleeps).toEqual([]);
    expect(outcome.result).toMatchObject({ ok: false, error: { code: 'http_404' } });
  });

  it('times out an operation that ignores its signal, as a retryable failure', async () => {
    const { call, sleeps } = setup();
    const outcome = await call('slowIgnoringSignal', {}, { timeoutMs: 20, retries: 1 });
    expect(outcome.attempts).toBe(2);
    expect(sleeps).toHaveLength(1);
    expect(outcome.result).toMatchObject({ ok: false, error: { code: 'timeout', retryable: true } });
  });

  it('turns a wrong output shape into a non-retryable bad_output failure naming the field', async () => {
    const { call } = setup();
    const outcome = await call('wrongShape');
    expect(outcome.attempts).toBe(1);
    expect(outcome.result).toMatchObject({ ok: false, error: { code: 'bad_output', retryable: false } });
    if (!outcome.result.ok) expect(outcome.result.error.message).toContain('output field count:');
  });

  it('turns a thrown error into a failure naming only the error type', async () => {
    const { call } = setup();
    const outcome = await call('throws');
    expect(outcome.result).toEqual({
      ok: false,
      error: { code: 'connector_error', message: 'the connector threw TypeError', retryable: false },
    });
  });

  it('logs connector, operation, attempt, duration and code, never inputs, outputs or config', async () => {
    const { call, failures, logger } = setup();
    failures.push(retryable('http_503'));
    await call('flaky');
    await call('echo', { email: CUSTOMER_EMAIL, note: 'my card ends 4242' });
    await call('seesConfig');
    await call('throws');
    expect(logger.lines.map((l) => [l.level, l.fields.operation, l.fields.attempt, l.fields.code])).toEqual([
      ['warn', 'flaky', 1, 'http_503'],
      ['debug', 'flaky', 2, undefined],
      ['debug', 'echo', 1, undefined],
      ['debug', 'seesConfig', 1, undefined],
      ['warn', 'throws', 1, 'connector_error'],
    ]);
    for (const line of logger.lines) {
      expect(Object.keys(line.fields).sort()).toEqual(
        expect.arrayContaining(['attempt', 'connector', 'durationMs', 'operation']),
      );
    }
    const text = logger.text();
    for (const value of [SECRET, CUSTOMER_EMAIL, '4242', 'eu']) expect(text).not.toContain(value);
  });
});
