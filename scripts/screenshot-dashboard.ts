/**
 * `npm run docs:screenshots:dashboard [-- --out DIR]`: the leads' dashboard for the docs, after a simulated
 * fortnight. Plays `switchboard simulate --days 14 --seed 1` on the demo deployment (a temporary SQLite file, a
 * real server on 127.0.0.1), then serves the same store on the system clock, signs a lead in in headless Debian
 * Chromium (playwright-core; no browser download) and writes docs/images/dashboard.png, 1280 px wide. Needs
 * /usr/bin/chromium (`apt-get install -y chromium`).
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simulate } from '../src/app/index.ts';
import { openDemoDeployment, openDemoForSimulation, trainDemoIntentModel } from '../src/app/testing.ts';
import { startServer } from '../src/server/index.ts';
import { launchScreenshotBrowser, signInToInbox } from '../src/testing/chromium.ts';
import { screenshotOutDir } from './screenshot-options.ts';

const outDir = screenshotOutDir();

const work = mkdtempSync(join(tmpdir(), 'switchboard-dashboard-screens-'));
try {
  const db = join(work, 'switchboard.db');
  const model = await trainDemoIntentModel();
  const serve = (deployment: Awaited<ReturnType<typeof openDemoDeployment>>) =>
    startServer({ deployment, host: '127.0.0.1', port: 0, widget: async () => null });
  const { summary } = await simulate({
    open: openDemoForSimulation({ model, db }),
    serve,
    days: 14,
    seed: 1,
    perDay: 30,
    now: Date.now(),
    retrain: false,
  });
  console.log(`simulated ${summary.conversations} conversations`);

  const deployment = await openDemoDeployment({ model, db });
  try {
    const password = 'dashboard-screens-1';
    await deployment.people.addUser({
      email: 'lea.lead@example.com',
      name: 'Lea Lead',
      role: 'lead',
      password,
      by: 'screenshots',
    });
    const server = await serve(deployment);
    const context = await launchScreenshotBrowser(work);
    try {
      const page = context.pages()[0] ?? (await context.newPage());
      await signInToInbox(page, server.url, 'lea.lead@example.com', password);
      await page.goto(`${server.url}/inbox/dashboard`);
      await page.locator('svg').first().waitFor();
      mkdirSync(outDir, { recursive: true });
      await page.screenshot({ path: join(outDir, 'dashboard.png'), fullPage: true });
    } finally {
      await context.close();
      await server.close(1000);
    }
  } finally {
    await deployment.close();
  }
  console.log(`wrote ${join(outDir, 'dashboard.png')}`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
