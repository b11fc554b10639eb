export * from './goals.ts';
export * from './metrics.ts';
export * from './outcomes.ts';
export * from './read-facts.ts';
export * from './report.ts';
export * from './report-render.ts';
export * from './weekly-review.ts';
export * from './write-report.ts';
