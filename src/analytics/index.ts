export * from './goals.ts';
export * from './metrics.ts';
export * from './outcomes.ts';
export * from './read-facts.ts';
