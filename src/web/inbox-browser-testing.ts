import { existsSync } from 'node:fs';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import type { Deployment } from '../app/index.ts';
import { openDemoDeployment, trainDemoIntentModel } from '../app/testing.ts';
import { type RunningServer, startServer } from '../server/index.ts';
import type { StoredUser, UserRole } from '../store/index.ts';
import { CHROMIUM, CHROMIUM_ARGS } from '../testing/chromium.ts';

export { CHROMIUM } from '../testing/chromium.ts';

/**
 * What the inbox's browser tests share: the demo deployment served by a real server (127.0.0.1, a free port),
 * Debian's Chromium driven by playwright-core, people to sign in as, escalated conversations, and a page that
 * records every problem it reports. The tests run when /usr/bin/chromium exists; with
 * SWITCHBOARD_REQUIRE_BROWSER=1 (as `.ci/run` sets) a missing browser fails instead of skipping.
 */
export const chromiumAvailable = existsSync(CHROMIUM);
if (!chromiumAvailable && process.env.SWITCHBOARD_REQUIRE_BROWSER === '1')
  throw new Error(`the browser tests need Chromium at ${CHROMIUM} (apt-get install -y chromium)`);

export const PASSWORD = 'a long enough passphrase';
/** Longest wait for the bot, a live update or a page. */
export const WAIT_MS = 10_000;

/** What a page reported that it should not have. */
export interface Problems {
  /** securitypolicyviolation events. */
  csp: string[];
  /** Uncaught errors in the page. */
  errors: string[];
  /** Console errors. */
  console: string[];
  /** alert / confirm / prompt: a script that should never have run. */
  dialogs: string[];
}

export interface InboxHarness {
  deployment: Deployment;
  server: RunningServer;
  browser: Browser;
  addUser(props: { email: string; name: string; role: UserRole }): Promise<StoredUser>;
  /** A conversation started through the deployment whose customer asks for a person; resolves once escalated. */
  escalate(props: { id: string; name: string; email?: string; text?: string }): Promise<string>;
  /** A fresh context and page that record their problems (dialogs are dismissed). */
  open(): Promise<{ context: BrowserContext; page: Page; problems: Problems }>;
  /** Signs in through the login form (labelled fields), landing on the queue. */
  signIn(page: Page, email: string): Promise<void>;
  close(): Promise<void>;
}

export async function startInboxHarness(): Promise<InboxHarness> {
  const model = await trainDemoIntentModel();
  const deployment = await openDemoDeployment({ model });
  const server = await startServer({ deployment, host: '127.0.0.1', port: 0, widget: async () => null });
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [...CHROMIUM_ARGS],
  });

  return {
    deployment,
    server,
    browser,
    addUser: ({ email, name, role }) =>
      deployment.people.addUser({ email, name, role, password: PASSWORD, by: 'test' }),

    async escalate({ id, name, email, text = 'I want to talk to a person' }) {
      await deployment.conversations.start({
        id,
        customer: { name, ...(email ? { email } : {}), attributes: {} },
        channel: 'widget',
      });
      await deployment.conversations.receive({ conversationId: id, text });
      await waitForHuman(deployment, id);
      return id;
    },

    async open() {
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      const page = await context.newPage();
      const problems = await watch(page);
      return { context, page, problems };
    },

    async signIn(page, email) {
      await page.goto(`${server.url}/inbox/login`);
      await page.getByLabel('Email').fill(email);
      await page.getByLabel('Password').fill(PASSWORD);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('heading', { name: 'Escalated conversations' }).waitFor({ timeout: WAIT_MS });
    },

    async close() {
      await browser.close();
      await server.close(1000);
      await deployment.close();
    },
  };
}

/** Waits until the server's runner has handed conversation `id` to people. */
export async function waitForHuman(deployment: Deployment, id: string): Promise<void> {
  const until = Date.now() + WAIT_MS;
  for (;;) {
    const found = await deployment.store.findConversation(id);
    if (found?.owner === 'human') return;
    if (Date.now() > until) throw new Error(`conversation ${id} was not escalated (owner ${found?.owner})`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Records CSP violations, page errors, console errors and dialogs of `page` (and of every page it loads). */
export async function watch(page: Page): Promise<Problems> {
  const problems: Problems = { csp: [], errors: [], console: [], dialogs: [] };
  await page.exposeFunction('__reportViolation', (text: string) => problems.csp.push(text));
  await page.addInitScript(
    `document.addEventListener('securitypolicyviolation', (e) => window.__reportViolation(
      e.violatedDirective + ' blocked ' + (e.blockedURI || 'inline') + ' at ' + e.sourceFile + ':' + e.lineNumber,
    ), true);`,
  );
  page.on('console', (m) => {
    if (m.type() === 'error') problems.console.push(m.text());
  });
  page.on('pageerror', (error) => problems.errors.push(error.message));
  page.on('dialog', (dialog) => {
    problems.dialogs.push(`${dialog.type()}: ${dialog.message()}`);
    void dialog.dismiss();
  });
  return problems;
}

export const NO_PROBLEMS: Problems = { csp: [], errors: [], console: [], dialogs: [] };
