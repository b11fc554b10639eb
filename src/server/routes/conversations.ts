import { randomBytes } from 'node:crypto';
import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { newConversationToken, verifyCustomerIdentity } from '../../access/index.ts';
import { readRuntimeState } from '../../conversations/index.ts';
import type { CustomerProfile } from '../../domain/index.ts';
import type { StoredApiKey, StoredConversation, StoredConversationMessage } from '../../store/index.ts';
import type { Principal } from '../auth.ts';
import { overKeyLimit, type ServerApp, type ServerContext, untyped } from '../context.ts';
import { PROBLEM_CONTENT_TYPE, sendProblem } from '../problems.ts';
import {
  ConversationIdParams,
  ConversationSchema,
  FeedbackBody,
  FeedbackResponse,
  IdempotencyKeyHeader,
  PostMessageAccepted,
  PostMessageAnswered,
  PostMessageBody,
  ProblemSchema,
  StartConversationBody,
  StartConversationResponse,
} from '../schemas.ts';
import { conversationView, type MessageView, messageView } from '../views.ts';

const problems = (...statuses: number[]) =>
  Object.fromEntries(
    statuses.map((status) => [
      status,
      { description: `problem ${status}`, content: { [PROBLEM_CONTENT_TYPE]: { schema: ProblemSchema } } },
    ]),
  );

const json = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});

const security = [{ bearer: [] }];

const startRoute = createRoute({
  method: 'post',
  path: '/v1/conversations',
  summary: 'Start a conversation',
  description:
    'With a secret key (scope `conversations`) or a publishable widget key. Answers the conversation and its token, which reads and writes that conversation only.',
  security,
  request: {
    headers: z.object({ 'idempotency-key': IdempotencyKeyHeader }),
    body: { required: true, content: { 'application/json': { schema: StartConversationBody } } },
  },
  responses: {
    201: json(
      StartConversationResponse,
      'Started (or, for a retried Idempotency-Key, the first one, with a new token)',
    ),
    ...problems(400, 401, 403, 413, 429),
  },
});

const getRoute = createRoute({
  method: 'get',
  path: '/v1/conversations/{id}',
  summary: 'Read a conversation: transcript, owner, status, outcome',
  security,
  request: { params: ConversationIdParams },
  responses: { 200: json(ConversationSchema, 'The conversation'), ...problems(401, 403, 404, 429) },
});

const postMessageRoute = createRoute({
  method: 'post',
  path: '/v1/conversations/{id}/messages',
  summary: "Post the customer's message",
  description:
    'Stores the message and queues its turn; the replies arrive on the event stream. With `Prefer: wait=N` (N <= 10) the answer waits up to N seconds for them and includes them (200); past that it is 202 as without.',
  security,
  request: {
    params: ConversationIdParams,
    headers: z.object({
      'idempotency-key': IdempotencyKeyHeader,
      prefer: z.string().optional().openapi({ example: 'wait=5' }),
    }),
    body: { required: true, content: { 'application/json': { schema: PostMessageBody } } },
  },
  responses: {
    200: json(PostMessageAnswered, 'Stored, and answered within the wait asked for'),
    202: json(PostMessageAccepted, 'Stored; replies follow on the stream'),
    ...problems(400, 401, 403, 404, 409, 413, 422, 429),
  },
});

const feedbackRoute = createRoute({
  method: 'post',
  path: '/v1/conversations/{id}/feedback',
  summary: '"Did this resolve your issue?", a rating, a comment',
  description: 'A "no" hands a conversation the bot still owns to a person, with its handoff packet.',
  security,
  request: {
    params: ConversationIdParams,
    body: { required: true, content: { 'application/json': { schema: FeedbackBody } } },
  },
  responses: { 201: json(FeedbackResponse, 'Stored'), ...problems(400, 401, 403, 404, 413, 429) },
});

/** The REST channel: start a conversation, post messages, read it, give feedback. */
export function registerConversationRoutes(app: ServerApp, context: ServerContext): void {
  const { deployment, auth } = context;
  const { conversations, store } = deployment;

  app.openapi(startRoute, async (c) => {
    const principal = await auth.key(c.req.header('authorization'), ['conversations', 'widget']);
    if (!('kind' in principal)) return untyped(sendProblem(c, principal));
    const limited = overKeyLimit(c, context, principal);
    if (limited) return untyped(limited);
    if (principal.kind !== 'key') return untyped(sendProblem(c, { status: 403, code: 'auth.scope' }));
    const key = principal.key;
    const body = c.req.valid('json');
    let customer: CustomerProfile;
    let channel: string;
    if (key.publishable) {
      const origin = c.req.header('origin');
      if (origin && key.origins.length > 0 && !key.origins.includes(origin)) {
        return untyped(
          sendProblem(c, {
            status: 403,
            code: 'auth.origin',
            detail: 'this widget key is not for this site',
          }),
        );
      }
      const widgetCustomer = customerOfWidget(key, body.customer);
      if (!widgetCustomer) {
        return untyped(
          sendProblem(c, {
            status: 403,
            code: 'identity.bad_signature',
            detail:
              "the customer's signature does not match their email (see docs/serve.md, identity verification)",
          }),
        );
      }
      customer = widgetCustomer;
      channel = 'widget';
    } else {
      const { signature: _unused, ...given } = body.customer ?? {};
      customer = { ...given, attributes: given.attributes ?? {} };
      channel = body.channel ?? 'api';
    }
    const { token, hash } = newConversationToken();
    const idempotencyKey = c.req.valid('header')['idempotency-key'];
    const id = `c_${randomBytes(12).toString('base64url')}`;
    const conversation = await conversations.start({
      id,
      customer,
      channel,
      tokenHash: hash,
      ...(idempotencyKey ? { idempotencyKey: `${key.id}:${idempotencyKey}` } : {}),
    });
    // A retried start: the first token was only kept as a hash, so the conversation gets this one instead.
    if (conversation.id !== id)
      await store.setConversationTokenHash({ conversationId: conversation.id, tokenHash: hash });
    const view = await viewOf(context, conversation);
    c.header('location', `/v1/conversations/${encodeURIComponent(conversation.id)}`);
    return c.json({ conversation: view, token }, 201);
  });

  app.openapi(getRoute, async (c) => {
    const access = await conversationAccess(c, context, c.req.valid('param').id);
    if (access instanceof Response) return untyped(access);
    return c.json(await viewOf(context, access.conversation), 200);
  });

  app.openapi(postMessageRoute, async (c) => {
    const access = await conversationAccess(c, context, c.req.valid('param').id);
    if (access instanceof Response) return untyped(access);
    const { conversation } = access;
    if (conversation.status === 'closed') {
      return untyped(
        sendProblem(c, {
          status: 409,
          code: 'conversation.closed',
          detail: 'the conversation is closed: start a new one',
        }),
      );
    }
    const headers = c.req.valid('header');
    const { text } = c.req.valid('json');
    const received = await conversations.receive({
      conversationId: conversation.id,
      text,
      ...(headers['idempotency-key'] ? { idempotencyKey: headers['idempotency-key'] } : {}),
    });
    // As it was received: whether it is still pending changes, and a retried POST answers the same.
    const { pending: _pending, ...message } = messageView(received.message);
    const waitMs = preferWaitMs(headers.prefer, context.maxWaitMs);
    if (waitMs > 0) {
      const answer = await waitForAnswer(context, conversation.id, received.message.seq, waitMs);
      if (answer) {
        c.header('preference-applied', `wait=${Math.round(waitMs / 1000)}`);
        if (received.duplicate) c.header('idempotent-replayed', 'true');
        return c.json({ message, ...answer }, 200);
      }
    }
    if (received.duplicate) c.header('idempotent-replayed', 'true');
    return c.json({ message }, 202);
  });

  app.openapi(feedbackRoute, async (c) => {
    const access = await conversationAccess(c, context, c.req.valid('param').id);
    if (access instanceof Response) return untyped(access);
    const body = c.req.valid('json');
    const stored = await conversations.feedback({
      conversationId: access.conversation.id,
      ...body,
      source: access.principal.kind === 'token' ? access.conversation.channel : 'api',
    });
    return c.json(
      {
        feedback: {
          id: stored.id,
          resolved: stored.resolved,
          rating: stored.rating,
          at: new Date(stored.at).toISOString(),
        },
      },
      201,
    );
  });
}

/** Checks the credential against the conversation, and the credential's rate; a problem response otherwise. */
export async function conversationAccess(
  c: Context,
  context: ServerContext,
  conversationId: string,
): Promise<{ principal: Principal; conversation: StoredConversation } | Response> {
  const access = await context.auth.conversation(c.req.header('authorization'), conversationId);
  if (!('principal' in access)) return sendProblem(c, access);
  return overKeyLimit(c, context, access.principal) ?? access;
}

/**
 * The customer a widget key may claim: with an identity secret, an email only with its signature (null when the
 * signature is wrong); without one, nothing the page says is trusted: the name is shown to agents, the email kept
 * as a claim, never used to look anything up.
 */
function customerOfWidget(
  key: StoredApiKey,
  given: { email?: string; name?: string; signature?: string } | undefined,
): CustomerProfile | null {
  const name = given?.name ? { name: given.name } : {};
  if (!given?.email) return { ...name, attributes: {} };
  if (key.identitySecret) {
    if (!given.signature || !verifyCustomerIdentity(key.identitySecret, given.email, given.signature))
      return null;
    return { id: given.email, email: given.email, ...name, attributes: { identityVerified: true } };
  }
  return { ...name, attributes: { claimedEmail: given.email, identityVerified: false } };
}

async function viewOf(context: ServerContext, conversation: StoredConversation) {
  const { store } = context.deployment;
  const [messages, handoffs, feedback] = await Promise.all([
    store.listConversationMessages({ conversationId: conversation.id }),
    conversation.status === 'escalated' ? store.listHandoffs({ conversationId: conversation.id }) : [],
    store.listFeedback({ conversationId: conversation.id }),
  ]);
  return conversationView({
    conversation,
    messages,
    ...(handoffs.at(-1) ? { handoff: handoffs.at(-1)! } : {}),
    ...(feedback.at(-1) ? { feedback: feedback.at(-1)! } : {}),
  });
}

/** `Prefer: wait=N` (RFC 7240), in ms, capped; 0 when absent or malformed. */
export function preferWaitMs(header: string | undefined, maxMs: number): number {
  const match = /(?:^|[,;\s])wait\s*=\s*(\d{1,5})\b/i.exec(header ?? '');
  if (!match) return 0;
  return Math.min(maxMs, Number(match[1]) * 1000);
}

/**
 * Waits until the message `seq` has been handled and no connector call it led to is outstanding, then answers
 * the bot's lines after it (up to the next customer message) and the conversation's state; null at the deadline.
 * Woken by the store's changes, so it reacts as soon as the turn commits, in this process or another.
 */
async function waitForAnswer(
  context: ServerContext,
  conversationId: string,
  seq: number,
  waitMs: number,
): Promise<{ replies: MessageView[]; conversation: Pick<StoredConversation, 'owner' | 'status'> } | null> {
  const { store } = context.deployment;
  const check = async () => {
    const conversation = await store.findConversation(conversationId);
    if (!conversation) return null;
    const messages = await store.listConversationMessages({ conversationId, afterSeq: seq - 1 });
    const own = messages[0];
    if (!own || own.pending) return null;
    if (conversation.owner === 'bot' && readRuntimeState(conversationId, conversation.state).pendingCall)
      return null;
    return {
      replies: repliesAfter(messages.slice(1)).map(messageView),
      conversation: { owner: conversation.owner, status: conversation.status },
    };
  };
  return new Promise((resolve) => {
    let done = false;
    let checking = false;
    let again = false;
    const finish = (value: Awaited<ReturnType<typeof check>>) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      stop();
      resolve(value);
    };
    const run = async () => {
      if (checking) {
        again = true;
        return;
      }
      checking = true;
      try {
        do {
          again = false;
          const answer = await check();
          if (answer) return finish(answer);
        } while (again && !done);
      } catch {
        finish(null);
      } finally {
        checking = false;
      }
    };
    const stop = store.changes.subscribe((change) => {
      if ((change.topic === 'conversation' && change.id === conversationId) || change.topic === 'any')
        void run();
    });
    const timer = setTimeout(() => finish(null), waitMs);
    void run();
  });
}

/** The bot's (and agents') lines that answer a message: those before the next customer message. */
function repliesAfter(messages: readonly StoredConversationMessage[]): StoredConversationMessage[] {
  const next = messages.findIndex((m) => m.role === 'customer');
  return next < 0 ? [...messages] : messages.slice(0, next);
}
