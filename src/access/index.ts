export * from './credentials.ts';
export * from './people.ts';
