import { z } from 'zod';

/**
 * The Zendesk Support request and response bodies the helpdesk connector sends and reads (see
 * ../shared/formats/zendesk-tickets.md, section 6). The fake server checks requests against the same schemas,
 * so client and fake cannot drift apart silently.
 */

export const ZENDESK_STATUSES = ['new', 'open', 'pending', 'hold', 'solved', 'closed'] as const;
export const ZENDESK_PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;

/** `public` is always sent: Zendesk otherwise keeps the previous comment's visibility. */
export const CommentWriteSchema = z.strictObject({
  body: z.string().min(1),
  public: z.boolean(),
});

export const CreateTicketRequestSchema = z.strictObject({
  ticket: z.strictObject({
    subject: z.string().min(1),
    comment: CommentWriteSchema,
    requester: z.strictObject({ email: z.string().includes('@'), name: z.string().min(1).optional() }),
    tags: z.array(z.string()).optional(),
    priority: z.enum(ZENDESK_PRIORITIES).optional(),
  }),
});
export type CreateTicketRequest = z.infer<typeof CreateTicketRequestSchema>;

export const UpdateTicketRequestSchema = z.strictObject({
  ticket: z
    .strictObject({
      comment: CommentWriteSchema.optional(),
      status: z.enum(ZENDESK_STATUSES).optional(),
      tags: z.array(z.string()).optional(),
    })
    .refine((t) => Object.keys(t).length > 0, 'an update changes at least one field'),
});
export type UpdateTicketRequest = z.infer<typeof UpdateTicketRequestSchema>;

export const TagsRequestSchema = z.strictObject({ tags: z.array(z.string()) });

/** Only the fields the connector reads; Zendesk sends many more. */
export const TicketResponseSchema = z.object({
  ticket: z.object({
    id: z.number().int().positive(),
    status: z.enum(ZENDESK_STATUSES),
    tags: z.array(z.string()),
  }),
});

export const TagsResponseSchema = z.object({ tags: z.array(z.string()) });
