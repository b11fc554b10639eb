/**
 * Command-line options of the benchmarks: `--name value` pairs after `npm run bench:x --`.
 *
 * @example
 * const only = arg('--only')?.split(','); // npm run bench:nlu -- --only banking77
 */
export function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
