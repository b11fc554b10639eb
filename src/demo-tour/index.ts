export * from './demo-inbox.ts';
export * from './demo-tour.ts';
