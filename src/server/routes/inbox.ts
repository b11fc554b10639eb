import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { streamSSE } from 'hono/streaming';
import type { HtmlEscapedString } from 'hono/utils/html';
import { hasRole, SESSION_TTL_MS } from '../../access/index.ts';
import {
  buildReport,
  type GoalsFile,
  outcomeOf,
  readConversationFacts,
  readGoalsFile,
} from '../../analytics/index.ts';
import { gateReportOf, retrainDeployment } from '../../app/retrain.ts';
import type { QueueFilters } from '../../inbox/index.ts';
import { listCandidates, proposeNewIntents, reviewCandidates } from '../../learning/index.ts';
import { isSwitchboardError, UserError } from '../../shared/index.ts';
import type { UserRole } from '../../store/index.ts';
import { dashboardPage } from '../../web/inbox/dashboard-page.ts';
import { gateReportPage, learningPage } from '../../web/inbox/learning-page.ts';
import {
  adminPage,
  conversationPage,
  invitePage,
  loginPage,
  messagePage,
  type PageUser,
  queueFragment,
  queuePage,
  statusFragment,
} from '../../web/inbox/pages.ts';
import { pilotsPage } from '../../web/inbox/pilots-page.ts';
import type { ServerApp, ServerContext } from '../context.ts';
import { clientAddress, readBodyLimited } from '../http-basics.ts';

const COOKIE = 'sb_session';
/** Where the dashboard looks for the audit's goals.yaml, beside the configuration (as `switchboard report` does). */
const DASHBOARD_GOALS = ['goals.yaml', 'audit/goals.yaml', '.switchboard/audit/goals.yaml'];
const ASSETS = {
  'inbox.css': { type: 'text/css; charset=utf-8', text: readAsset('inbox.css') },
  'inbox.js': { type: 'text/javascript; charset=utf-8', text: readAsset('inbox.js') },
} as const;

function readAsset(name: string): string {
  return readFileSync(new URL(`../../web/inbox/${name}`, import.meta.url), 'utf8');
}

/** Every inbox answer: no script or style but ours, no framing, no sniffing, no referrer, nothing cached. */
const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
};

/** The role each page and action needs: the route table the role tests walk. */
export const INBOX_ROUTES: ReadonlyArray<{ method: 'GET' | 'POST'; path: string; role: UserRole }> = [
  { method: 'GET', path: '/inbox', role: 'agent' },
  { method: 'GET', path: '/inbox/events', role: 'agent' },
  { method: 'GET', path: '/inbox/c/:id', role: 'agent' },
  { method: 'POST', path: '/inbox/c/:id/take', role: 'agent' },
  { method: 'POST', path: '/inbox/c/:id/reply', role: 'agent' },
  { method: 'POST', path: '/inbox/c/:id/note', role: 'agent' },
  { method: 'POST', path: '/inbox/c/:id/hand-back', role: 'agent' },
  { method: 'POST', path: '/inbox/c/:id/close', role: 'agent' },
  { method: 'POST', path: '/inbox/c/:id/judge', role: 'agent' },
  { method: 'POST', path: '/inbox/c/:id/draft', role: 'agent' },
  { method: 'GET', path: '/inbox/corrections', role: 'lead' },
  { method: 'POST', path: '/inbox/corrections/review', role: 'lead' },
  { method: 'POST', path: '/inbox/retrain', role: 'lead' },
  { method: 'POST', path: '/inbox/models/:id/activate', role: 'lead' },
  { method: 'GET', path: '/inbox/models/:id/report', role: 'lead' },
  { method: 'GET', path: '/inbox/dashboard', role: 'lead' },
  { method: 'GET', path: '/inbox/pilots', role: 'lead' },
  { method: 'POST', path: '/inbox/pilots/set', role: 'lead' },
  { method: 'POST', path: '/inbox/pilots/kill', role: 'lead' },
  { method: 'POST', path: '/inbox/pilots/resume', role: 'lead' },
  { method: 'GET', path: '/inbox/admin', role: 'admin' },
  { method: 'POST', path: '/inbox/admin/users', role: 'admin' },
  { method: 'POST', path: '/inbox/admin/users/:id/disable', role: 'admin' },
  { method: 'POST', path: '/inbox/admin/users/:id/enable', role: 'admin' },
];

interface Me extends PageUser {
  token: string;
}

/**
 * The agent inbox at `/inbox`: sign-in (a session cookie: HttpOnly, SameSite=Strict, Secure behind HTTPS), the
 * queues of escalated conversations, a conversation with its handoff packet, the actions (take, reply, note, hand
 * back, close) and the judgements of the bot, the corrections for leads, people and keys for admins. Every
 * state-changing request carries the session's CSRF token; each page and action checks the role it needs
 * (INBOX_ROUTES). Routes parse, call the deployment's inbox and people, and render.
 */
export function registerInboxRoutes(app: ServerApp, context: ServerContext): void {
  const { deployment } = context;
  const { people, inbox, store, clock } = deployment;
  const secure = deployment.server.trustProxy;

  app.use('/inbox/*', async (c, next) => {
    await next();
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) c.res.headers.set(name, value);
    if (!c.res.headers.has('cache-control')) c.res.headers.set('cache-control', 'no-store');
  });
  app.use('/inbox', async (c, next) => {
    await next();
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) c.res.headers.set(name, value);
    c.res.headers.set('cache-control', 'no-store');
  });
  app.use('/inbox/*', readBodyLimited(65_536));

  const form = async (c: Context) => new URLSearchParams(await c.req.text());
  const page = (c: Context, body: HtmlEscapedString | Promise<HtmlEscapedString>, status = 200) =>
    c.html(body, status as 200);

  async function signedIn(c: Context): Promise<Me | null> {
    const token = getCookie(c, COOKIE);
    if (!token) return null;
    const user = await people.session(token);
    return user ? { user, token, csrf: people.csrfToken(token) } : null;
  }

  /** A page or action that needs `role`: sign-in first, then the role, then (POST) the CSRF token and origin. */
  function guarded(role: UserRole, handler: (c: Context, me: Me) => Promise<Response>) {
    return async (c: Context) => {
      const me = await signedIn(c);
      if (!me) {
        if (c.req.method === 'GET' && !c.req.path.startsWith('/inbox/events'))
          return c.redirect('/inbox/login', 303);
        return page(c, messagePage({ title: 'Signed out', message: 'Sign in again.' }), 401);
      }
      if (!hasRole(me.user, role)) {
        return page(c, messagePage({ title: 'Not allowed', message: `This page is for ${role}s.`, me }), 403);
      }
      if (c.req.method === 'POST') {
        const fields = await form(c);
        if (!people.checkCsrf(me.token, fields.get('_csrf') ?? undefined) || !sameOrigin(c)) {
          return page(
            c,
            messagePage({
              title: 'Refused',
              message: 'The form has expired: reload the page and try again.',
              me,
            }),
            403,
          );
        }
      }
      return handler(c, me);
    };
  }

  async function names(): Promise<Map<string, string>> {
    return new Map((await store.listUsers()).map((u) => [u.id, u.name ?? u.email]));
  }

  app.get('/inbox/assets/:name', (c) => {
    const asset = ASSETS[c.req.param('name') as keyof typeof ASSETS];
    if (!asset) return c.text('not found', 404);
    return c.body(asset.text, 200, { 'content-type': asset.type, 'cache-control': 'no-cache' });
  });

  app.get('/inbox/login', async (c) => {
    if (await signedIn(c)) return c.redirect('/inbox', 303);
    return page(c, loginPage({}));
  });
  app.post('/inbox/login', async (c) => {
    // No session yet, so no CSRF token: the SameSite=Strict cookie and the origin check keep other sites out.
    if (!sameOrigin(c)) return page(c, loginPage({ error: 'Sign in from this site.' }), 403);
    const fields = await form(c);
    const email = (fields.get('email') ?? '').slice(0, 254);
    const result = await people.signIn({
      email,
      password: fields.get('password') ?? '',
      address: clientAddress(c, secure),
    });
    if (!result.ok) {
      const error =
        result.reason === 'locked'
          ? `Too many failed sign-ins. Try again after ${new Date(result.lockedUntil).toISOString().slice(11, 16)} UTC (in ${Math.ceil((result.lockedUntil - clock.now()) / 60_000)} min).`
          : 'Wrong email or password.';
      return page(c, loginPage({ error, email }), result.reason === 'locked' ? 429 : 401);
    }
    setCookie(c, COOKIE, result.sessionToken, {
      httpOnly: true,
      sameSite: 'Strict',
      secure: secure || new URL(c.req.url).protocol === 'https:',
      path: '/inbox',
      maxAge: Math.floor(SESSION_TTL_MS / 1000),
    });
    return c.redirect('/inbox', 303);
  });
  app.get('/inbox/invite/:token', (c) => page(c, invitePage({ token: c.req.param('token') })));
  app.post('/inbox/invite/:token', async (c) => {
    if (!sameOrigin(c))
      return page(c, messagePage({ title: 'Refused', message: 'Use the link from this site.' }), 403);
    const token = c.req.param('token');
    const fields = await form(c);
    const password = fields.get('password') ?? '';
    if (password !== fields.get('again'))
      return page(c, invitePage({ token, error: 'The two passwords differ.' }), 400);
    try {
      const user = await people.acceptInvitation({ token, password });
      if (!user) {
        return page(
          c,
          messagePage({
            title: 'Link not valid',
            message: 'This link was used already or has expired: ask for a new one.',
          }),
          410,
        );
      }
    } catch (error) {
      if (isSwitchboardError(error) && error.kind === 'user')
        return page(c, invitePage({ token, error: error.message }), 400);
      throw error;
    }
    return page(c, messagePage({ title: 'Password set', message: 'You can sign in now.' }));
  });

  app.post(
    '/inbox/logout',
    guarded('agent', async (c, me) => {
      await people.signOut(me.token);
      deleteCookie(c, COOKIE, { path: '/inbox' });
      return c.redirect('/inbox/login', 303);
    }),
  );
  app.post(
    '/inbox/logout-everywhere',
    guarded('agent', async (c, me) => {
      await people.signOutEverywhere(me.user.id);
      deleteCookie(c, COOKIE, { path: '/inbox' });
      return c.redirect('/inbox/login', 303);
    }),
  );

  const queueRoute = guarded('agent', async (c, me) => {
    const filters: QueueFilters = {};
    for (const key of ['channel', 'workflow', 'reason', 'customer'] as const) {
      const value = c.req.query(key)?.trim();
      if (value) filters[key] = value.slice(0, 200);
    }
    const filtered = Object.keys(filters).length > 0;
    const [queues, userNames] = await Promise.all([inbox.queues(filters), names()]);
    if (c.req.query('fragment') === 'queue') return page(c, queueFragment({ me, queues, names: userNames }));
    // The filters' choices come from every waiting conversation: read again only when these were filtered.
    const items = (filtered ? await inbox.queues() : queues).flatMap((q) => q.items);
    const distinct = (values: Array<string | null | undefined>) =>
      [...new Set(values.filter((v): v is string => typeof v === 'string'))].sort();
    return page(
      c,
      queuePage({
        me,
        queues,
        filters,
        names: userNames,
        options: {
          channels: distinct(items.map((i) => i.conversation.channel)),
          workflows: distinct(items.map((i) => i.conversation.workflowId)),
          reasons: distinct(items.map((i) => i.handoff?.code)),
        },
      }),
    );
  });
  app.get('/inbox', queueRoute);
  app.get('/inbox/', queueRoute);

  app.get(
    '/inbox/c/:id',
    guarded('agent', async (c, me) => {
      const detail = await inbox.conversation(c.req.param('id') ?? '');
      if (!detail)
        return page(c, messagePage({ title: 'Not found', message: 'No such conversation.', me }), 404);
      const userNames = await names();
      if (c.req.query('fragment') === 'status')
        return page(c, statusFragment({ me, detail, names: userNames }));
      const flash = {
        ...(c.req.query('error') ? { error: c.req.query('error')?.slice(0, 300) } : {}),
        ...(c.req.query('done') ? { done: c.req.query('done')?.slice(0, 300) } : {}),
      };
      const intents = deployment.nlu()?.model.labels ?? [];
      return page(c, conversationPage({ me, detail, names: userNames, intents, flash }));
    }),
  );

  /** An action on a conversation: done, then back to it with what happened (Post/Redirect/Get). */
  function action(
    name: string,
    run: (props: { id: string; me: Me; fields: URLSearchParams }) => Promise<string>,
  ) {
    app.post(
      `/inbox/c/:id/${name}`,
      guarded('agent', async (c, me) => {
        const id = c.req.param('id') ?? '';
        const back = `/inbox/c/${encodeURIComponent(id)}`;
        try {
          const done = await run({ id, me, fields: await form(c) });
          return c.redirect(`${back}?done=${encodeURIComponent(done)}`, 303);
        } catch (error) {
          if (isSwitchboardError(error) && error.kind === 'user') {
            if (error.code === 'conversation.not_found') {
              return page(c, messagePage({ title: 'Not found', message: 'No such conversation.', me }), 404);
            }
            return c.redirect(`${back}?error=${encodeURIComponent(error.message)}`, 303);
          }
          throw error;
        }
      }),
    );
  }
  action('take', async ({ id, me }) => {
    await inbox.take({ conversationId: id, user: me.user });
    return 'You have taken this conversation.';
  });
  action('reply', async ({ id, me, fields }) => {
    await inbox.reply({ conversationId: id, user: me.user, text: fields.get('text') ?? '' });
    return 'Reply sent.';
  });
  action('note', async ({ id, me, fields }) => {
    await inbox.note({ conversationId: id, user: me.user, text: fields.get('text') ?? '' });
    return 'Note added.';
  });
  action('hand-back', async ({ id, me, fields }) => {
    await inbox.handBack({ conversationId: id, user: me.user, reason: fields.get('reason') ?? '' });
    return 'Handed back to the bot.';
  });
  action('close', async ({ id, me, fields }) => {
    await inbox.close({ conversationId: id, user: me.user, resolved: fields.get('resolved') === 'yes' });
    return 'Closed.';
  });
  action('draft', async ({ id, me, fields }) => {
    const how = fields.get('how');
    if (how !== 'as_is' && how !== 'edited' && how !== 'discarded') {
      throw new UserError('inbox.bad_draft_use', 'send as is, edit, or discard', { field: 'how' });
    }
    await inbox.useDraft({
      conversationId: id,
      user: me.user,
      draftId: fields.get('draftId') ?? '',
      how,
      text: fields.get('text') ?? '',
    });
    return how === 'discarded' ? 'Draft discarded.' : how === 'edited' ? 'Edited draft sent.' : 'Draft sent.';
  });
  action('judge', async ({ id, me, fields }) => {
    const seq = fields.get('seq');
    const intent = fields.get('intent');
    const verdict = fields.get('verdict');
    const kbArticle = fields.get('kbArticle')?.trim().slice(0, 300);
    const known = deployment.nlu()?.model.labels ?? [];
    if (intent && intent !== '__none__' && !known.includes(intent)) {
      throw new UserError('inbox.unknown_intent', 'that intent is not one of the model’s', {
        field: 'intent',
      });
    }
    await inbox.judge({
      conversationId: id,
      user: me.user,
      judgement: {
        ...(seq !== null && /^\d+$/.test(seq) ? { seq: Number(seq) } : {}),
        ...(verdict === 'right' || verdict === 'wrong' ? { verdict } : {}),
        ...(fields.get('couldHaveResolved') === 'yes' ? { couldHaveResolved: true } : {}),
        ...(intent ? { intent: intent === '__none__' ? null : intent } : {}),
        ...(kbArticle ? { kbArticle } : {}),
      },
    });
    return 'Judgement recorded.';
  });

  // Learning (docs/learning.md): agents' corrections reviewed by leads, retraining through the gate, versions.
  async function renderLearning(
    c: Context,
    me: Me,
    extra: { report?: Parameters<typeof learningPage>[0]['report']; error?: string; done?: string } = {},
    status = 200,
  ) {
    const flash = {
      ...(extra.error
        ? { error: extra.error }
        : c.req.query('error')
          ? { error: c.req.query('error')?.slice(0, 300) }
          : {}),
      ...(extra.done
        ? { done: extra.done }
        : c.req.query('done')
          ? { done: c.req.query('done')?.slice(0, 300) }
          : {}),
    };
    const candidates = await listCandidates({ store });
    return page(
      c,
      learningPage({
        me,
        observed: await inbox.observedPrecision(),
        candidates,
        proposals: proposeNewIntents(candidates),
        reported: new Set(
          (await store.listArtifacts('gate-report'))
            .map((a) => Number(/^nlu-model v(\d+)$/.exec(a.note ?? '')?.[1]))
            .filter((v) => Number.isFinite(v)),
        ),
        names: await names(),
        versions: await store.listArtifacts('nlu-model'),
        ...(extra.report ? { report: extra.report } : {}),
        flash,
      }),
      status,
    );
  }
  app.get(
    '/inbox/corrections',
    guarded('lead', (c, me) => renderLearning(c, me)),
  );
  app.post(
    '/inbox/corrections/review',
    guarded('lead', async (c, me) => {
      const fields = await form(c);
      const ids = fields
        .getAll('id')
        .filter((id) => /^\d+$/.test(id))
        .map(Number);
      const decision = fields.get('decision') === 'accepted' ? 'accepted' : 'rejected';
      const label = fields.get('label')?.trim();
      if (ids.length === 0)
        return c.redirect(`/inbox/corrections?error=${encodeURIComponent('Pick at least one.')}`, 303);
      try {
        await reviewCandidates({
          store,
          clock,
          ids,
          decision,
          ...(decision === 'accepted' && label ? { label: label === 'none' ? null : label } : {}),
          by: `user:${me.user.id}`,
        });
      } catch (error) {
        if (isSwitchboardError(error) && error.kind === 'user') {
          return c.redirect(`/inbox/corrections?error=${encodeURIComponent(error.message)}`, 303);
        }
        throw error;
      }
      return c.redirect(`/inbox/corrections?done=${encodeURIComponent(`${ids.length} ${decision}.`)}`, 303);
    }),
  );
  app.post(
    '/inbox/retrain',
    guarded('lead', async (c, me) => {
      try {
        const { result, stored } = await retrainDeployment({
          deployment,
          testsDir: deployment.learningTestsDir,
          by: `user:${me.user.id}`,
        });
        if (stored.active) await deployment.reload();
        return renderLearning(c, me, {
          report: {
            version: stored.version,
            active: stored.active,
            report: result.report,
            training: result.training,
          },
        });
      } catch (error) {
        if (isSwitchboardError(error) && error.kind === 'user')
          return renderLearning(c, me, { error: error.message }, 400);
        throw error;
      }
    }),
  );
  // The leads' dashboard (docs/metrics.md): the week's figures from the event log, against the audit's goals.
  app.get(
    '/inbox/dashboard',
    guarded('lead', async (c, me) => {
      const asked = c.req.query('day');
      const now = clock.now();
      const day =
        asked && /^\d{4}-\d{2}-\d{2}$/.test(asked) ? asked : new Date(now).toISOString().slice(0, 10);
      let goals: { file: string; goals: GoalsFile } | null = null;
      let goalsProblem: string | undefined;
      const base = deployment.configFile ? dirname(deployment.configFile) : process.cwd();
      const file = DASHBOARD_GOALS.map((f) => resolve(base, f)).find((f) => existsSync(f));
      if (file) {
        try {
          goals = { file, goals: readGoalsFile(file) };
        } catch (error) {
          if (!(isSwitchboardError(error) && error.kind === 'user')) throw error;
          goalsProblem = error.message;
        }
      }
      const report = await buildReport({
        store,
        kind: 'weekly',
        day,
        now,
        goals,
        workflows: deployment.workflows,
      });
      const from = Date.parse(`${report.from}T00:00:00Z`);
      const to = Date.parse(`${report.to}T00:00:00Z`) + 86_400_000;
      const facts = await readConversationFacts({ store, from, to });
      const byOutcome = new Map<string, string[]>();
      for (const f of facts) {
        const outcome = outcomeOf(f, { now });
        if (!outcome) continue;
        const key =
          outcome.kind === 'escalated' && outcome.code ? `escalated (${outcome.code})` : outcome.kind;
        const list = byOutcome.get(key) ?? [];
        if (list.length < 5) list.push(f.id);
        byOutcome.set(key, list);
      }
      const state = deployment.pilotState();
      return page(
        c,
        dashboardPage({
          me,
          report,
          pilots: new Map(
            [...state.pilots.entries()].map(([id, p]) => [
              id,
              { mode: p.settings.mode, percent: p.settings.percent < 100 ? p.settings.percent : null },
            ]),
          ),
          killed: new Set(state.kills.keys()),
          examples: [...byOutcome.entries()]
            .sort(([a], [b]) => a.localeCompare(b))
            .map(([outcome, ids]) => ({ outcome, ids })),
          ...(goalsProblem ? { goalsProblem } : {}),
        }),
      );
    }),
  );
  app.get(
    '/inbox/models/:version/report',
    guarded('lead', async (c, me) => {
      const version = Number(c.req.param('version'));
      const stored = Number.isInteger(version) ? await gateReportOf(deployment, version) : undefined;
      if (!stored)
        return page(
          c,
          messagePage({ title: 'Not found', message: 'No gate report for that version.', me }),
          404,
        );
      return page(c, gateReportPage({ me, version, stored }));
    }),
  );
  app.post(
    '/inbox/models/:version/activate',
    guarded('lead', async (c, me) => {
      const version = Number(c.req.param('version'));
      try {
        await store.activateArtifact({
          kind: 'nlu-model',
          version,
          by: `user:${me.user.id}`,
          at: clock.now(),
        });
      } catch (error) {
        if (isSwitchboardError(error) && error.kind === 'user') {
          return c.redirect(`/inbox/corrections?error=${encodeURIComponent(error.message)}`, 303);
        }
        throw error;
      }
      await deployment.reload();
      return c.redirect(`/inbox/corrections?done=${encodeURIComponent(`Model v${version} is active.`)}`, 303);
    }),
  );

  // Pilots and the kill switch (docs/pilots.md): the same operations as `switchboard pilot`, by leads.
  app.get(
    '/inbox/pilots',
    guarded('lead', async (c, me) => {
      const flash = {
        ...(c.req.query('error') ? { error: c.req.query('error')?.slice(0, 300) } : {}),
        ...(c.req.query('done') ? { done: c.req.query('done')?.slice(0, 300) } : {}),
      };
      const state = await deployment.pilots.state();
      return page(
        c,
        pilotsPage({ me, items: await deployment.pilots.list(), all: state.kills.get(null) ?? null, flash }),
      );
    }),
  );
  const pilotAction = (name: string, run: (fields: URLSearchParams, by: string) => Promise<string>) =>
    app.post(
      `/inbox/pilots/${name}`,
      guarded('lead', async (c, me) => {
        try {
          const done = await run(await form(c), `user:${me.user.id}`);
          return c.redirect(`/inbox/pilots?done=${encodeURIComponent(done)}`, 303);
        } catch (error) {
          if (isSwitchboardError(error) && error.kind === 'user') {
            return c.redirect(`/inbox/pilots?error=${encodeURIComponent(error.describe())}`, 303);
          }
          throw error;
        }
      }),
    );
  const commaList = (text: string | null) =>
    (text ?? '')
      .split(',')
      .map((part) => part.trim())
      .filter((part) => part !== '');
  pilotAction('set', async (fields, by) => {
    const percent = (fields.get('percent') ?? '').trim();
    const workflowId = fields.get('workflow') ?? '';
    await deployment.pilots.set({
      workflowId,
      settings: {
        mode: fields.get('mode') ?? '',
        segments: commaList(fields.get('segments')),
        channels: commaList(fields.get('channels')),
        categories: commaList(fields.get('categories')),
        percent: percent === '' ? 100 : Number.isFinite(Number(percent)) ? Number(percent) : percent,
      },
      by,
      why: fields.get('why') ?? '',
    });
    return `Pilot of ${workflowId} saved.`;
  });
  for (const name of ['kill', 'resume'] as const) {
    pilotAction(name, async (fields, by) => {
      const workflow = fields.get('workflow');
      const workflowId = workflow ? workflow : null;
      const props = { workflowId, by, why: fields.get('why') ?? '' };
      const { changed } =
        name === 'kill' ? await deployment.pilots.kill(props) : await deployment.pilots.resume(props);
      const what = workflowId ?? 'All automation';
      if (!changed) return `${what}: nothing changed.`;
      return name === 'kill'
        ? `${what} stopped: every process applies it on its next turn (within 2 s).`
        : `${what} resumed.`;
    });
  }

  async function renderAdmin(
    c: Context,
    me: Me,
    extra: { invitation?: string; error?: string } = {},
    status = 200,
  ) {
    const [users, keys, channels] = await Promise.all([
      store.listUsers(),
      store.listApiKeys(),
      deployment.channels.status(),
    ]);
    return page(
      c,
      adminPage({
        me,
        users,
        keys: keys.map((k) => ({ id: k.id, name: k.name, scopes: k.scopes, revokedAt: k.revokedAt })),
        channels: channels.map((ch) => ({ ...ch, undelivered: ch.undelivered.length })),
        ...extra,
      }),
      status,
    );
  }
  app.get(
    '/inbox/admin',
    guarded('admin', (c, me) => renderAdmin(c, me)),
  );
  app.post(
    '/inbox/admin/users',
    guarded('admin', async (c, me) => {
      const fields = await form(c);
      try {
        const user = await people.addUser({
          email: fields.get('email') ?? '',
          role: (fields.get('role') ?? '') as UserRole,
          ...(fields.get('name') ? { name: fields.get('name') as string } : {}),
          by: `user:${me.user.id}`,
        });
        const { token } = await people.invite({ userId: user.id });
        return renderAdmin(c, me, { invitation: `${new URL(c.req.url).origin}/inbox/invite/${token}` });
      } catch (error) {
        if (isSwitchboardError(error) && error.kind === 'user')
          return renderAdmin(c, me, { error: error.message }, 400);
        throw error;
      }
    }),
  );
  for (const [verb, disabled] of [
    ['disable', true],
    ['enable', false],
  ] as const) {
    app.post(
      `/inbox/admin/users/:id/${verb}`,
      guarded('admin', async (c, me) => {
        const id = c.req.param('id') ?? '';
        if (id !== me.user.id) await store.setUserDisabled({ userId: id, disabled, at: clock.now() });
        return c.redirect('/inbox/admin', 303);
      }),
    );
  }

  // Live updates: one event per conversation change; the page fetches the regions it shows again.
  app.get(
    '/inbox/events',
    guarded('agent', async (c) =>
      streamSSE(c, async (stream) => {
        const pending = new Set<string>();
        let wake: (() => void) | null = null;
        const stop = store.changes.subscribe((change) => {
          if (change.topic !== 'conversation' && change.topic !== 'any') return;
          pending.add(change.id ?? '');
          wake?.();
        });
        stream.onAbort(() => {
          stop();
          wake?.();
        });
        await stream.writeSSE({ event: 'ready', data: '{}' });
        while (!stream.aborted && !stream.closed) {
          await new Promise<void>((resolve) => {
            wake = resolve;
            setTimeout(resolve, 25_000);
          });
          wake = null;
          if (pending.size === 0) {
            await stream.write(': keep-alive\n\n');
            continue;
          }
          for (const id of pending) await stream.writeSSE({ event: 'changed', data: JSON.stringify({ id }) });
          pending.clear();
        }
        stop();
      }),
    ),
  );
}

/** A state-changing request from another site is refused (a browser sends Origin, or Sec-Fetch-Site, with it). */
function sameOrigin(c: Context): boolean {
  // A browser's own word: it sends Origin: null under Referrer-Policy: no-referrer, which these pages set.
  const site = c.req.header('sec-fetch-site');
  if (site) return site === 'same-origin' || site === 'none';
  const origin = c.req.header('origin');
  if (!origin || origin === 'null') return origin === undefined;
  const host = c.req.header('host');
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}
