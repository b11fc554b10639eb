export * from './guardrails.ts';
export * from './handoff.ts';
export * from './handoff-packet.ts';
export * from './render-handoff.ts';
export * from './summarise-value.ts';
