import type { Importer } from '../importer.ts';
import { freshdeskImporter } from './freshdesk.ts';
import { genericCsvImporter } from './generic-csv.ts';
import { genericJsonImporter } from './generic-json.ts';
import { helpscoutImporter } from './helpscout.ts';
import { intercomImporter } from './intercom.ts';
import { twcsImporter } from './twcs.ts';
import { zendeskImporter } from './zendesk.ts';

/**
 * Every importer, in the order detection tries them. Adding a format: write `formats/<name>.ts` exporting an
 * `Importer`, then list it here.
 */
export const importers: readonly Importer[] = [
  zendeskImporter,
  freshdeskImporter,
  intercomImporter,
  helpscoutImporter,
  twcsImporter,
  genericCsvImporter,
  genericJsonImporter,
];
