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
  type ChannelStatus,
  conversationIdOf,
  createChannelService,
  deliveryJobsOf,
  externalIdOf,
  type UndeliveredOperation,
} from './channel-service.ts';
export { ChatwootConfigSchema, chatwootChannel } from './chatwoot/chatwoot-channel.ts';
export { IntercomConfigSchema, intercomChannel } from './intercom/intercom-channel.ts';
export { DELIVERED_EVENT, DELIVERY_FAILED_EVENT, handoffTags, planDeliveries } from './outbound.ts';
export { buildChannels } from './registry.ts';
export { ZendeskConfigSchema, zendeskChannel } from './zendesk/zendesk-channel.ts';
