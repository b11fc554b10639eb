import { loadExclusionRules } from '../audit/index.ts';
import { loadConversationTests } from '../conversation-tests/index.ts';
import { createTurnAnalyser } from '../conversations/index.ts';
import { type RetrainResult, retrainCandidate } from '../learning/index.ts';
import { createNlu, generateBackgroundTexts, serialiseModel } from '../nlu/index.ts';
import { UserError } from '../shared/index.ts';
import type { ArtifactInfo } from '../store/index.ts';
import { runConversationTests } from './conversation-tests.ts';
import type { Deployment } from './deployment.ts';

/**
 * `nlu retrain` composed: the active model's settings, its background (generic texts when it had one), the
 * conversation tests of `testsDir` run with the candidate, the gate, and the candidate stored as a new version
 * with its fingerprint and the gate's decision in its note; activated only when the gate promotes it (every
 * serving process then loads it within seconds).
 *
 * @example
 * const { result, stored } = await retrainDeployment({ deployment, testsDir: 'examples/conversation-tests', by: 'cli' });
 */
export async function retrainDeployment(props: {
  deployment: Deployment;
  testsDir: string | null;
  by: string;
}): Promise<{ result: RetrainResult; stored: ArtifactInfo }> {
  const { deployment } = props;
  const active = deployment.nlu()?.model;
  if (!active) {
    throw new UserError(
      'nlu.no_active_model',
      'no active model to retrain: train one first (nlu train --from-store --activate)',
    );
  }
  const tests = props.testsDir ? loadConversationTests(props.testsDir) : [];
  const exclusions = loadExclusionRules();
  const activeInfo = await deployment.store.getArtifact('nlu-model', 'active');
  const result = await retrainCandidate({
    store: deployment.store,
    active,
    ...(activeInfo ? { activeSince: activeInfo.createdAt } : {}),
    background: (active.training.background?.examples ?? 0) > 0 ? generateBackgroundTexts() : [],
    tests: async (model) => {
      if (tests.length === 0) return { passed: 0, failed: [] };
      const analyse = createTurnAnalyser({ nlu: createNlu({ model }), exclusions });
      const results = await runConversationTests({ deployment, tests, analyse });
      return {
        passed: results.filter((r) => r.passed).length,
        failed: results.filter((r) => !r.passed).map((r) => r.name),
      };
    },
  });
  const stored = await deployment.store.saveArtifact({
    kind: 'nlu-model',
    content: serialiseModel(result.candidate),
    by: props.by,
    note: `retrained on ${result.training.base} base examples + ${result.training.corrections} corrections (fingerprint ${result.fingerprint.slice(0, 12)}); gate: ${result.report.promote ? 'promoted' : `kept the active model: ${result.report.reasons[0] ?? ''}`}`.slice(
      0,
      300,
    ),
    activate: result.report.promote,
    at: deployment.clock.now(),
  });
  // The gate's whole report is kept with the version it judged: what improved, what got worse, which tests failed.
  await deployment.store.saveArtifact({
    kind: 'gate-report',
    content: JSON.stringify({
      modelVersion: stored.version,
      promoted: result.report.promote,
      fingerprint: result.fingerprint,
      training: result.training,
      evaluation: result.evaluation,
      report: result.report,
    }),
    by: props.by,
    note: gateReportNote(stored.version),
    activate: false,
    at: deployment.clock.now(),
  });
  return { result, stored };
}

/** The note that ties a stored gate report to the model version it judged. */
export function gateReportNote(modelVersion: number): string {
  return `nlu-model v${modelVersion}`;
}

/** The gate's report of a model version, when it was retrained here; undefined otherwise. */
export async function gateReportOf(
  deployment: Pick<Deployment, 'store'>,
  modelVersion: number,
): Promise<
  | {
      promoted: boolean;
      fingerprint: string;
      training: RetrainResult['training'];
      report: RetrainResult['report'];
    }
  | undefined
> {
  const info = (await deployment.store.listArtifacts('gate-report')).find(
    (a) => a.note === gateReportNote(modelVersion),
  );
  if (!info) return undefined;
  const artifact = await deployment.store.getArtifact('gate-report', info.version);
  return artifact ? JSON.parse(artifact.content) : undefined;
}
