export type {
  Channel,
  ChannelDefinition,
  ChannelType,
  InboundEvent,
  OutboundOperation,
  ParsedDelivery,
  SendContext,
  SendResult,
  WebhookProblem,
  WebhookRequest,
} from './channel.ts';
export {
  type AcceptedDelivery,
  CHANNEL_QUEUES,
  type ChannelService,
  conversationIdOf,
  createChannelService,
  deliveryJobsOf,
  externalIdOf,
} from './channel-service.ts';
export { ChatwootConfigSchema, chatwootChannel } from './chatwoot/chatwoot-channel.ts';
export { DELIVERED_EVENT, DELIVERY_FAILED_EVENT, handoffTags, planDeliveries } from './outbound.ts';
export { buildChannels } from './registry.ts';
