export { prepareTicket } from './prepared.ts';
export type * from './store.ts';
