import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CHROMIUM,
  chromiumAvailable,
  type InboxHarness,
  NO_PROBLEMS,
  startInboxHarness,
  WAIT_MS,
} from './inbox-browser-testing.ts';

/**
 * The agent inbox in a real browser (issue 17, section 5): sign-in, the queue, a conversation's packet and every
 * action, a race to take, the pages a role may not open, live updates, and the keyboard. Every test fails on a
 * console error, a page error or a Content Security Policy violation.
 */
describe.skipIf(!chromiumAvailable)(
  `the agent inbox in Chromium (${chromiumAvailable ? CHROMIUM : 'not installed: skipped'})`,
  () => {
    let h: InboxHarness;

    beforeAll(async () => {
      h = await startInboxHarness();
      await h.addUser({ email: 'ana@shop.example', name: 'Ana Agent', role: 'agent' });
      await h.addUser({ email: 'otto@shop.example', name: 'Otto Other', role: 'agent' });
    }, 60_000);
    afterAll(async () => {
      await h?.close();
    });

    /** The conversation's page: its flash message after an action (Post/Redirect/Get). */
    async function done(page: Page, message: string): Promise<void> {
      await page.locator('p.done[role="status"]', { hasText: message }).waitFor({ timeout: WAIT_MS });
    }

    it('signs an agent in, shows the packet, and takes, replies, notes, judges, corrects and hands back', async () => {
      const id = await h.escalate({ id: 'browser-a', name: 'Nora Newton', email: 'nora@mail.example' });
      const { context, page, problems } = await h.open();
      try {
        await h.signIn(page, 'ana@shop.example');
        const row = page.locator('table.queue tr', { hasText: 'Nora Newton' });
        await expect.poll(() => row.locator('td.assignee').textContent()).toBe('Free');
        expect(await row.textContent()).toContain('human_requested');
        await row.getByRole('link', { name: 'Nora Newton' }).click();
        await page.getByRole('heading', { name: 'Nora Newton', level: 1 }).waitFor();

        // The packet: why, the transcript with intent and confidence, the next step.
        const why = page.locator('section.why');
        expect(await why.getByRole('heading').textContent()).toBe('Why it was escalated');
        expect(await why.textContent()).toContain('human_requested');
        expect(await why.locator('p.next').textContent()).toMatch(/^Suggested next step: \S/);
        const customerTurn = page.locator('ol.transcript li.customer').first();
        expect(await customerTurn.locator('.text').textContent()).toBe('I want to talk to a person');
        expect(await customerTurn.locator('.nlu').textContent()).toMatch(
          /^intent [a-z_]+ · \d+% · .+ · asked for a person$/,
        );
        expect(await page.locator('#status').textContent()).toContain('Not taken');

        await page.getByRole('button', { name: 'Take it' }).click();
        await done(page, 'You have taken this conversation.');
        expect(await page.locator('#status').textContent()).toContain('Taken by you');
        expect(await page.getByRole('button', { name: 'Take it' }).count()).toBe(0);

        await page
          .getByLabel('Reply to the customer')
          .fill('Hello Nora, I am Ana: your refund is on its way.');
        await page.getByRole('button', { name: 'Send reply' }).click();
        await done(page, 'Reply sent.');
        expect(await page.locator('ol.transcript li.agent .text').last().textContent()).toBe(
          'Hello Nora, I am Ana: your refund is on its way.',
        );

        await page.getByLabel('Private note (people only)').fill('Refund approved by finance.');
        await page.getByRole('button', { name: 'Add note' }).click();
        await done(page, 'Note added.');
        expect(await page.locator('ul.notes .text').textContent()).toBe('Refund approved by finance.');

        await page.getByLabel('wrong', { exact: true }).check();
        await page.getByLabel('The bot could have resolved this').check();
        await page.getByRole('button', { name: 'Record' }).click();
        await done(page, 'Judgement recorded.');
        expect(await page.locator('ul.judgements').textContent()).toContain('Ana Agent, ');
        expect(await page.locator('ul.judgements').textContent()).toContain(
          'handled wrong; could have resolved it',
        );

        const labels = h.deployment.nlu()?.model.labels ?? [];
        const select = page.locator('ol.transcript li.customer').first().getByLabel('Right intent');
        const current = await select.inputValue();
        const right = labels.find((l) => l !== current) ?? '';
        await select.selectOption(right);
        await page
          .locator('ol.transcript li.customer')
          .first()
          .getByRole('button', { name: 'Correct' })
          .click();
        await done(page, 'Judgement recorded.');
        const stored = await h.deployment.store.getConversation(id);
        const seq = stored?.messages.find((m) => m.role === 'customer')?.seq;
        expect(await page.locator('ul.judgements').textContent()).toContain(`message ${seq} is ${right}`);

        await page.getByLabel('Hand back to the bot: why').fill('Answered: the bot can carry on.');
        await page.getByRole('button', { name: 'Hand back' }).click();
        await done(page, 'Handed back to the bot.');
        expect(await page.locator('#status').textContent()).toContain('the bot answers');
        expect(await page.locator('#status').textContent()).toContain('Not taken');

        // What the store holds.
        const after = await h.deployment.store.getConversation(id);
        expect(after?.conversation).toMatchObject({ owner: 'bot', status: 'open' });
        expect(after?.messages.filter((m) => m.role === 'agent').map((m) => m.text)).toEqual([
          'Hello Nora, I am Ana: your refund is on its way.',
        ]);
        expect(JSON.stringify(after?.messages)).not.toContain('Refund approved by finance');
        const detail = await h.deployment.inbox.conversation(id);
        expect(detail?.notes.map((n) => n.text)).toEqual(['Refund approved by finance.']);
        expect(detail?.judgements).toMatchObject([
          { verdict: 'wrong', couldHaveResolved: true },
          { seq, intent: right },
        ]);
        const corrections = (await h.deployment.inbox.corrections()).filter((c) => c.conversationId === id);
        expect(corrections).toMatchObject([{ text: 'I want to talk to a person', label: right, seq }]);
        const types = detail?.events.map((e) => e.type) ?? [];
        expect(types).toEqual(
          expect.arrayContaining([
            'conversation.assigned',
            'agent.reply',
            'agent.note',
            'agent.judgement',
            'agent.hand_back',
          ]),
        );
        expect(problems).toEqual(NO_PROBLEMS);
      } finally {
        await context.close();
      }
    });

    it('lets exactly one of two agents take a conversation; the other page says who has it', async () => {
      const id = await h.escalate({ id: 'browser-b', name: 'Rita Race' });
      const ana = await h.open();
      const otto = await h.open();
      try {
        await Promise.all([h.signIn(ana.page, 'ana@shop.example'), h.signIn(otto.page, 'otto@shop.example')]);
        await Promise.all([ana.page, otto.page].map((p) => p.goto(`${h.server.url}/inbox/c/${id}`)));
        await Promise.all(
          [ana.page, otto.page].map((p) => p.getByRole('button', { name: 'Take it' }).click()),
        );
        const outcome = async (page: Page) => {
          const flash = page.locator('p.done, p.error');
          await flash.waitFor({ timeout: WAIT_MS });
          return {
            flash: (await flash.textContent()) ?? '',
            status: (await page.locator('#status').textContent()) ?? '',
          };
        };
        const [a, o] = await Promise.all([outcome(ana.page), outcome(otto.page)]);
        const winners = [a, o].filter((x) => x.flash === 'You have taken this conversation.');
        expect(winners).toHaveLength(1);
        const anaWon = a === winners[0];
        const loser = anaWon ? o : a;
        const winnerName = anaWon ? 'Ana Agent' : 'Otto Other';
        expect(loser.flash).toBe(`${winnerName} has taken this conversation`);
        expect(loser.status).toContain(`Taken by ${winnerName}`);
        expect((anaWon ? a : o).status).toContain('Taken by you');
        const assigned = await h.deployment.store.listEvents({
          limit: 10,
          conversationId: id,
          type: 'conversation.assigned',
        });
        expect(assigned).toHaveLength(1);
        expect(ana.problems).toEqual(NO_PROBLEMS);
        expect(otto.problems).toEqual(NO_PROBLEMS);
      } finally {
        await ana.context.close();
        await otto.context.close();
      }
    });

    it('answers 403 when an agent opens the corrections or the admin page', async () => {
      const { context, page, problems } = await h.open();
      try {
        await h.signIn(page, 'ana@shop.example');
        expect(await page.getByRole('link', { name: 'Corrections' }).count()).toBe(0);
        for (const [path, role] of [
          ['/inbox/corrections', 'lead'],
          ['/inbox/admin', 'admin'],
        ]) {
          const response = await page.goto(`${h.server.url}${path}`);
          expect(response?.status(), path).toBe(403);
          expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Not allowed');
          expect(await page.locator('main').textContent()).toContain(`This page is for ${role}s.`);
        }
        // Chromium logs the 403 of a page it loads as a failed resource; nothing else is allowed.
        expect({
          ...problems,
          console: problems.console.filter((m) => !/status of 403/.test(m)),
        }).toEqual(NO_PROBLEMS);
      } finally {
        await context.close();
      }
    });

    it('shows a lead the dashboard, the learning page and the pilots with no console error', async () => {
      const { context, page, problems } = await h.open();
      try {
        await h.addUser({ email: 'lena@shop.example', name: 'Lena Lead', role: 'lead' });
        await h.signIn(page, 'lena@shop.example');
        await page.getByRole('link', { name: 'Dashboard' }).click();
        await page.waitForURL(/\/inbox\/dashboard$/);
        expect(await page.getByRole('heading', { level: 1 }).textContent()).toMatch(/^The week /);
        expect(await page.locator('figure.chart svg').count()).toBe(3);
        await page.getByRole('link', { name: 'Corrections' }).click();
        await page.waitForURL(/\/inbox\/corrections$/);
        expect(await page.getByRole('button', { name: 'Retrain and run the gate' }).count()).toBe(1);
        await page.goto(`${h.server.url}/inbox/pilots`);
        expect((await page.locator('main').textContent()) ?? '').toMatch(/\w/);
        expect(problems).toEqual(NO_PROBLEMS);
      } finally {
        await context.close();
      }
    });

    it('updates the open queue without a reload: a new escalation appears, a take shows who', async () => {
      const { context, page, problems } = await h.open();
      try {
        // The page listens once its event stream has answered.
        const listening = page.waitForResponse((r) => r.url().endsWith('/inbox/events'), {
          timeout: WAIT_MS,
        });
        await h.signIn(page, 'ana@shop.example');
        await listening;
        await page.evaluate('window.notReloaded = true');
        const id = await h.escalate({ id: 'browser-d', name: 'Lena Live' });
        const row = page.locator('table.queue tr', { hasText: 'Lena Live' });
        await row.waitFor({ timeout: WAIT_MS });
        expect(await row.locator('td.assignee').textContent()).toBe('Free');

        const otto = await h.deployment.store.findUser({ email: 'otto@shop.example' });
        await h.deployment.inbox.take({ conversationId: id, user: otto! });
        await expect
          .poll(() => row.locator('td.assignee').textContent(), { timeout: WAIT_MS })
          .toBe('Taken by Otto Other');
        expect(await page.evaluate('window.notReloaded')).toBe(true);
        expect(problems).toEqual(NO_PROBLEMS);
      } finally {
        await context.close();
      }
    });

    it('works from the keyboard: skip link, sign-in form, the conversation’s actions; every control labelled, focus visible', async () => {
      const id = await h.escalate({ id: 'browser-e', name: 'Kim Keys' });
      const { context, page, problems } = await h.open();
      try {
        await page.goto(`${h.server.url}/inbox/login`);
        await expectLabelled(page);
        await page.keyboard.press('Tab');
        expect(await focused(page)).toMatchObject({ tag: 'A', text: 'Skip to content', visible: true });
        await page.keyboard.press('Tab');
        expect(await focused(page)).toMatchObject({ tag: 'A', text: 'Switchboard', visible: true });
        await page.keyboard.press('Tab');
        expect(await focused(page)).toMatchObject({ tag: 'INPUT', id: 'email', visible: true });
        await page.keyboard.type('ana@shop.example');
        await page.keyboard.press('Tab');
        expect(await focused(page)).toMatchObject({ tag: 'INPUT', id: 'password', visible: true });
        await page.keyboard.type('a long enough passphrase');
        await page.keyboard.press('Tab');
        expect(await focused(page)).toMatchObject({ tag: 'BUTTON', text: 'Sign in', visible: true });
        await page.keyboard.press('Enter');
        await page.getByRole('heading', { name: 'Escalated conversations' }).waitFor({ timeout: WAIT_MS });
        await expectLabelled(page);

        // The skip link leads past the header to the content.
        await page.keyboard.press('Tab');
        expect(await focused(page)).toMatchObject({ text: 'Skip to content' });
        await page.keyboard.press('Enter');
        expect(new URL(page.url()).hash).toBe('#main');

        await page.goto(`${h.server.url}/inbox/c/${id}`);
        await expectLabelled(page);
        // Tab through the whole page: every action is reached, each with a visible focus, and no trap (the
        // focus comes back round to the skip link).
        const seen: Array<{ tag: string; id: string; text: string }> = [];
        for (let i = 0; i < 200; i++) {
          await page.keyboard.press('Tab');
          const now = await focused(page);
          if (now.tag === 'BODY') continue;
          expect(now.visible, `focus visible on ${now.tag} ${now.id} ${now.text}`).toBe(true);
          if (i > 0 && now.text === 'Skip to content') break;
          seen.push(now);
        }
        expect(seen.length).toBeLessThan(199);
        const texts = seen.map((s) => s.text);
        const ids = seen.map((s) => s.id);
        for (const button of [
          'Take it',
          'Send reply',
          'Add note',
          'Hand back',
          'Resolved',
          'Unresolved',
          'Record',
          'Correct',
        ])
          expect(texts, button).toContain(button);
        for (const field of ['reply', 'note', 'reason', 'kb']) expect(ids, field).toContain(field);

        // Take it from the keyboard.
        await page.getByRole('button', { name: 'Take it' }).focus();
        await page.keyboard.press('Enter');
        await page.locator('p.done', { hasText: 'You have taken this conversation.' }).waitFor();
        await page.getByLabel('Reply to the customer').focus();
        await page.keyboard.type('Typed from the keyboard.');
        await page.keyboard.press('Tab');
        expect(await focused(page)).toMatchObject({ text: 'Send reply' });
        await page.keyboard.press('Enter');
        await page.locator('p.done', { hasText: 'Reply sent.' }).waitFor();
        expect((await h.deployment.store.getConversation(id))?.messages.at(-1)).toMatchObject({
          role: 'agent',
          text: 'Typed from the keyboard.',
        });
        expect(problems).toEqual(NO_PROBLEMS);
      } finally {
        await context.close();
      }
    });
  },
);

/** The focused element: tag, id, text (or value), and whether its focus shows (an outline or the skip link). */
async function focused(page: Page): Promise<{ tag: string; id: string; text: string; visible: boolean }> {
  // A string: it runs in the page (the project's TypeScript has no DOM types).
  return page.evaluate(`(() => {
    const el = document.activeElement;
    if (!el || el === document.body) return { tag: 'BODY', id: '', text: '', visible: false };
    const style = getComputedStyle(el);
    const rect = el.getBoundingClientRect();
    const onScreen = rect.right > 0 && rect.bottom > 0 && rect.width > 0 && rect.height > 0;
    const outlined = style.outlineStyle !== 'none' && Number.parseFloat(style.outlineWidth) >= 2;
    return { tag: el.tagName, id: el.id, text: (el.textContent ?? '').trim(), visible: onScreen && outlined };
  })()`);
}

/** Every input, select and textarea of the page has a label (its accessible name is not empty). */
async function expectLabelled(page: Page): Promise<void> {
  const controls = page.locator('input:not([type="hidden"]), select, textarea');
  const count = await controls.count();
  expect(count).toBeGreaterThan(0);
  const unlabelled = await page.evaluate(`Array.from(
    document.querySelectorAll('input:not([type="hidden"]), select, textarea'),
  )
    .filter((c) => {
      const label = Array.from(c.labels ?? []).map((l) => l.textContent.trim()).join('');
      return !label && !c.getAttribute('aria-label') && !c.getAttribute('aria-labelledby');
    })
    .map((c) => c.outerHTML.slice(0, 120))`);
  expect(unlabelled).toEqual([]);
}
