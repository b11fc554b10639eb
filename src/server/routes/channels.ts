import type { ServerApp, ServerContext } from '../context.ts';
import { sendProblem } from '../problems.ts';

/**
 * Helpdesk webhooks: `POST /channels/<name>/webhook`, the URL a helpdesk's bot, webhook or trigger posts to
 * (docs/channels.md). The route checks the signature, parses, queues the events as jobs and answers at once:
 * Chatwoot gives up after 5 s and hands the conversation to people by itself, Zendesk after 10 s. A bad
 * signature is 401, a body the channel does not understand 400 (with the fields), and neither stores anything.
 */
export function registerChannelRoutes(app: ServerApp, context: ServerContext): void {
  const { channels, clock } = context.deployment;
  app.post('/channels/:name/webhook', async (c) => {
    const name = c.req.param('name');
    const body = new Uint8Array(await c.req.arrayBuffer());
    const accepted = await channels.accept(name, {
      header: (header) => c.req.header(header),
      body,
      receivedAt: clock.now(),
    });
    if (accepted.ok) return c.json({ status: 'accepted', ...accepted.value }, 200);
    if (accepted.error === null) {
      return sendProblem(c, {
        status: 404,
        code: 'channel.unknown',
        detail: 'no channel of that name is configured',
      });
    }
    const { status, code, detail, errors } = accepted.error;
    return sendProblem(c, { status, code, detail, ...(errors ? { errors } : {}) });
  });
}
