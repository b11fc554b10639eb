import type { Command } from 'commander';
import type { CliIo } from '../io.ts';

export function registerDemo(_program: Command, _io: CliIo): void {}
