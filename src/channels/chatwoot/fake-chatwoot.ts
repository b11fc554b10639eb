import { z } from 'zod';
import { type FakeHelpdesk, startFakeServer, type TimelineEntry } from '../fake-helpdesk.ts';
import { hmac } from '../signature.ts';

const STATUSES = ['open', 'resolved', 'pending', 'snoozed'] as const;
const MessageBody = z.object({
  content: z.string().min(1),
  message_type: z.literal('outgoing').optional(),
  private: z.boolean().optional(),
});

export interface FakeChatwoot extends FakeHelpdesk {
  /** The conversation's status as Chatwoot holds it (`pending` until someone changes it). */
  status(display: number): (typeof STATUSES)[number];
}

/**
 * Chatwoot's agent-bot API as ../shared/formats/chatwoot-agent-bot.md section 4 documents it: messages,
 * toggle_status, toggle_priority, assignments and labels under `/api/v1/accounts/{account}/conversations/{id}`,
 * the bot's `api_access_token` header, 422 for a body without content. Conversations exist from their first call
 * (as they do in Chatwoot before the bot is told of them), `pending` until changed.
 *
 * @example
 * const chatwoot = await startFakeChatwoot({ accountId: 1, token: 'bot-token' });
 * // point a chatwoot channel at chatwoot.url; then
 * chatwoot.timeline('1:12'); // [{ kind: 'reply', text: '...' }, ...]
 */
export async function startFakeChatwoot(props: { accountId: number; token: string }): Promise<FakeChatwoot> {
  const statuses = new Map<number, (typeof STATUSES)[number]>();
  const labels = new Map<number, string[]>();
  const timelines = new Map<number, TimelineEntry[]>();
  let nextMessageId = 500_000;
  const push = (id: number, entry: TimelineEntry) => timelines.set(id, [...(timelines.get(id) ?? []), entry]);
  const base = `^/api/v1/accounts/${props.accountId}/conversations/(\\d+)`;
  const invalid = (message: string) => ({ status: 422, body: { message } });

  const fake = await startFakeServer({
    authorized: (req) => req.headers.api_access_token === props.token,
    timeline: (external) => timelines.get(Number(external.split(':')[1])) ?? [],
    routes: [
      {
        method: 'POST',
        path: new RegExp(`${base}/messages$`),
        handle: ({ match, body }) => {
          const parsed = MessageBody.safeParse(body);
          if (!parsed.success) return invalid('content: must not be blank');
          const id = Number(match[1]);
          push(id, { kind: parsed.data.private ? 'note' : 'reply', text: parsed.data.content });
          const messageId = nextMessageId++;
          return {
            status: 200,
            body: {
              id: messageId,
              content: parsed.data.content,
              message_type: 1,
              private: parsed.data.private ?? false,
              conversation_id: id,
              created_at: Math.floor(Date.now() / 1000),
            },
          };
        },
      },
      {
        method: 'POST',
        path: new RegExp(`${base}/toggle_status$`),
        handle: ({ match, body }) => {
          const parsed = z.object({ status: z.enum(STATUSES) }).safeParse(body);
          if (!parsed.success) return invalid('status: is not included in the list');
          const id = Number(match[1]);
          const status = parsed.data.status;
          if ((statuses.get(id) ?? 'pending') !== status) {
            statuses.set(id, status);
            if (status === 'open') push(id, { kind: 'owner', value: 'human' });
            else if (status === 'pending') push(id, { kind: 'owner', value: 'bot' });
            else if (status === 'resolved') push(id, { kind: 'closed' });
          }
          return {
            status: 200,
            body: { payload: { success: true, current_status: status, conversation_id: id } },
          };
        },
      },
      {
        method: 'POST',
        path: new RegExp(`${base}/toggle_priority$`),
        handle: ({ match, body }) => {
          const parsed = z.object({ priority: z.enum(['low', 'medium', 'high', 'urgent']) }).safeParse(body);
          if (!parsed.success) return invalid('priority: is not included in the list');
          push(Number(match[1]), { kind: 'priority', value: parsed.data.priority });
          return { status: 200, body: {} };
        },
      },
      {
        method: 'POST',
        path: new RegExp(`${base}/assignments$`),
        handle: ({ match, body }) => {
          const parsed = z
            .object({ team_id: z.number().int().optional(), assignee_id: z.number().int().optional() })
            .safeParse(body);
          if (!parsed.success || (parsed.data.team_id ?? parsed.data.assignee_id) === undefined) {
            return invalid('assignee_id or team_id is required');
          }
          const team = parsed.data.team_id;
          push(Number(match[1]), { kind: 'queue', value: team !== undefined ? `team:${team}` : 'agent' });
          return { status: 200, body: { id: team ?? parsed.data.assignee_id } };
        },
      },
      {
        method: 'GET',
        path: new RegExp(`${base}/labels$`),
        handle: ({ match }) => ({ status: 200, body: { payload: labels.get(Number(match[1])) ?? [] } }),
      },
      {
        method: 'POST',
        path: new RegExp(`${base}/labels$`),
        handle: ({ match, body }) => {
          const parsed = z.object({ labels: z.array(z.string()) }).safeParse(body);
          if (!parsed.success) return invalid('labels: must be an array');
          const id = Number(match[1]);
          labels.set(id, parsed.data.labels);
          push(id, { kind: 'tags', value: parsed.data.labels });
          return { status: 200, body: { payload: parsed.data.labels } };
        },
      },
    ],
  });
  return { ...fake, status: (display) => statuses.get(display) ?? 'pending' };
}

/** A delivery as Chatwoot would post it to the bot's `outgoing_url`: the body and its headers. */
export interface ChatwootDelivery {
  body: string;
  headers: Record<string, string>;
}

/**
 * Builds Chatwoot deliveries in the shapes of ../shared/formats/chatwoot-agent-bot.md section 3 (a message event
 * nesting its conversation, conversation events at the top level), signed as Chatwoot 4.x signs them when a
 * secret is given. The content is the caller's; the rest is invented.
 */
export function chatwootDeliveries(props: { accountId: number; secret?: string }) {
  const { accountId } = props;
  const sign = (body: string, at: number): ChatwootDelivery => {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (props.secret) {
      const timestamp = String(Math.floor(at / 1000));
      headers['x-chatwoot-timestamp'] = timestamp;
      headers['x-chatwoot-signature'] =
        `sha256=${hmac('sha256', props.secret, [`${timestamp}.`, body], 'hex')}`;
      headers['x-chatwoot-delivery'] = `delivery-${Math.random().toString(16).slice(2)}`;
    }
    return { body, headers };
  };
  const conversation = (id: number, status: string, at: number) => ({
    id,
    inbox_id: 4,
    status,
    channel: 'Channel::WebWidget',
    can_reply: true,
    labels: [],
    meta: {
      sender: { id: 3307, name: 'Test Customer', email: 'customer@mail.example', type: 'contact' },
      assignee: null,
      team: null,
    },
    messages: [],
    timestamp: Math.floor(at / 1000),
    created_at: Math.floor(at / 1000) - 10,
  });
  const message = (p: {
    conversation: number;
    message: number;
    text: string | null;
    type: 'incoming' | 'outgoing' | 'template';
    private?: boolean;
    sender: Record<string, unknown>;
    status?: string;
    at: number;
    event?: string;
    contentType?: string;
    contentAttributes?: Record<string, unknown>;
  }) =>
    sign(
      JSON.stringify({
        event: p.event ?? 'message_created',
        id: p.message,
        content: p.text,
        created_at: new Date(p.at).toISOString(),
        message_type: p.type,
        content_type: p.contentType ?? 'text',
        content_attributes: p.contentAttributes ?? {},
        private: p.private ?? false,
        source_id: null,
        sender: p.sender,
        inbox: { id: 4, name: 'Website' },
        conversation: conversation(p.conversation, p.status ?? 'pending', p.at),
        account: { id: accountId, name: 'Test' },
      }),
      p.at,
    );
  const contact = { id: 3307, name: 'Test Customer', email: 'customer@mail.example', type: 'contact' };
  const agent = { id: 12, name: 'Agent Ana', email: 'ana@shop.example', type: 'user' };
  const bot = { id: 2, name: 'Switchboard', type: 'agent_bot' };
  return {
    /** Any body, signed as a delivery at `at`. */
    signed: sign,
    /** `from`: the contact who writes (a test customer when absent). */
    customerMessage: (p: {
      conversation: number;
      message: number;
      text: string;
      at: number;
      status?: string;
      from?: Record<string, unknown>;
    }) => message({ ...p, type: 'incoming', sender: p.from ?? contact }),
    agentMessage: (p: { conversation: number; message: number; text: string; at: number }) =>
      message({ ...p, type: 'outgoing', sender: agent, status: 'open' }),
    ownMessage: (p: { conversation: number; message: number; text: string; at: number }) =>
      message({ ...p, type: 'outgoing', sender: bot }),
    privateNote: (p: { conversation: number; message: number; text: string; at: number }) =>
      message({ ...p, type: 'outgoing', sender: agent, private: true, status: 'open' }),
    csat: (p: { conversation: number; message: number; rating: number; comment: string; at: number }) =>
      message({
        ...p,
        event: 'message_updated',
        text: 'Please rate the conversation',
        type: 'template',
        sender: bot,
        contentType: 'input_csat',
        contentAttributes: {
          submitted_values: { csat_survey_response: { rating: p.rating, feedback_message: p.comment } },
        },
      }),
    statusChanged: (p: { conversation: number; status: string; previous: string; at: number }) =>
      sign(
        JSON.stringify({
          event: 'conversation_status_changed',
          ...conversation(p.conversation, p.status, p.at),
          changed_attributes: [{ status: { current_value: p.status, previous_value: p.previous } }],
          account: { id: accountId, name: 'Test' },
        }),
        p.at,
      ),
    unknownEvent: (at: number) =>
      sign(JSON.stringify({ event: 'webwidget_triggered', id: 1, event_info: {} }), at),
  };
}
