import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../access/index.ts';
import type { StoredUser } from '../store/index.ts';
import {
  CHROMIUM,
  chromiumAvailable,
  type InboxHarness,
  NO_PROBLEMS,
  type Problems,
  startInboxHarness,
  WAIT_MS,
  waitForHuman,
} from './inbox-browser-testing.ts';

/**
 * Cross-site scripting against the agent inbox in a real browser (issue 17, section 6): payloads enter as a
 * customer would send them (the REST API: the customer's name, plan, attributes and messages) and as agents
 * write them (a note, a reply, a hand-back reason, an article's title, a person's name); then every page is
 * opened in Chromium. No dialog may open, no console error or CSP violation may show, each payload must read as
 * text, and no element of a payload may be in the page.
 */
const RTL = '\u200F';
const ZERO_WIDTH = '\u200B\u200C\u200D\uFEFF';
const LONG_UNICODE = (() => {
  const unit = `😀 שלום ${RTL}مرحبا${ZERO_WIDTH} 👩‍👩‍👧 ñ ü 中文 `;
  return unit.repeat(Math.ceil(20_000 / unit.length)).slice(0, 20_000);
})();

/** Each payload marks what it would create with "xss" (an id or a class), so a leak is easy to find. */
const PAYLOADS: Record<string, string> = {
  script: '<script id="xss-script">alert("xss-script")</script>',
  img: '<img src=x id="xss-img" onerror=alert("xss-img")>',
  svg: '<svg id="xss-svg" onload=alert("xss-svg")>',
  javascriptUrl: `<a id="xss-a" href="javascript:alert('xss-a')">click me</a>`,
  svgScript: '<svg class="xss"><script>alert("xss-svg-script")</script></svg>',
  broken: `"><b class="xss">bold</b><i class='xss' <!-- comment '><p class=xss`,
  attribute: `' onmouseover='alert(1)' x="`,
};
/** Whatever a payload would have put into the page: none of it may be there (the pages have no image or SVG). */
const LEAKS =
  '[id^="xss"], .xss, img, svg, iframe, object, embed, script:not([src]), [onerror], [onload], [onmouseover], a[href^="javascript:"], main b, main i';
/** What each conversation's customer is called (the field holds 200 characters at most). */
const NAME_MAX = 200;

describe.skipIf(!chromiumAvailable)(
  `the agent inbox against cross-site scripting, in Chromium (${chromiumAvailable ? CHROMIUM : 'not installed: skipped'})`,
  () => {
    let h: InboxHarness;
    const conversations: Array<{ id: string; payload: string; name: string }> = [];
    let agentNotes = '';

    beforeAll(async () => {
      h = await startInboxHarness();
      const { deployment } = h;
      await h.addUser({ email: 'lead@shop.example', name: 'Lea Lead', role: 'lead' });
      await h.addUser({ email: 'admin@shop.example', name: 'Adam Admin', role: 'admin' });
      // An agent whose name is a payload: it shows as "Taken by ..." and on the admin page.
      const mallory = await h.addUser({
        email: 'mallory@shop.example',
        name: PAYLOADS.img ?? '',
        role: 'agent',
      });
      const { secret } = await createApiKey({
        store: deployment.store,
        name: 'backend',
        scopes: ['conversations'],
        by: 'test',
        at: Date.now(),
      });
      const api = (path: string, body: unknown, token = secret) =>
        fetch(`${h.server.url}${path}`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', prefer: 'wait=5' },
          body: JSON.stringify(body),
        });

      const entries = [...Object.entries(PAYLOADS), ['unicode', LONG_UNICODE] as const];
      await Promise.all(
        entries.map(async ([kind, payload], i) => {
          const name = payload.slice(0, NAME_MAX);
          const started = await api('/v1/conversations', {
            customer: {
              name,
              email: `customer${i}@mail.example`,
              plan: payload.slice(0, 100),
              attributes: { note: payload, [payload.slice(0, 100)]: 'the key is a payload' },
            },
          });
          expect(started.status, kind).toBe(201);
          const { conversation, token } = (await started.json()) as {
            conversation: { id: string };
            token: string;
          };
          const said = await api(
            `/v1/conversations/${conversation.id}/messages`,
            { text: `I want to talk to a person ${payload}`.slice(0, 4000) },
            token,
          );
          expect(said.status, kind).toBeLessThan(300);
          await waitForHuman(deployment, conversation.id);
          conversations[i] = { id: conversation.id, payload, name };
        }),
      );

      // What agents write, every payload at once, on the first conversation; Mallory takes the second.
      agentNotes = Object.values(PAYLOADS).join(' ');
      const ana = await h.addUser({ email: 'ana@shop.example', name: 'Ana Agent', role: 'agent' });
      const first = conversations[0]?.id ?? '';
      await deployment.inbox.take({ conversationId: first, user: ana });
      await deployment.inbox.note({ conversationId: first, user: ana, text: agentNotes });
      await deployment.inbox.reply({ conversationId: first, user: ana, text: agentNotes });
      await deployment.inbox.judge({
        conversationId: first,
        user: ana,
        judgement: { kbArticle: agentNotes.slice(0, 300), verdict: 'wrong' },
      });
      for (const { id } of conversations) {
        const customerSeq = (await deployment.store.getConversation(id))?.messages.find(
          (m) => m.role === 'customer',
        )?.seq;
        await deployment.inbox.judge({
          conversationId: id,
          user: ana,
          judgement: { seq: customerSeq ?? 0, intent: null },
        });
      }
      await deployment.inbox.take({
        conversationId: conversations[1]?.id ?? '',
        user: mallory as StoredUser,
      });
      // The last one goes back to the bot with a payload for a reason (it stays open to read).
      const last = conversations.at(-1)?.id ?? '';
      await deployment.inbox.handBack({ conversationId: last, user: ana, reason: agentNotes.slice(0, 500) });
    }, 60_000);
    afterAll(async () => {
      await h?.close();
    });

    /** Opens `path` signed in as `email`, checks the page for leaks; returns the page's text. */
    async function visit(page: Page, problems: Problems, path: string): Promise<string> {
      const response = await page.goto(`${h.server.url}${path}`);
      expect(response?.status(), path).toBe(200);
      // Give a leaked script or a failed image its chance to run.
      await page.waitForLoadState('load');
      // A string: it runs in the page (the project's TypeScript has no DOM types).
      const leaked = await page.evaluate(`Array.from(document.querySelectorAll(${JSON.stringify(LEAKS)}))
        .map((el) => el.outerHTML.slice(0, 100))`);
      expect(leaked, path).toEqual([]);
      expect(problems, path).toEqual(NO_PROBLEMS);
      return (await page.locator('main').textContent()) ?? '';
    }

    async function signedIn(email: string) {
      const opened = await h.open();
      await h.signIn(opened.page, email);
      return opened;
    }

    it('shows every payload as text on the queue, the filter and each conversation, and runs none', async () => {
      const { context, page, problems } = await signedIn('ana@shop.example');
      try {
        const queue = await visit(page, problems, '/inbox');
        for (const { name } of conversations.slice(0, -1)) expect(queue).toContain(name);
        expect(queue).toContain(`Taken by ${PAYLOADS.img}`);

        // A payload as a filter comes back inside the search field's value, not as markup.
        const filter = PAYLOADS.attribute ?? '';
        await visit(page, problems, `/inbox?customer=${encodeURIComponent(filter)}`);
        expect(await page.getByRole('searchbox').inputValue()).toBe(filter);
        expect(await page.locator('input[onmouseover]').count()).toBe(0);

        for (const [i, { id, payload, name }] of conversations.entries()) {
          const text = await visit(page, problems, `/inbox/c/${encodeURIComponent(id)}`);
          expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe(name);
          const customerTurn = page.locator('ol.transcript li.customer .text').first();
          expect(await customerTurn.textContent()).toBe(
            `I want to talk to a person ${payload}`.slice(0, 4000),
          );
          expect(text).toContain(payload.slice(0, 100)); // the plan and the attribute's key
          if (payload.length <= 200) expect(text).toContain(payload); // the attribute (cut at 200)
          if (i === 0) {
            expect(await page.locator('ul.notes .text').textContent()).toBe(agentNotes);
            expect(await page.locator('ol.transcript li.agent .text').last().textContent()).toBe(agentNotes);
            expect(await page.locator('ul.judgements').textContent()).toContain(
              `article "${agentNotes.slice(0, 300)}" is wrong`,
            );
          }
          if (i === 1)
            expect(await page.locator('#status').textContent()).toContain(`Taken by ${PAYLOADS.img}`);
        }

        // A payload in the flash messages a redirect carries.
        const flash = Object.values(PAYLOADS).join('').slice(0, 300);
        const first = encodeURIComponent(conversations[0]?.id ?? '');
        await visit(
          page,
          problems,
          `/inbox/c/${first}?error=${encodeURIComponent(flash)}&done=${encodeURIComponent(flash)}`,
        );
        expect(await page.locator('p.error').textContent()).toBe(flash);
        expect(await page.locator('p.done').textContent()).toBe(flash);
      } finally {
        await context.close();
      }
    });

    it('keeps a live update of the queue to text: a new payload escalation appears as text', async () => {
      const { context, page, problems } = await h.open();
      try {
        const listening = page.waitForResponse((r) => r.url().endsWith('/inbox/events'), {
          timeout: WAIT_MS,
        });
        await h.signIn(page, 'ana@shop.example');
        await listening;
        const name = `${PAYLOADS.svgScript} live`;
        await h.escalate({ id: 'xss-live', name });
        await page.locator('table.queue a', { hasText: name }).waitFor({ timeout: WAIT_MS });
        const leaked = await page.locator('main svg, main script, [id^="xss"], .xss').count();
        expect(leaked).toBe(0);
        expect(problems).toEqual(NO_PROBLEMS);
      } finally {
        await context.close();
      }
    });

    it('shows the corrections to a lead and the people to an admin as text', async () => {
      const lead = await signedIn('lead@shop.example');
      try {
        const text = await visit(lead.page, lead.problems, '/inbox/corrections');
        for (const { payload } of conversations)
          expect(text).toContain(`I want to talk to a person ${payload}`.slice(0, 4000));
      } finally {
        await lead.context.close();
      }
      const admin = await signedIn('admin@shop.example');
      try {
        const text = await visit(admin.page, admin.problems, '/inbox/admin');
        expect(text).toContain(PAYLOADS.img);
      } finally {
        await admin.context.close();
      }
    });
  },
);
