export * from './abcd-data.ts';
export * from './abcd-workflows.ts';
