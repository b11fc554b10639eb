export * from './normalise.ts';
export * from './ticket.ts';
