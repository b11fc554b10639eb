export * from './replay.ts';
export * from './replay-report.ts';
