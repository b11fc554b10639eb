export {
  type ConversationDetail,
  type Correction,
  createInbox,
  type DraftUse,
  INBOX_EVENTS,
  type Inbox,
  type Judgement,
  type Queue,
  type QueueFilters,
  type QueueItem,
  type ShadowDraft,
} from './inbox.ts';
export { MIN_JUDGED_FOR_WARNING, type ObservedPrecision, observedPrecision } from './observed-precision.ts';
