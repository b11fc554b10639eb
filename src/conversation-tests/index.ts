export {
  type ConversationTestResult,
  replyMatches,
  runConversationTest,
  type TurnResult,
} from './run-test.ts';
export {
  type ConversationTest,
  ConversationTestSchema,
  type Expectation,
  ExpectationSchema,
  loadConversationTests,
} from './test-file.ts';
