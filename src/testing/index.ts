export { SHARED_DATA_DIR, type SharedDataFile, sharedData } from './shared-data.ts';
