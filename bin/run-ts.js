#!/usr/bin/env node
import { resolve } from 'node:path';
// Runs one TypeScript file (a benchmark or a script) through tsx: `node bin/run-ts.js bench/x.ts [args]`.
import { pathToFileURL } from 'node:url';
import { register } from 'tsx/esm/api';

register();
const file = process.argv[2];
if (!file) {
  console.error('usage: node bin/run-ts.js FILE.ts [args...]');
  process.exit(2);
}
process.argv.splice(1, 1);
await import(pathToFileURL(resolve(file)).href);
