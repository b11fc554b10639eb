import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNlu, type IntentModel, serialiseModel } from '../nlu/index.ts';
import { UserError } from '../shared/index.ts';
import { loadDeploymentConfig, openDeployment } from './deployment.ts';
import { trainDemoIntentModel } from './testing.ts';

const dir = mkdtempSync(join(tmpdir(), 'sb-deployment-'));
let model: IntentModel;
beforeAll(async () => {
  model = await trainDemoIntentModel();
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('openDeployment', () => {
  it('wires no connector and no workflow that the configuration does not name', async () => {
    const empty = join(dir, 'empty');
    mkdirSync(empty);
    const { config, baseDir, configFile } = loadDeploymentConfig({ cwd: empty });
    expect(configFile).toBeNull();
    const deployment = await openDeployment({ config, baseDir, overrides: { db: ':memory:' } });
    try {
      expect(deployment.connectors.catalogue().connectors).toEqual([]);
      expect(deployment.workflows).toEqual([]);
      expect(deployment.nlu()).toBeNull();
    } finally {
      await deployment.close();
    }
  });

  it('refuses workflows that need a connector the deployment does not configure, listing each place', async () => {
    const error = await openDeployment({
      config: { workflows: { demo: true } },
      baseDir: dir,
      overrides: { db: ':memory:' },
    }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(UserError);
    const message = (error as UserError).message;
    expect(message).toMatch(/the workflows in .* have \d+ error\(s\)/);
    expect(message).toMatch(
      /order-status\.yaml:\d+:\d+: error workflow\.unknown_connector: unknown connector "demo-shop"/,
    );
    expect(message).toContain('add it under connectors: in switchboard.yaml');
  });

  it('reads relative paths from the configuration file folder, and lists every configuration problem', async () => {
    const folder = join(dir, 'configured');
    mkdirSync(join(folder, 'flows'), { recursive: true });
    writeFileSync(join(folder, 'switchboard.yaml'), 'store: { url: data.db }\nworkflows: { dir: flows }\n');
    const { config, baseDir } = loadDeploymentConfig({ cwd: dir, option: join(folder, 'switchboard.yaml') });
    const deployment = await openDeployment({ config, baseDir });
    try {
      expect(deployment.store.capabilities.location).toBe(join(folder, 'data.db'));
      expect(deployment.workflowsDir).toBe(join(folder, 'flows'));
    } finally {
      await deployment.close();
    }
    writeFileSync(
      join(folder, 'bad.yaml'),
      'server:\n  port: "eighty"\njobs:\n  concurrency: 0\nmodels: {}\n',
    );
    expect(() => loadDeploymentConfig({ cwd: folder, option: 'bad.yaml' })).toThrow(
      /3 problems:[\s\S]*bad\.yaml:2: server\.port[\s\S]*bad\.yaml:4: jobs\.concurrency[\s\S]*models/,
    );
  });

  it('loads the active model from the store, and every process picks up a newly activated one', async () => {
    const db = join(dir, 'shared.db');
    const config = { store: { url: db } };
    const first = await openDeployment({ config, baseDir: dir });
    const second = await openDeployment({ config, baseDir: dir });
    try {
      expect(first.versions()).toEqual({ nlu: null, kb: null });
      second.watch();
      await first.store.saveArtifact({
        kind: 'nlu-model',
        content: serialiseModel(model),
        by: 'test',
        activate: true,
        at: Date.now(),
      });
      const started = Date.now();
      while (second.versions().nlu !== 1 && Date.now() - started < 5000) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(second.versions().nlu).toBe(1);
      expect(Date.now() - started).toBeLessThan(3000);
      expect(second.analyse('where is my order?').intent).toBe('order_status');
      // A model this build cannot read is kept out and said, not a crash.
      await first.store.saveArtifact({
        kind: 'nlu-model',
        content: JSON.stringify({ format: 'switchboard-nlu-model', formatVersion: 1 }),
        by: 'test',
        activate: true,
        at: Date.now(),
      });
      await second.reload();
      expect(second.versions().nlu).toBe(2);
      expect(second.nlu()).toBeNull();
      expect(second.problems().nlu).toMatch(/nlu-model v2/);
    } finally {
      await first.close();
      await second.close();
    }
  });
});

const url = process.env.SWITCHBOARD_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
async function reachable(): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.end();
    return true;
  } catch {
    return false;
  }
}
const pgAvailable = await reachable();
if (!pgAvailable && process.env.SWITCHBOARD_REQUIRE_PG === '1') {
  throw new Error('PostgreSQL is required but does not answer');
}

describe.skipIf(!pgAvailable)('openDeployment on PostgreSQL', () => {
  it('tells every process of a newly activated model within seconds (LISTEN / NOTIFY)', async () => {
    const schema = `sb_test_deploy_${process.pid}_${Date.now().toString(36)}`;
    const env = { DATABASE_URL: url, SWITCHBOARD_PG_SCHEMA: schema };
    const first = await openDeployment({ config: {}, baseDir: dir, env });
    const second = await openDeployment({ config: {}, baseDir: dir, env });
    try {
      second.watch();
      // Let the listener connect before the change.
      await new Promise((resolve) => setTimeout(resolve, 300));
      const started = Date.now();
      await first.store.saveArtifact({
        kind: 'nlu-model',
        content: serialiseModel(model),
        by: 'test',
        activate: true,
        at: Date.now(),
      });
      while (second.versions().nlu !== 1 && Date.now() - started < 5000) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(second.versions().nlu).toBe(1);
      // Faster than the 2 s poll: the notification did it.
      expect(Date.now() - started).toBeLessThan(1500);
      expect(createNlu({ model }).model.labels).toEqual(second.nlu()?.model.labels);
    } finally {
      await first.close();
      await second.close();
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      await client.query(`drop schema if exists ${schema} cascade`);
      await client.query(`drop schema if exists ${schema}_jobs cascade`);
      await client.end();
    }
  }, 30_000);
});
