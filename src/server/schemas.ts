import { z } from '@hono/zod-openapi';

/** The request and response shapes of the API: one zod schema each gives the check, the type and the OpenAPI. */

export const ProblemSchema = z
  .object({
    type: z.string().openapi({ example: 'urn:switchboard:problem:conversation.not_found' }),
    title: z.string(),
    status: z.number().int(),
    code: z.string().openapi({ description: 'Stable: switch on it.' }),
    detail: z.string().optional(),
    instance: z.string().optional(),
    errors: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
  })
  .openapi('Problem', { description: 'An error (RFC 9457), sent as application/problem+json.' });

export const MessageSchema = z
  .object({
    seq: z.number().int().min(0).openapi({ description: 'Position in the conversation, from 0.' }),
    role: z.enum(['customer', 'bot', 'agent', 'system']),
    text: z.string(),
    at: z.string().openapi({ description: 'ISO 8601.', example: '2026-12-07T10:00:00.000Z' }),
    kind: z.enum(['reply', 'ask', 'confirm', 'resolve', 'escalate', 'clarify']).optional().openapi({
      description: 'Bot lines: ask may carry choices; confirm wants yes or no; escalate is the hand-off.',
    }),
    choices: z.array(z.string()).optional(),
    pending: z
      .boolean()
      .optional()
      .openapi({ description: 'A customer message the bot has not handled yet.' }),
  })
  .openapi('Message');

export const ConversationStateSchema = z
  .object({
    owner: z.enum(['bot', 'human']),
    status: z.enum(['open', 'resolved', 'escalated', 'closed']),
  })
  .openapi('ConversationState');

export const OutcomeSchema = z
  .object({
    type: z.enum(['open', 'resolved', 'escalated', 'closed']),
    escalationCode: z.string().optional(),
    queue: z.string().optional(),
    feedback: z.object({ resolved: z.boolean().nullable(), rating: z.number().int().nullable() }).optional(),
  })
  .openapi('Outcome', { description: "Where the conversation stands, and the customer's last feedback." });

export const ConversationSchema = z
  .object({
    id: z.string(),
    channel: z.string(),
    owner: z.enum(['bot', 'human']),
    status: z.enum(['open', 'resolved', 'escalated', 'closed']),
    outcome: OutcomeSchema,
    createdAt: z.string(),
    updatedAt: z.string(),
    messages: z.array(MessageSchema),
  })
  .openapi('Conversation');

export const ConversationIdParams = z.object({
  id: z
    .string()
    .min(1)
    .max(200)
    .openapi({ param: { name: 'id', in: 'path' }, example: 'c_9xQ2Zp3tHnB5cR1e' }),
});

export const StartConversationBody = z
  .strictObject({
    customer: z
      .strictObject({
        id: z.string().max(200).optional(),
        email: z.email().max(320).optional(),
        name: z.string().max(200).optional(),
        plan: z.string().max(100).optional(),
        segment: z.string().max(100).optional(),
        attributes: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])).optional(),
        signature: z.string().max(128).optional().openapi({
          description: 'Widget keys that verify identity: HMAC-SHA256 of the email (docs/serve.md).',
        }),
      })
      .optional(),
    channel: z
      .string()
      .regex(/^[a-z][a-z0-9_-]{0,31}$/)
      .optional()
      .openapi({ description: 'Default: widget for widget keys, api otherwise.' }),
  })
  .openapi('StartConversation');

export const StartConversationResponse = z
  .object({
    conversation: ConversationSchema,
    token: z
      .string()
      .openapi({ description: 'Reads and writes this conversation only: Authorization: Bearer <token>.' }),
  })
  .openapi('StartedConversation');

export const PostMessageBody = z
  .strictObject({
    text: z
      .string()
      .max(4000)
      .refine((t) => t.trim().length > 0, 'a message needs some text'),
  })
  .openapi('PostMessage');

export const PostMessageAccepted = z
  .object({ message: MessageSchema })
  .openapi('MessageAccepted', { description: 'Stored; the replies arrive on the event stream.' });

export const PostMessageAnswered = z
  .object({
    message: MessageSchema,
    replies: z.array(MessageSchema),
    conversation: ConversationStateSchema,
  })
  .openapi('MessageAnswered', {
    description: 'With `Prefer: wait=N`, once the bot has answered within N s.',
  });

/** The longest feedback comment (the widget's survey textarea has the same maxlength). */
export const FEEDBACK_COMMENT_MAX_LENGTH = 2000;

const RATING_MESSAGE = 'a rating is a whole number from 1 to 5';

export const FeedbackBody = z
  .strictObject({
    resolved: z.boolean().optional().openapi({ description: 'Did this resolve your issue?' }),
    rating: z
      .number(RATING_MESSAGE)
      .int(RATING_MESSAGE)
      .min(1, RATING_MESSAGE)
      .max(5, RATING_MESSAGE)
      .optional()
      .openapi({
        description:
          'CSAT, 1 to 5 ("How would you rate this conversation?"). Each answer is kept; the newest counts.',
      }),
    comment: z
      .string()
      .max(FEEDBACK_COMMENT_MAX_LENGTH, `a comment has at most ${FEEDBACK_COMMENT_MAX_LENGTH} characters`)
      .optional(),
  })
  .refine((f) => f.resolved !== undefined || f.rating !== undefined || f.comment !== undefined, {
    message: 'say resolved, rating or comment',
  })
  .openapi('Feedback');

export const FeedbackResponse = z
  .object({
    feedback: z.object({
      id: z.number().int(),
      resolved: z.boolean().nullable(),
      rating: z.number().int().nullable(),
      at: z.string(),
    }),
  })
  .openapi('FeedbackStored');

export const IdempotencyKeyHeader = z
  .string()
  .regex(/^[\x21-\x7e]{1,128}$/, '1 to 128 visible ASCII characters')
  .optional()
  .openapi({
    description: 'A retried request with the same key returns the first answer and stores nothing new.',
  });
