import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  buildKnowledgeIndex,
  DEFAULT_MIN_SCORE,
  loadKnowledgeBase,
  readArticles,
  serialiseKnowledgeIndex,
  writeKnowledgeIndex,
} from '../kb/index.ts';
import { aMessage, aTicket } from '../store/test-builders.ts';
import { customerTurn, step, WorkflowSchema, type WorkflowState } from '../workflows/index.ts';
import {
  createKnowledgeSearch,
  openKnowledge,
  readActiveKnowledgeIndex,
  replayTicketQuestions,
} from './knowledge.ts';
import { openStore } from './open-store.ts';

const DEMO_KB = fileURLToPath(new URL('../demo/kb/', import.meta.url));
const AUDIT_KB = fileURLToPath(new URL('../kb/fixtures/audit-kb/', import.meta.url));

function demoIndexFile(): string {
  const file = join(mkdtempSync(join(tmpdir(), 'kb-app-')), 'kb-index.json');
  writeKnowledgeIndex(file, buildKnowledgeIndex(readArticles(DEMO_KB), Date.UTC(2026, 10, 1)));
  return file;
}

describe('openKnowledge', () => {
  it('is null without an index file, so the conversations run without a knowledge base', () => {
    expect(openKnowledge(join(tmpdir(), 'no-such-dir', 'kb-index.json'))).toBeNull();
  });

  it('returns the runtime shape, scores 0..1, and nothing below its floor', () => {
    const search = openKnowledge(demoIndexFile())!;
    const hit = search('do gift cards expire?');
    expect(hit).toEqual({
      passage: expect.stringContaining('valid for 24 months'),
      title: 'Gift cards',
      url: 'https://help.sablebramble.example/shopping/gift-cards',
      score: expect.any(Number),
    });
    expect(hit!.score).toBeGreaterThanOrEqual(DEFAULT_MIN_SCORE);
    expect(hit!.score).toBeLessThanOrEqual(1);
    expect(search('can you recommend a good plumber')).toBeNull();
  });

  it("feeds the workflow answer step: a passage with its citation above the step's minScore, else the fallback", () => {
    const search = openKnowledge(demoIndexFile())!;
    const definition = WorkflowSchema.parse({
      id: 'faq',
      version: 1,
      trigger: { intents: ['billing_question'] },
      steps: [
        { id: 'search', type: 'answer', minScore: 0.7, fallback: 'sorry' },
        { id: 'done', type: 'resolve' },
        { id: 'sorry', type: 'escalate', reason: 'no_article' },
      ],
    });
    const run = (text: string) => {
      const started = step(definition, null, {
        type: 'start',
        at: 1,
        turn: customerTurn(text, [], 'billing_question'),
        customer: { attributes: {} },
        channel: 'chat',
        conversationId: 'c1',
      });
      const effect = started.effects.find((e) => e.type === 'answer');
      if (effect?.type !== 'answer') throw new Error('expected an answer effect');
      const hit = search(effect.query);
      const event = hit
        ? { type: 'answerResult' as const, at: 2, stepId: effect.stepId, found: true as const, ...hit }
        : { type: 'answerResult' as const, at: 2, stepId: effect.stepId, found: false as const };
      return step(definition, started.state as WorkflowState, event);
    };
    const answered = run('How much does Bramble Club Pro cost a month?');
    const reply = answered.effects.find((e) => e.type === 'reply');
    expect(reply?.type === 'reply' && reply.text).toMatch(
      /9\.99 a month[\s\S]*Source: Plans and prices \(https:\/\/help\.sablebramble\.example\/membership\/plans\)/,
    );
    expect(answered.state.answer?.score).toBeGreaterThanOrEqual(0.7);
    const missed = run('Do you sell garden sheds?');
    expect(missed.effects.some((e) => e.type === 'escalate')).toBe(true);
  });
});

describe('replayTicketQuestions', () => {
  it('counts, per article, the stored tickets whose opening it would have answered', async () => {
    const store = await openStore({ db: ':memory:' });
    const opening = (id: string, subject: string, body: string) =>
      aTicket({ externalId: id, subject, messages: [aMessage({ body })] });
    await store.upsertTickets(
      [
        opening('1', 'Password reset', 'The reset link in your email says it has expired.'),
        opening('2', 'Gift card', 'How do I check the balance on my gift card?'),
        opening('3', 'Hello', 'Do you sell garden sheds?'),
      ],
      { origin: 'test' },
    );
    const kb = loadKnowledgeBase(buildKnowledgeIndex(readArticles(DEMO_KB), 0));
    const matches = await replayTicketQuestions({ store, kb, pageSize: 2 });
    expect(matches.questions).toBe(3);
    expect(matches.answered).toBe(2);
    expect(Object.fromEntries(matches.byArticle)).toEqual({ 'password-reset': 1, 'gift-cards': 1 });
    await store.close();
  });
});

describe('readActiveKnowledgeIndex', () => {
  it("is the store's active version, null when there is none, and names a version it cannot read", async () => {
    const store = await openStore({ db: ':memory:' });
    expect(await readActiveKnowledgeIndex(store)).toBeNull();
    const index = buildKnowledgeIndex(readArticles(DEMO_KB), Date.UTC(2026, 10, 1));
    const save = (content: string) =>
      store.saveArtifact({ kind: 'kb-index', content, by: 'test', activate: true, at: 1 });
    await save(serialiseKnowledgeIndex(index));
    const active = await readActiveKnowledgeIndex(store);
    expect(active?.artifact).toMatchObject({ kind: 'kb-index', version: 1, active: true });
    expect(active?.index.articles).toHaveLength(24);
    // The stored index answers as the file does.
    expect(createKnowledgeSearch(active!.index)('do gift cards expire?')).toEqual(
      openKnowledge(demoIndexFile())!('do gift cards expire?'),
    );

    await save('{"format":"switchboard-kb-index","formatVersion":2}');
    const error = await readActiveKnowledgeIndex(store).catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: 'user', code: 'kb.index_invalid' });
    expect((error as { describe(): string }).describe()).toMatch(/^kb-index v2: formatVersion: /);
    await store.close();
  });
});

describe('createKnowledgeSearch', () => {
  it('quotes customer articles only, and nothing below its floor', () => {
    const index = buildKnowledgeIndex(readArticles(AUDIT_KB), 0);
    const question = 'can agents approve refunds up to 150 without a team lead';
    const all = loadKnowledgeBase(index).search(question, { limit: 1, audience: 'all' });
    expect(all[0]?.articleId).toBe('staff-refund-limits');
    const hit = createKnowledgeSearch(index, { minScore: 0 })(question);
    expect(hit?.title).not.toBe('Refund limits for agents');
    expect(createKnowledgeSearch(index, { minScore: 1.01 })('how do I return an item')).toBeNull();
  });

  it("takes the turn's intent: an article tagged for another intent is never quoted for it", () => {
    const search = createKnowledgeSearch(buildKnowledgeIndex(readArticles(DEMO_KB), 0));
    const question = 'how do I reset my password';
    expect(search(question)?.title).toBe('Reset your password');
    expect(search(question, { intent: 'password_reset' })?.title).toBe('Reset your password');
    expect(search(question, { intent: 'billing_question' })?.title).not.toBe('Reset your password');
    // Callers that know no intent are answered as before.
    expect(search(question, {})).toEqual(search(question));
  });
});
