export {
  createJobRunner,
  failureOf,
  type JobAttempt,
  type JobHandler,
  type JobOutcome,
  type JobRunner,
  type JobRunnerOptions,
} from './runner.ts';
