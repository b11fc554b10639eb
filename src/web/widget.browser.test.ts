import { existsSync } from 'node:fs';
import { type AddressInfo, connect, createServer, type Socket } from 'node:net';
import { type Browser, type BrowserContext, chromium, type Locator, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Deployment, demoPageSource } from '../app/index.ts';
import { openDemoDeployment, trainDemoIntentModel } from '../app/testing.ts';
import { loadWidgetScript, type RunningServer, startServer } from '../server/index.ts';
import { CHROMIUM, CHROMIUM_ARGS } from '../testing/chromium.ts';

/**
 * The widget in a real browser: the demo page served by a real server (127.0.0.1, a free port) with the demo
 * deployment, in Debian's Chromium driven by playwright-core. It runs when /usr/bin/chromium exists; `.ci/run`
 * installs it and sets SWITCHBOARD_REQUIRE_BROWSER=1, so a missing browser fails CI instead of skipping.
 */
const available = existsSync(CHROMIUM);
if (!available && process.env.SWITCHBOARD_REQUIRE_BROWSER === '1')
  throw new Error(`the browser tests need Chromium at ${CHROMIUM} (apt-get install -y chromium)`);

const ESCALATED = 'I am passing you to a colleague, who has everything we discussed and will pick this up.';
const HUMAN_NOTICE = 'A person from our team will reply here.';
/** Longest wait for one bot answer (the NLU and the workflow run in this process, well under a second). */
const WAIT_MS = 10_000;

/** One row of the transcript: `customer: Where is my order?`. */
type Line = string;

/** What the page reported that it should not have. */
interface Problems {
  /** securitypolicyviolation events (they bubble out of the widget's shadow root: composed). */
  csp: string[];
  /** Uncaught errors in the page. */
  errors: string[];
  /** Console errors and warnings (a CSP violation logs one too; a dropped connection logs a failed request). */
  console: string[];
  /** Responses with a 4xx or 5xx status. */
  http: string[];
}

describe.skipIf(!available)(
  `the chat widget in Chromium (${available ? CHROMIUM : 'not installed: skipped'})`,
  () => {
    let deployment: Deployment;
    let server: RunningServer;
    let browser: Browser;

    beforeAll(async () => {
      const model = await trainDemoIntentModel();
      deployment = await openDemoDeployment({ model, server: { demoPage: true } });
      server = await startServer({
        deployment,
        host: '127.0.0.1',
        port: 0,
        widget: loadWidgetScript(),
        demo: demoPageSource(deployment),
      });
      // launch() gives the browser a fresh profile in a temporary directory, removed on close.
      browser = await chromium.launch({
        executablePath: CHROMIUM,
        headless: true,
        args: [...CHROMIUM_ARGS],
      });
    }, 60_000);

    afterAll(async () => {
      await browser?.close();
      await server?.close(1000);
      await deployment?.close();
    });

    /** A fresh context (no remembered conversation) on the demo page, with every problem the page reports. */
    async function openDemoPage(
      origin = server.url,
    ): Promise<{ context: BrowserContext; page: Page; problems: Problems }> {
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      const page = await context.newPage();
      const problems: Problems = { csp: [], errors: [], console: [], http: [] };
      await page.exposeFunction('__reportViolation', (text: string) => problems.csp.push(text));
      // Registered before any script of the page; violations inside the shadow root reach the document.
      await page.addInitScript(
        `document.addEventListener('securitypolicyviolation', (e) => window.__reportViolation(
          e.violatedDirective + ' blocked ' + (e.blockedURI || 'inline') + ' at ' + e.sourceFile + ':' + e.lineNumber,
        ), true);`,
      );
      page.on('console', (m) => {
        if (m.type() === 'error' || m.type() === 'warning') problems.console.push(`${m.type()}: ${m.text()}`);
      });
      page.on('pageerror', (error) => problems.errors.push(error.message));
      page.on('response', (r) => {
        if (r.status() >= 400) problems.http.push(`${r.status()} ${r.request().method()} ${r.url()}`);
      });
      const response = await page.goto(`${origin}/`);
      expect(response?.status()).toBe(200);
      expect(response?.headers()['content-security-policy']).toContain("script-src 'self'");
      return { context, page, problems };
    }

    /** The widget's panel, opened with the launcher (CSS locators pierce its open shadow root). */
    async function openWidget(page: Page): Promise<Locator> {
      const widget = page.locator('#switchboard-widget');
      const launcher = widget.locator('button.launcher');
      await launcher.click();
      await expect.poll(() => launcher.getAttribute('aria-expanded')).toBe('true');
      const panel = widget.locator('section.panel[role="dialog"]');
      await panel.waitFor({ state: 'visible' });
      return widget;
    }

    async function say(widget: Locator, text: string): Promise<void> {
      const input = widget.locator('textarea#sb-input');
      await input.fill(text);
      await widget.locator('button.send[aria-label="Send"]').click();
      await expect.poll(() => input.inputValue()).toBe('');
    }

    /** The transcript as the widget shows it, `role: text` per bubble in order (the intro is not part of it). */
    async function shown(widget: Locator): Promise<Line[]> {
      return widget.locator('.log .msg').evaluateAll((rows) =>
        rows.map((row) => {
          const role = ['customer', 'bot', 'agent', 'system'].find((r) => row.classList.contains(r)) ?? '?';
          return `${role}: ${row.querySelector('.bubble')?.textContent ?? ''}`;
        }),
      );
    }

    /** The transcript as the server holds it, read through the API with the token the widget remembered. */
    /** What the widget remembers of its conversation in the page's localStorage. */
    async function remembered(
      context: BrowserContext,
    ): Promise<{ id: string; token: string; surveyDone?: boolean }> {
      const state = await context.storageState();
      const saved = state.origins
        .flatMap((o) => o.localStorage)
        .find((item) => item.name.startsWith('switchboard:v1:'));
      expect(saved, 'the widget remembers its conversation').toBeDefined();
      return JSON.parse(saved!.value);
    }

    async function stored(context: BrowserContext): Promise<Line[]> {
      const { id, token } = await remembered(context);
      const response = await fetch(`${server.url}/v1/conversations/${encodeURIComponent(id)}`, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(response.status).toBe(200);
      const view = (await response.json()) as { messages: Array<{ role: string; text: string }> };
      return view.messages.map((m) => `${m.role}: ${m.text}`);
    }

    /** Waits for the bot's `question` and clicks its button `choice` (default the first); the label clicked. */
    async function choose(widget: Locator, question: Locator, choice?: string): Promise<string> {
      await question.waitFor({ state: 'visible', timeout: WAIT_MS });
      const buttons = question.locator('button.choice:enabled');
      const button =
        choice === undefined
          ? buttons.first()
          : buttons.filter({ hasText: new RegExp(`^${escapeRegExp(choice)}$`) });
      await button.waitFor({ state: 'visible', timeout: WAIT_MS });
      const label = (await button.textContent()) ?? '';
      await button.click();
      // The answer shows as the customer's bubble and every button of that question is disabled.
      await widget.locator('.log .msg.customer', { hasText: label }).last().waitFor({ timeout: WAIT_MS });
      await expect.poll(() => question.locator('button.choice:enabled').count()).toBe(0);
      return label;
    }

    /** Opens the widget, asks "Where is my order?" and waits for the bot's question: the conversation's id. */
    async function askWhereIsMyOrder(
      page: Page,
      context: BrowserContext,
    ): Promise<{ widget: Locator; id: string }> {
      const widget = await openWidget(page);
      await say(widget, 'Where is my order?');
      await widget
        .locator('.log .msg.bot', { has: page.locator('button.choice') })
        .first()
        .waitFor({ timeout: WAIT_MS });
      return { widget, id: (await remembered(context)).id };
    }

    async function expectHandedOver(widget: Locator, context: BrowserContext): Promise<void> {
      await widget.locator('.log .msg.bot.escalate', { hasText: ESCALATED }).waitFor({ timeout: WAIT_MS });
      await widget.locator('.log .notice', { hasText: HUMAN_NOTICE }).waitFor({ timeout: WAIT_MS });
      await expect
        .poll(() => widget.locator('.subtitle').textContent())
        .toBe('A person from our team will reply here');
      expect(await widget.locator('.log .notice').count()).toBe(1);
      // Settled: the widget shows what the server holds, in order, each message once (no two lines of this
      // conversation are alike, so a repeated line is a duplicate).
      const server = await stored(context);
      await expect.poll(() => shown(widget), { timeout: WAIT_MS }).toEqual(server);
      expect(new Set(server).size).toBe(server.length);
      expect(server.at(-1)).toBe(`bot: ${ESCALATED}`);
      expect(await widget.locator('.typing').isVisible()).toBe(false);
    }

    it('takes Liam from "Where is my order?" through an order and a "No" to a person, under the page CSP', async () => {
      const { context, page, problems } = await openDemoPage();
      try {
        await expect.poll(() => page.locator('.account strong').textContent()).toBe('Liam Garcia');
        const widget = await openWidget(page);
        await say(widget, 'Where is my order?');

        const ask = widget.locator('.log .msg.bot', { has: page.locator('button.choice') }).first();
        await ask.waitFor({ timeout: WAIT_MS });
        expect(await ask.locator('button.choice').count()).toBe(3); // his three orders
        const order = await choose(widget, ask);

        const confirm = widget.locator('.log .msg.bot.confirm', {
          hasText: 'Does that answer your question?',
        });
        await choose(widget, confirm, 'No');
        await expectHandedOver(widget, context);

        const transcript = await shown(widget);
        expect(transcript[0]).toBe('customer: Where is my order?');
        expect(transcript[2]).toBe(`customer: ${order}`);
        expect(transcript.filter((line) => line === 'customer: No')).toHaveLength(1);
        expect(problems).toEqual({ csp: [], errors: [], console: [], http: [] });
      } finally {
        await context.close();
      }
    });

    it('asks "How would you rate this conversation?" once a person closed it, stores a 4 and a comment, and not again after a reload', async () => {
      const { context, page, problems } = await openDemoPage();
      try {
        const { widget, id } = await askWhereIsMyOrder(page, context);
        await deployment.store.closeConversation({ conversationId: id, by: 'agent:ana', at: Date.now() });

        const survey = widget.locator('.log .survey');
        await survey.getByText('How would you rate this conversation?').waitFor({ timeout: WAIT_MS });
        await widget.locator('.log .notice', { hasText: 'This conversation is closed.' }).waitFor();
        const scale = survey.locator('[role="group"][aria-labelledby="sb-survey-q"]');
        expect(
          await scale.locator('button').evaluateAll((bs) => bs.map((b) => b.getAttribute('aria-label'))),
        ).toEqual(['1 out of 5', '2 out of 5', '3 out of 5', '4 out of 5', '5 out of 5']);
        const send = survey.getByRole('button', { name: 'Send rating', exact: true });
        expect(await send.isDisabled()).toBe(true);
        // By keyboard: Tab from the first rating to the fourth, Enter.
        await scale.locator('button').first().focus();
        for (let i = 0; i < 3; i++) await page.keyboard.press('Tab');
        await page.keyboard.press('Enter');
        await expect.poll(() => scale.locator('button[aria-pressed="true"]').textContent()).toBe('4');
        const comment = survey.getByLabel('Your comment (optional)');
        expect(await comment.getAttribute('maxlength')).toBe('2000');
        await comment.fill('Quick answer <b>thanks</b>');
        await send.click();
        await survey.getByText('Thanks for rating this conversation!').waitFor({ timeout: WAIT_MS });
        expect(await survey.locator('form').isHidden()).toBe(true);

        const feedback = await deployment.store.listFeedback({ conversationId: id });
        expect(feedback.map((f) => [f.rating, f.comment, f.resolved, f.source])).toEqual([
          [4, 'Quick answer <b>thanks</b>', null, 'widget'],
        ]);
        expect(await deployment.store.findConversation(id)).toMatchObject({ status: 'closed' });
        expect(problems).toEqual({ csp: [], errors: [], console: [], http: [] });

        // Asked once per conversation: a reload resumes it closed, without the survey.
        await page.reload();
        const again = await openWidget(page);
        await again
          .locator('.log .notice', { hasText: 'This conversation is closed.' })
          .waitFor({ timeout: WAIT_MS });
        expect(await again.locator('.log .survey').count()).toBe(0);
        expect(await remembered(context)).toMatchObject({ id, surveyDone: true });
        expect(problems).toEqual({ csp: [], errors: [], console: [], http: [] });
      } finally {
        await context.close();
      }
    });

    it('asks the survey when the bot resolved Liam\'s question through the workflow\'s own "Yes", and stores a 5', async () => {
      const { context, page, problems } = await openDemoPage();
      try {
        const { widget, id } = await askWhereIsMyOrder(page, context);
        const ask = widget.locator('.log .msg.bot', { has: page.locator('button.choice') }).first();
        await choose(widget, ask);
        const confirm = widget.locator('.log .msg.bot.confirm', {
          hasText: 'Does that answer your question?',
        });
        await choose(widget, confirm, 'Yes');
        const survey = widget.locator('.log .survey');
        await survey.getByText('How would you rate this conversation?').waitFor({ timeout: WAIT_MS });
        expect(await widget.locator('.log .feedback').count()).toBe(0);
        await survey.getByRole('button', { name: '5 out of 5', exact: true }).click();
        await survey.getByRole('button', { name: 'Send rating', exact: true }).click();
        await survey.getByText('Thanks for rating this conversation!').waitFor({ timeout: WAIT_MS });
        const feedback = await deployment.store.listFeedback({ conversationId: id });
        expect(feedback.map((f) => [f.rating, f.resolved, f.source])).toEqual([[5, null, 'widget']]);
        expect(await deployment.store.findConversation(id)).toMatchObject({
          status: 'resolved',
          owner: 'bot',
        });
        expect(problems).toEqual({ csp: [], errors: [], console: [], http: [] });
      } finally {
        await context.close();
      }
    });

    it('asks the survey once Liam answered "Yes" to "Did this resolve your issue?" after the bot resolved his question, and stores a 5', async () => {
      const { context, page, problems } = await openDemoPage();
      try {
        const { widget, id } = await askWhereIsMyOrder(page, context);
        // The bot resolves the conversation with a resolve message (status resolved, never closed). Written
        // through the store, as the close of the test above: the demo workflow's resolve step reaches the
        // transcript as a plain reply (the engine emits its text as a `reply` effect).
        const before = await deployment.store.findConversation(id);
        await deployment.store.recordTurn({
          conversationId: id,
          expectedRevision: before!.revision,
          messages: [
            { role: 'bot', kind: 'resolve', text: 'Glad I could help. Have a good day!', at: Date.now() },
          ],
          status: 'resolved',
          at: Date.now(),
        });

        // Not while "Did this resolve your issue?" can still be answered.
        const question = widget.locator('.log .feedback', { hasText: 'Did this resolve your issue?' });
        await question.waitFor({ timeout: WAIT_MS });
        const survey = widget.locator('.log .survey');
        expect(await survey.count()).toBe(0);
        await question.getByRole('button', { name: 'Yes', exact: true }).click();
        await widget.locator('.log .feedback', { hasText: 'Thanks for your feedback!' }).waitFor();

        await survey.getByText('How would you rate this conversation?').waitFor({ timeout: WAIT_MS });
        await survey.getByRole('button', { name: '5 out of 5', exact: true }).click();
        await survey.getByRole('button', { name: 'Send rating', exact: true }).click();
        await survey.getByText('Thanks for rating this conversation!').waitFor({ timeout: WAIT_MS });

        const feedback = await deployment.store.listFeedback({ conversationId: id });
        expect(feedback.map((f) => [f.rating, f.comment, f.resolved, f.source])).toEqual([
          [null, null, true, 'widget'],
          [5, null, null, 'widget'],
        ]);
        // The survey came without a close: the conversation stays resolved, with the bot.
        expect(await deployment.store.findConversation(id)).toMatchObject({
          status: 'resolved',
          owner: 'bot',
        });
        expect(await remembered(context)).toMatchObject({ id, surveyDone: true });
        expect(problems).toEqual({ csp: [], errors: [], console: [], http: [] });
      } finally {
        await context.close();
      }
    });

    it('carries on after the network drops mid-conversation, without losing or repeating a message', async () => {
      const proxy = await startProxy(server.port);
      const { context, page, problems } = await openDemoPage(proxy.url);
      try {
        const streamFailures: string[] = [];
        page.on('requestfailed', (r) => {
          if (r.url().endsWith('/events')) streamFailures.push(r.failure()?.errorText ?? '?');
        });
        const widget = await openWidget(page);
        await say(widget, 'Where is my order?');
        const ask = widget.locator('.log .msg.bot', { has: page.locator('button.choice') }).first();
        await ask.waitFor({ timeout: WAIT_MS });

        // 1. The event stream drops and cannot reconnect; the customer's answer still gets through, and the bot
        // replies while the widget cannot hear it.
        proxy.blockStreams = true;
        proxy.cutAll();
        await expect.poll(() => streamFailures.length).toBeGreaterThan(0);
        const order = await choose(widget, ask);
        await expect
          .poll(async () => (await stored(context)).at(-1), { timeout: WAIT_MS })
          .toBe('bot: Does that answer your question?');
        const confirm = widget.locator('.log .msg.bot.confirm', {
          hasText: 'Does that answer your question?',
        });
        expect(await confirm.count()).toBe(0);
        expect(await widget.locator('.typing').isVisible()).toBe(true);

        // The network comes back ('online' wakes the stream): it resumes from the last event it had.
        proxy.blockStreams = false;
        await context.setOffline(true);
        await context.setOffline(false);
        await confirm.waitFor({ timeout: WAIT_MS });
        await expect.poll(() => shown(widget)).toEqual(await stored(context));

        // 2. The answer to "No" is lost on the way back: the widget sends it again under the same key, and the
        // server keeps one.
        proxy.loseNextMessageResponse = true;
        await choose(widget, confirm, 'No');
        await expectHandedOver(widget, context);
        expect(proxy.lostResponses).toBe(1);
        const transcript = await shown(widget);
        expect(transcript.filter((line) => line === `customer: ${order}`)).toHaveLength(1);
        expect(transcript.filter((line) => line === 'customer: No')).toHaveLength(1);
        expect(problems.csp).toEqual([]);
        expect(problems.errors).toEqual([]);
        expect(problems.http).toEqual([]);
        // The console reports the connections the proxy cut, and nothing else.
        expect(
          problems.console.filter((m) => !m.startsWith('error: Failed to load resource: net::')),
        ).toEqual([]);
      } finally {
        await context.close();
        await proxy.close();
      }
    });
  },
);

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

interface Proxy {
  url: string;
  /** While true, a request for an event stream has its connection cut (the stream cannot come back). */
  blockStreams: boolean;
  /** The next POST of a message reaches the server, but its connection is cut before the answer gets back. */
  loseNextMessageResponse: boolean;
  lostResponses: number;
  /** Cuts every open connection, as a dropped network does. */
  cutAll(): void;
  close(): Promise<void>;
}

/** A TCP proxy to the server on 127.0.0.1 that can drop connections: the network between page and server. */
async function startProxy(targetPort: number): Promise<Proxy> {
  const open = new Set<Socket>();
  const proxy: Proxy = {
    url: '',
    blockStreams: false,
    loseNextMessageResponse: false,
    lostResponses: 0,
    cutAll() {
      for (const socket of open) socket.destroy();
    },
    close: () =>
      new Promise<void>((resolve) => {
        proxy.cutAll();
        listener.close(() => resolve());
      }),
  };
  const listener = createServer((client) => {
    const upstream = connect(targetPort, '127.0.0.1');
    open.add(client);
    open.add(upstream);
    const cut = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('close', () => {
      open.delete(client);
      upstream.destroy();
    });
    upstream.on('close', () => {
      open.delete(upstream);
      client.destroy();
    });
    client.on('error', cut);
    upstream.on('error', cut);
    let loseResponse = false;
    // HTTP/1.1 without pipelining: a request starts a chunk, and its answer is complete before the next one.
    client.on('data', (chunk: Buffer) => {
      const line = chunk.toString('latin1', 0, Math.min(chunk.length, 300)).split('\r\n', 1)[0] ?? '';
      if (proxy.blockStreams && /^GET \S+\/events[ ?]/.test(line)) return cut();
      if (proxy.loseNextMessageResponse && /^POST \S+\/messages /.test(line)) {
        proxy.loseNextMessageResponse = false;
        loseResponse = true;
      }
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      if (loseResponse) {
        proxy.lostResponses++;
        return cut();
      }
      client.write(chunk);
    });
  });
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  proxy.url = `http://127.0.0.1:${(listener.address() as AddressInfo).port}`;
  return proxy;
}
