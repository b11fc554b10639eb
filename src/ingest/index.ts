export { chooseImporter } from './detect.ts';
export { importers } from './formats/index.ts';
export type * from './importer.ts';
export { DATE_FORMATS } from './importer.ts';
export {
  type ImportProgress,
  type ImportSummary,
  type ReadBatch,
  type ReadOptions,
  type RunImportProps,
  runImport,
  startReading,
} from './run-import.ts';
export { type FileSource, openFileSource, textSource } from './source.ts';
