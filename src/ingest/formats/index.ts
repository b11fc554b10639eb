import type { Importer } from '../importer.ts';

/**
 * Every importer, in the order detection tries them. Adding a format: write `formats/<name>.ts` exporting an
 * `Importer`, then list it here.
 */
export const importers: readonly Importer[] = [];
