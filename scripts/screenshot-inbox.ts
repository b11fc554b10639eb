/**
 * `npm run docs:screenshots:inbox [-- --out DIR]`: the agent inbox for the docs. Starts the demo deployment in
 * memory with a real server on 127.0.0.1 (a free port), fills its inbox as `switchboard start` does (the demo
 * agent and the conversations waiting, played through the runtime, so their packets are real) plus one a
 * colleague has taken, signs in in headless Debian Chromium (playwright-core; no browser download) and writes
 * docs/images/inbox-queue.png (the queue) and docs/images/inbox-conversation.png (a conversation with its
 * packet), 1280 px wide. Needs /usr/bin/chromium (`apt-get install -y chromium`).
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDemoDeployment, trainDemoIntentModel } from '../src/app/testing.ts';
import { prepareDemoInbox } from '../src/demo-tour/index.ts';
import { startServer } from '../src/server/index.ts';
import { launchScreenshotBrowser, signInToInbox } from '../src/testing/chromium.ts';
import { screenshotOutDir } from './screenshot-options.ts';

const outDir = screenshotOutDir();

const deployment = await openDemoDeployment({ model: await trainDemoIntentModel() });
const work = mkdtempSync(join(tmpdir(), 'switchboard-inbox-screens-'));
try {
  const drain = () => deployment.createRunner().drain();
  const { email, password } = await prepareDemoInbox({
    people: deployment.people,
    store: deployment.store,
    conversations: deployment.conversations,
    drain,
  });
  // A third conversation, which a colleague has taken: the queue shows who has what.
  await deployment.conversations.start({
    id: 'demo-inbox-3',
    customer: { name: 'Amara Okafor', email: 'amara.okafor@example.com', attributes: {} },
    channel: 'widget',
  });
  await deployment.conversations.receive({
    conversationId: 'demo-inbox-3',
    text: 'I was charged twice, please let me speak to someone',
  });
  await drain();
  const colleague = await deployment.people.addUser({
    email: 'sam.rivera@example.com',
    name: 'Sam Rivera',
    role: 'agent',
    by: 'screenshots',
  });
  await deployment.inbox.take({ conversationId: 'demo-inbox-3', user: colleague });

  const server = await startServer({ deployment, host: '127.0.0.1', port: 0, widget: async () => null });
  const context = await launchScreenshotBrowser(work);
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    await signInToInbox(page, server.url, email, password);
    mkdirSync(outDir, { recursive: true });
    await page.screenshot({ path: join(outDir, 'inbox-queue.png'), fullPage: true });

    await page.getByRole('link', { name: 'Priya Natarajan' }).click();
    await page.getByRole('heading', { name: 'Why it was escalated' }).waitFor();
    await page.screenshot({ path: join(outDir, 'inbox-conversation.png'), fullPage: true });
  } finally {
    await context.close();
    await server.close(1000);
  }
  console.log(`wrote ${join(outDir, 'inbox-queue.png')} and ${join(outDir, 'inbox-conversation.png')}`);
} finally {
  await deployment.close();
  rmSync(work, { recursive: true, force: true });
}
