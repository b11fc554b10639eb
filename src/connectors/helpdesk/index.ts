export {
  type HelpdeskConfig,
  HelpdeskConfigSchema,
  helpdeskConnector,
  zendeskAuthorization,
} from './connector.ts';
export { type FakeZendesk, type FakeZendeskTicket, startFakeZendesk } from './fake-zendesk.ts';
export { ZENDESK_PRIORITIES, ZENDESK_STATUSES } from './zendesk-shapes.ts';
