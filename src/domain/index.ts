export * from './conversation.ts';
export * from './escalation.ts';
export * from './money.ts';
export * from './normalise.ts';
export * from './pilot.ts';
export * from './ticket.ts';
