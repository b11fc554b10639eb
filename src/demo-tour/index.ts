export * from './demo-tour.ts';
