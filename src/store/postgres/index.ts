export { openPostgresStore, type PostgresStoreOptions, redactUrl } from './postgres-store.ts';
