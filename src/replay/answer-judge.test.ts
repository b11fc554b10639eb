import { describe, expect, it } from 'vitest';
import { answerJudge } from './answer-judge.ts';

const judge = answerJudge({
  minScore: 0.7,
  articles: [
    { title: 'Returns', url: 'https://help.example/returns', tags: ['refund_request', 'returns'] },
    { title: 'Returns', url: 'https://help.example/b2b-returns', tags: ['business'] },
    { title: 'Gift cards', tags: ['gift_card', 'how_to'] },
  ],
  knownIntents: ['refund_request', 'billing_question', 'how_to'],
});
const hit = (title: string, score: number, url?: string) => ({
  title,
  score,
  passage: 'p',
  ...(url ? { url } : {}),
});
const on = (intent: string | null, category: string | null = null) => ({ intent, category });

describe('answerJudge: an answer counts when it is about what was asked', () => {
  it('needs the bar, or the step minScore when that is higher', () => {
    expect(judge.judge(hit('Gift cards', 0.69), on('how_to'), 0)).toEqual({
      title: 'Gift cards',
      score: 0.69,
      why: 'low_score',
    });
    expect(judge.judge(hit('Gift cards', 0.75), on('how_to'), 0)).toBeNull();
    expect(judge.judge(hit('Gift cards', 0.75), on('how_to'), 0.8)?.why).toBe('low_score');
  });

  it("needs the turn's intent or the ticket's category among the intents the article's tags name", () => {
    expect(judge.judge(hit('Gift cards', 0.9), on('billing_question'), 0)).toMatchObject({
      why: 'other_intent',
      articleIntents: ['how_to'],
      turnIntent: 'billing_question',
    });
    expect(judge.judge(hit('Gift cards', 0.9), on('billing_question', 'how_to'), 0)).toBeNull();
  });

  it('judges by score alone when the article names no intent, or is not in the index', () => {
    // Same title, told apart by the url: the business article's tags name no intent the NLU knows.
    expect(judge.judge(hit('Returns', 0.9, 'https://help.example/b2b-returns'), on('how_to'), 0)).toBeNull();
    expect(judge.judge(hit('Returns', 0.9, 'https://help.example/returns'), on('how_to'), 0)?.why).toBe(
      'other_intent',
    );
    expect(judge.judge(hit('Unknown article', 0.9), on('how_to'), 0)).toBeNull();
  });
});
