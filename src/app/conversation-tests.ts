import { DEMO_SHOP_ANCHOR_MS } from '../connectors/demo-shop/index.ts';
import type { ConnectorCaller } from '../connectors/index.ts';
import {
  type ConversationTest,
  type ConversationTestResult,
  runConversationTest,
} from '../conversation-tests/index.ts';
import { createConversationRuntime, type TurnAnalyser } from '../conversations/index.ts';
import { err, fakeClock, ok, silentLogger } from '../shared/index.ts';
import { replayConnectors } from './connectors.ts';
import type { Deployment } from './deployment.ts';
import { openStore } from './open-store.ts';

/**
 * Runs conversation tests through the deployment's real runtime (its model, guardrails, workflows and knowledge
 * base) on a throwaway in-memory store, each test on its own. Connector calls are answered by the test's stubs,
 * else by the demo shop in process when the deployment has it; any other call is refused (`not_stubbed`) and the
 * test fails saying which: a test never reaches a live system. The clock stands at the demo shop's "today".
 *
 * @example
 * const results = await runConversationTests({ deployment, tests: loadConversationTests('examples/conversation-tests') });
 * results.filter((r) => !r.passed).length; // 0
 */
export async function runConversationTests(props: {
  deployment: Deployment;
  tests: readonly ConversationTest[];
  /** Another NLU than the deployment's (a candidate model before the gate lets it in). */
  analyse?: TurnAnalyser;
}): Promise<ConversationTestResult[]> {
  const { deployment } = props;
  const results: ConversationTestResult[] = [];
  for (const [i, test] of props.tests.entries()) {
    const store = await openStore({ db: ':memory:' });
    try {
      const clock = fakeClock(DEMO_SHOP_ANCHOR_MS);
      const inProcess = replayConnectors({ config: deployment.config, clock, logger: silentLogger });
      const unstubbed: string[] = [];
      const connectors: ConnectorCaller = {
        async call(call) {
          const stub = test.stubs[`${call.connector}.${call.operation}`];
          if (stub) {
            return {
              result:
                'output' in stub
                  ? ok(stub.output)
                  : err({ code: stub.error, message: 'stubbed failure', retryable: stub.retryable }),
              attempts: 1,
              durationMs: 0,
            };
          }
          const outcome = await inProcess.call(call);
          if (!outcome.result.ok && outcome.result.error.code === 'unknown_connector')
            unstubbed.push(`${call.connector}.${call.operation}`);
          return outcome;
        },
      };
      const runtime = createConversationRuntime({
        store,
        analyse: props.analyse ?? deployment.analyse,
        workflows: deployment.workflowSet,
        connectors,
        guardrails: deployment.guardrails,
        knowledge: () => deployment.knowledge(),
        clock,
      });
      const result = await runConversationTest({ test, runtime, store, id: `test-${i + 1}` });
      const failures = unstubbed.map(
        (c) => `connector ${c} was called: stub it (stubs: { ${c}: { output: ... } })`,
      );
      results.push(
        failures.length > 0
          ? { ...result, passed: false, failures: [...result.failures, ...failures] }
          : result,
      );
    } finally {
      await store.close();
    }
  }
  return results;
}
