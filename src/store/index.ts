export { type Change, type ChangeFeed, type ChangeTopic, createLocalChanges } from './change-feed.ts';
export {
  type ClaimedJob,
  type ClaimRequest,
  DEFAULT_JOB_TIMEOUT_MS,
  DEFAULT_MAX_ATTEMPTS,
  type DeadJob,
  type JobCounts,
  type JobFailure,
  type JobQueue,
  type JobQueueCapabilities,
  type JobRequest,
  retryDelayMs,
} from './job-queue.ts';
export { prepareTicket } from './prepared.ts';
export type * from './store.ts';
