export * from './answer-judge.ts';
export * from './replay.ts';
export * from './replay-answers.ts';
export * from './replay-report.ts';
