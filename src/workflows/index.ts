export * from './definition.ts';
export * from './effects.ts';
export * from './events.ts';
export * from './state.ts';
