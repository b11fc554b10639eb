export { DEFAULT_DB_PATH, type OpenStoreOptions, openStore } from './open-store.ts';
