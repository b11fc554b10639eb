export { CHROMIUM, CHROMIUM_ARGS } from './chromium.ts';
export { SHARED_DATA_DIR, type SharedDataFile, sharedData } from './shared-data.ts';
