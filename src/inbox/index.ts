export {
  type ConversationDetail,
  type Correction,
  createInbox,
  INBOX_EVENTS,
  type Inbox,
  type Judgement,
  type Queue,
  type QueueFilters,
  type QueueItem,
} from './inbox.ts';
export { MIN_JUDGED_FOR_WARNING, type ObservedPrecision, observedPrecision } from './observed-precision.ts';
