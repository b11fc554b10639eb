import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadExclusionRules } from '../audit/index.ts';
import { createTurnAnalyser, type KnowledgeSearch, type TurnAnalyser } from '../conversations/index.ts';
import { DEMO_KB_DIR } from '../demo/index.ts';
import { buildKnowledgeIndex, readArticles, writeKnowledgeIndex } from '../kb/index.ts';
import { createNlu } from '../nlu/index.ts';
import { loadWorkflowDir, type WorkflowDefinition } from '../workflows/index.ts';
import { runDemoTour } from './demo-tour.ts';
import { openKnowledge } from './knowledge.ts';
import { trainDemoIntentModel } from './testing.ts';
import { DEMO_WORKFLOWS_DIR } from './workflows-dir.ts';

const dir = mkdtempSync(join(tmpdir(), 'sb-app-tour-'));
let analyse: TurnAnalyser;
let workflows: WorkflowDefinition[];
let searchKnowledge: KnowledgeSearch | null;

beforeAll(async () => {
  analyse = createTurnAnalyser({
    nlu: createNlu({ model: await trainDemoIntentModel() }),
    exclusions: loadExclusionRules(),
  });
  const indexFile = join(dir, 'kb-index.json');
  writeKnowledgeIndex(indexFile, buildKnowledgeIndex(readArticles(fileURLToPath(DEMO_KB_DIR)), 0));
  searchKnowledge = openKnowledge(indexFile);
  workflows = loadWorkflowDir(DEMO_WORKFLOWS_DIR).workflows.map((w) => w.definition);
}, 90_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('runDemoTour', () => {
  it("plays the plan against the deployment's model and workflows in memory, the last conversation handed over", async () => {
    const { plan, conversations } = await runDemoTour({
      categories: ['password_reset', 'how_to', 'refund_request'],
      analyse,
      workflows,
      searchKnowledge,
    });
    expect(plan.withoutWorkflow).toEqual(['how_to']);
    expect(conversations.map((c) => [c.conversationId, c.status, c.owner])).toEqual([
      ['tour-1-password-reset', 'resolved', 'bot'],
      ['tour-2-refund-request', 'escalated', 'human'],
    ]);
    const packet = conversations[1]?.handoff;
    expect(packet?.escalation).toMatchObject({ workflowReason: 'refund_above_limit', queue: 'billing' });
    // The clock starts at the demo shop's "today" (noon) and moves on between turns.
    const times = packet?.transcript.map((l) => l.at) ?? [];
    expect(times[0]).toBeGreaterThan(Date.UTC(2026, 9, 31, 12));
    expect(times[0]).toBeLessThan(Date.UTC(2026, 9, 31, 13));
    expect(new Set(times).size).toBeGreaterThan(1);
    // A second run starts from a new store: the same ids are free again.
    const again = await runDemoTour({ categories: ['password_reset'], analyse, workflows });
    expect(again.conversations[0]?.conversationId).toBe('tour-1-password-reset');
  });
});
