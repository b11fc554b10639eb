import type { Logger } from '../shared/index.ts';

export interface CapturedLine {
  level: 'debug' | 'info' | 'warn' | 'error';
  fields: Record<string, unknown>;
  message: string;
}

/**
 * A Logger that keeps every line, for tests that check what is (and is not) logged: `text()` is everything
 * serialised, so `expect(logger.text()).not.toContain(secret)` covers fields and messages alike.
 *
 * @example
 * const logger = capturingLogger();
 * logger.info({ connector: 'http' }, 'connector call succeeded');
 * logger.lines[0]?.fields.connector; // 'http'
 */
export function capturingLogger(): Logger & { lines: CapturedLine[]; text(): string } {
  const lines: CapturedLine[] = [];
  const at = (level: CapturedLine['level']) => (fields: Record<string, unknown>, message: string) => {
    lines.push({ level, fields, message });
  };
  return {
    lines,
    text: () =>
      lines.map((line) => `${line.level} ${line.message} ${JSON.stringify(line.fields)}`).join('\n'),
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
  };
}
