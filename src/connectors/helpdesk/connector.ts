import { z } from 'zod';
import { err, ok, type Result } from '../../shared/index.ts';
import {
  type ConnectorContext,
  type ConnectorFailure,
  defineConnector,
  defineOperation,
} from '../connector.ts';
import { fetchJson } from '../fetch-json.ts';
import {
  type CreateTicketRequest,
  TagsResponseSchema,
  TicketResponseSchema,
  type UpdateTicketRequest,
  ZENDESK_PRIORITIES,
  ZENDESK_STATUSES,
} from './zendesk-shapes.ts';

export const HelpdeskConfigSchema = z.strictObject({
  /** `https://yoursubdomain.zendesk.com`. */
  baseUrl: z.url({ protocol: /^https?$/ }),
  /** The agent the bot acts as. */
  email: z.email(),
  apiToken: z.string().min(1),
});
export type HelpdeskConfig = z.infer<typeof HelpdeskConfigSchema>;

/** Ticket ids arrive from templates as text (`"48213"`) or from call results as numbers. */
const TicketId = z
  .union([z.number(), z.string().trim().regex(/^\d+$/, 'a ticket id is digits').transform(Number)])
  .pipe(z.number().int().positive());
const Tags = z.array(z.string().trim().min(1).regex(/^\S+$/, 'a tag has no spaces'));

type Ctx = ConnectorContext<HelpdeskConfig>;

/** Zendesk's API-token form of Basic auth: `{email}/token:{api_token}`. */
export const zendeskAuthorization = (config: HelpdeskConfig) =>
  `Basic ${Buffer.from(`${config.email}/token:${config.apiToken}`).toString('base64')}`;

async function zendesk<T>(
  ctx: Ctx,
  method: string,
  path: string,
  body: unknown,
  response: z.ZodType<T>,
): Promise<Result<T, ConnectorFailure>> {
  const base = ctx.config.baseUrl.endsWith('/') ? ctx.config.baseUrl : `${ctx.config.baseUrl}/`;
  const res = await fetchJson({
    url: new URL(path, base),
    method,
    headers: { authorization: zendeskAuthorization(ctx.config) },
    body,
    signal: ctx.signal,
  });
  if (!res.ok) return res;
  const parsed = response.safeParse(res.value.body);
  if (!parsed.success) {
    return err({
      code: 'bad_response',
      message: `Zendesk answered ${method} ${path} with an unexpected shape`,
      retryable: false,
    });
  }
  return ok(parsed.data);
}

const ticketPath = (id: number) => `api/v2/tickets/${id}.json`;

/**
 * A Zendesk-shaped helpdesk client: creates handoff tickets, adds internal notes, replaces tags and sets the
 * status. Authenticates with an API token; the token only ever leaves in the Authorization header.
 *
 * @example
 * const registry = createConnectorRegistry({
 *   connectors: [{ definition: helpdeskConnector,
 *     config: { baseUrl: 'https://acme.zendesk.com', email: 'bot@acme.example', apiToken: process.env.ZD_TOKEN } }],
 *   clock: systemClock,
 *   logger,
 * });
 */
export const helpdeskConnector = defineConnector<HelpdeskConfig>({
  name: 'helpdesk',
  secrets: (config) => [config.apiToken, zendeskAuthorization(config)],
  version: 1,
  description: 'A Zendesk-shaped helpdesk: create tickets, add internal notes, set tags and status.',
  config: HelpdeskConfigSchema,
  operations: {
    createTicket: defineOperation({
      description: 'Opens a ticket for the requester; the body is the first comment, an internal note.',
      input: z.object({
        subject: z.string().trim().min(1).max(250),
        body: z.string().min(1),
        requesterEmail: z.email(),
        requesterName: z.string().trim().min(1).optional(),
        tags: Tags.optional(),
        priority: z.enum(ZENDESK_PRIORITIES).optional(),
      }),
      output: z.object({ ticketId: z.number().int().positive() }),
      run: async (ctx: Ctx, input) => {
        const request: CreateTicketRequest = {
          ticket: {
            subject: input.subject,
            comment: { body: input.body, public: false },
            requester: {
              email: input.requesterEmail,
              ...(input.requesterName ? { name: input.requesterName } : {}),
            },
            ...(input.tags ? { tags: input.tags } : {}),
            ...(input.priority ? { priority: input.priority } : {}),
          },
        };
        const res = await zendesk(ctx, 'POST', 'api/v2/tickets.json', request, TicketResponseSchema);
        return res.ok ? ok({ ticketId: res.value.ticket.id }) : res;
      },
    }),
    addInternalNote: defineOperation({
      description: 'Adds a private comment (an internal note) to a ticket.',
      input: z.object({ ticketId: TicketId, body: z.string().min(1) }),
      output: z.object({ ok: z.literal(true) }),
      run: async (ctx: Ctx, input) => {
        const request: UpdateTicketRequest = { ticket: { comment: { body: input.body, public: false } } };
        const res = await zendesk(ctx, 'PUT', ticketPath(input.ticketId), request, TicketResponseSchema);
        return res.ok ? ok({ ok: true as const }) : res;
      },
    }),
    setTags: defineOperation({
      description: "Replaces a ticket's tags.",
      input: z.object({ ticketId: TicketId, tags: Tags }),
      output: z.object({ tags: z.array(z.string()) }),
      run: async (ctx: Ctx, input) => {
        const path = `api/v2/tickets/${input.ticketId}/tags.json`;
        const res = await zendesk(ctx, 'POST', path, { tags: input.tags }, TagsResponseSchema);
        return res.ok ? ok({ tags: res.value.tags }) : res;
      },
    }),
    setStatus: defineOperation({
      description: "Sets a ticket's status (new, open, pending, hold, solved, closed).",
      input: z.object({ ticketId: TicketId, status: z.enum(ZENDESK_STATUSES) }),
      output: z.object({ status: z.enum(ZENDESK_STATUSES) }),
      run: async (ctx: Ctx, input) => {
        const request: UpdateTicketRequest = { ticket: { status: input.status } };
        const res = await zendesk(ctx, 'PUT', ticketPath(input.ticketId), request, TicketResponseSchema);
        return res.ok ? ok({ status: res.value.ticket.status }) : res;
      },
    }),
  },
});
