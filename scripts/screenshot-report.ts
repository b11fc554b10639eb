/**
 * `npm run docs:screenshots [-- --tickets N --seed S]`: audits the demo history (generated in memory, the same
 * as `switchboard demo generate` + import) into a temporary directory, opens its report.html in headless
 * Debian Chromium (driven by playwright-core; no browser download) and writes to docs/images/:
 * audit-report.png (the full page) and audit-matrix.png (the volume x simplicity chart). When the TWCS sample
 * is in ../shared/data, also audit-twcs-topics.png (its topics: no labels there), audit-twcs-companies.png
 * (first response by company), audit-twcs-header.png (the top of the page) and audit-twcs-weekly.png.
 * Needs /usr/bin/chromium (`apt-get install -y chromium`); works offline, like the report itself.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { openStore } from '../src/app/index.ts';
import { discoverTopics, loadExclusionRules, runAudit, writeAuditOutputs } from '../src/audit/index.ts';
import { demoTicketToRecord, generateDemoTickets } from '../src/demo/index.ts';
import type { TicketRecord } from '../src/domain/index.ts';
import { twcsImporter } from '../src/ingest/formats/twcs.ts';
import { openFileSource } from '../src/ingest/source.ts';
import { launchScreenshotBrowser } from '../src/testing/chromium.ts';
import { arg, screenshotOutDir } from './screenshot-options.ts';

const tickets = Number(arg('--tickets') ?? 3000);
const seed = Number(arg('--seed') ?? 11);
const outDir = screenshotOutDir();
const TWCS = resolve('../shared/data/twcs-sample/twcs_head5000.csv');

const work = mkdtempSync(join(tmpdir(), 'switchboard-screens-'));
try {
  const store = await openStore({ db: ':memory:' });
  const records = [...generateDemoTickets({ tickets, seed })].map(demoTicketToRecord);
  for (let i = 0; i < records.length; i += 2000) {
    await store.upsertTickets(records.slice(i, i + 2000), { origin: 'demo' });
  }
  const result = await runAudit({ store, exclusions: loadExclusionRules() });
  await store.close();
  const auditDir = join(work, 'audit');
  writeAuditOutputs(result, auditDir, new Date(Date.UTC(2026, 0, 1)));
  const twcsDir = existsSync(TWCS) ? await auditTwcs(join(work, 'twcs')) : undefined;

  // A fresh profile each run, and nothing that reaches the network: the page is a local file.
  const context = await launchScreenshotBrowser(work, { width: 1280, height: 900 });
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    await page.goto(pathToFileURL(join(auditDir, 'report.html')).href);
    mkdirSync(outDir, { recursive: true });
    await page.screenshot({ path: join(outDir, 'audit-report.png'), fullPage: true });
    await page.locator('figure', { hasText: 'Volume x simplicity' }).screenshot({
      path: join(outDir, 'audit-matrix.png'),
    });
    if (twcsDir) {
      await page.goto(pathToFileURL(join(twcsDir, 'report.html')).href);
      await page.locator('.charts').screenshot({ path: join(outDir, 'audit-twcs-topics.png') });
      await page
        .locator('table.narrow')
        .last()
        .screenshot({ path: join(outDir, 'audit-twcs-companies.png') });
      await page.setViewportSize({ width: 1280, height: 700 });
      await page.goto(pathToFileURL(join(twcsDir, 'report.html')).href);
      await page.screenshot({ path: join(outDir, 'audit-twcs-header.png') });
      await page
        .locator('svg', { has: page.locator('polyline') })
        .screenshot({ path: join(outDir, 'audit-twcs-weekly.png') });
      console.log(`wrote the TWCS pictures from ${TWCS}`);
    }
  } finally {
    await context.close();
  }
  console.log(`wrote ${join(outDir, 'audit-report.png')} and ${join(outDir, 'audit-matrix.png')}`);
} finally {
  rmSync(work, { recursive: true, force: true });
}

/** The TWCS sample imported into memory and audited with topic discovery; returns the output directory. */
async function auditTwcs(dir: string): Promise<string> {
  const records: TicketRecord[] = [];
  for await (const item of twcsImporter.read(openFileSource(TWCS), { mapping: {} })) {
    if (item.kind === 'ticket') records.push(item.ticket);
  }
  const store = await openStore({ db: ':memory:' });
  await store.upsertTickets(records, { origin: 'twcs' });
  const result = await runAudit({ store, exclusions: loadExclusionRules(), discoverTopics });
  await store.close();
  writeAuditOutputs(result, dir, new Date(Date.UTC(2026, 0, 1)));
  return dir;
}
