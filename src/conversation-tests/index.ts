export {
  type ConversationTest,
  ConversationTestSchema,
  type Expectation,
  ExpectationSchema,
  loadConversationTests,
} from './conversation-test.ts';
export {
  type ConversationTestResult,
  replyMatches,
  runConversationTest,
  type TurnResult,
} from './run-test.ts';
