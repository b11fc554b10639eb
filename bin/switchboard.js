#!/usr/bin/env node
// The CLI: compiled dist/ when current, else the TypeScript sources through tsx (see load-main.js), so
// `npx switchboard` works right after `npm install`.
import { loadMain } from './load-main.js';

const main = await loadMain();
process.exitCode = await main(process.argv);
